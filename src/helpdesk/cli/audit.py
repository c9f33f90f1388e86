"""`helpdesk audit export|verify`: the event log as JSON Lines, and its hash-chain check."""

import argparse
import sys
from datetime import date, datetime
from typing import Any

from helpdesk.cli import EXIT_FAILED, EXIT_OK, CliContext, emit_json
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.events import verify_chain
from helpdesk.services.ports import TicketRepo


def register(sub: Any) -> None:
    """Add `audit export` and `audit verify`."""
    audit = sub.add_parser("audit", help="dziennik zdarzeń: eksport i weryfikacja łańcucha skrótów")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=sub._parser_class)
    asub.required = True
    p = asub.add_parser("export", help="wypisz dziennik zdarzeń jako JSON Lines")
    p.add_argument("--from", dest="date_from", type=_date)
    p.add_argument("--to", dest="date_to", type=_date)
    p.add_argument("--json", action="store_true", help="(domyślnie) JSON Lines")
    p.set_defaults(func=cmd_export)
    p = asub.add_parser("verify", help="sprawdź łańcuch skrótów dziennika")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"niepoprawna data '{value}' (oczekiwano RRRR-MM-DD)") from err


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print events (optionally of a date range, inclusive, by the event's own local date)."""
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise InvalidInput("--from jest późniejsze niż --to")
    db = ctx.container().db

    def _do(tx: TicketRepo) -> None:
        for record in tx.iter_log():
            day = datetime.fromisoformat(record["at"]).date()
            if (args.date_from and day < args.date_from) or (args.date_to and day > args.date_to):
                continue
            emit_json(record)

    db.read(_do)
    sys.stdout.flush()
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, ctx: CliContext) -> int:
    """Exit 0 if the chain holds; exit 1 naming the first broken event otherwise."""
    db = ctx.container().db
    count, broken = db.read(lambda tx: verify_chain(tx.iter_log()))
    head_hash, head_count = db.read(lambda tx: tx.head())
    if broken is None and count != head_count:
        reason = (
            f"dziennik ma {count} zdarzeń, a nagłówek łańcucha wskazuje {head_count} (usunięto zdarzenia)"
        )
        if args.json:
            emit_json({"ok": False, "events": count, "error": reason})
        print(f"helpdesk: dziennik naruszony: {reason}", file=sys.stderr)
        return EXIT_FAILED
    if broken is not None:
        if args.json:
            emit_json(
                {
                    "ok": False,
                    "events": count,
                    "position": broken.position,
                    "ticket": broken.ticket,
                    "seq": broken.seq,
                    "error": broken.reason,
                }
            )
        print(
            f"helpdesk: dziennik naruszony: zdarzenie nr {broken.position} (zgłoszenie {broken.ticket}, "
            f"seq {broken.seq}): {broken.reason}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if args.json:
        emit_json({"ok": True, "events": count, "head": head_hash})
    else:
        print(f"Dziennik nienaruszony: {count} zdarzeń, ostatni skrót {head_hash}")
    return EXIT_OK

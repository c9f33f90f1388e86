"""`helpdesk audit export|verify|checkpoint|access`: the event log as JSON Lines, its checks, its anchors.

- `export` prints the log form: each line is exactly what the chain hashes (canonical JSON of the
  line without `prev` and `hash`), so anyone can recompute every hash from the file alone. Personal
  content (texts, titles, file names) is covered by `personal_sha256` and left out, as auditors need
  no personal data; `--personal` adds it under `personal` (see domain/events.py), which proving a
  head from before the log was re-anchored needs.
- `verify` checks the database log (services/audit.py); `--head HASH [--events N]` also proves it
  extends a head kept outside the database; `--file EXPORT.jsonl` checks an export offline.
- `checkpoint` records the verified head outside the database (a file and/or mail to auditors).
- `access` lists the access log: coordinators', auditors' and admins' reads of tickets.
"""

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from helpdesk.cli import EXIT_FAILED, EXIT_OK, CliContext, emit_json
from helpdesk.domain.audit import Anchor
from helpdesk.domain.errors import InvalidInput, describe_os_error
from helpdesk.domain.events import PERSONAL
from helpdesk.services.audit import Verdict, verify_export, verify_log
from helpdesk.services.ports import TicketRepo
from helpdesk.services.texts import EVENTS_PL, plural_pl

HEX = frozenset("0123456789abcdef")


def register(sub: Any) -> None:
    """Add `audit export`, `audit verify`, `audit checkpoint` and `audit access`."""
    audit = sub.add_parser("audit", help="dziennik zdarzeń: eksport, weryfikacja, zapis nagłówka poza bazą")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=sub._parser_class)
    asub.required = True
    p = asub.add_parser("export", help="wypisz dziennik zdarzeń jako JSON Lines")
    p.add_argument("--from", dest="date_from", type=_date, help="od dnia RRRR-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date, help="do dnia RRRR-MM-DD włącznie")
    p.add_argument(
        "--personal",
        action="store_true",
        help="dołącz treści osobowe (pole personal); bez tego każdy wiersz to dokładnie to, co haszuje łańcuch",
    )
    p.add_argument("--json", action="store_true", help="(domyślnie) JSON Lines")
    p.set_defaults(func=cmd_export)
    p = asub.add_parser("verify", help="sprawdź łańcuch skrótów dziennika (w bazie albo w pliku eksportu)")
    p.add_argument(
        "--head", type=_hash, help="nagłówek zapisany wcześniej poza bazą: dziennik musi go zawierać"
    )
    p.add_argument("--events", type=_count, help="liczba zdarzeń, do której odnosi się --head")
    p.add_argument("--file", help="sprawdź plik eksportu (JSON Lines) zamiast bazy")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)
    p = asub.add_parser("checkpoint", help="zapisz sprawdzony nagłówek dziennika poza bazą (plik, e-mail)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_checkpoint)
    p = asub.add_parser("access", help="odczyty zgłoszeń przez koordynatorów, audytorów i administratorów")
    p.add_argument("--from", dest="date_from", type=_date, help="od dnia RRRR-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date, help="do dnia RRRR-MM-DD włącznie")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_access)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"niepoprawna data '{value}' (oczekiwano RRRR-MM-DD)") from err


def _hash(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or not set(text) <= HEX:
        raise argparse.ArgumentTypeError(
            f"niepoprawny skrót '{value[:80]}' (oczekiwano 64 znaków szesnastkowych)"
        )
    return text


def _count(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 12 or int(value) < 1:
        raise argparse.ArgumentTypeError(f"niepoprawna liczba zdarzeń '{value[:40]}'")
    return int(value)


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
            if not args.personal:
                record = {k: v for k, v in record.items() if k != PERSONAL}
            emit_json(record)

    db.read(_do)
    sys.stdout.flush()
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, ctx: CliContext) -> int:
    """Exit 0 if the log holds (and extends --head); exit 1 naming the first broken event otherwise."""
    if args.events is not None and args.head is None:
        raise InvalidInput("--events odnosi się do --head: podaj też --head SKRÓT")
    anchor = Anchor(args.head, args.events) if args.head else None
    if args.file:
        path = Path(args.file)
        try:
            with path.open(encoding="utf-8") as f:
                verdict = verify_export(f, anchor)
        except OSError as err:
            raise InvalidInput(f"{path}: nie można odczytać pliku ({describe_os_error(err)})") from err
        except UnicodeDecodeError as err:
            raise InvalidInput(f"{path}: plik nie jest zapisany w UTF-8") from err
        source = f"plik {path}"
    else:
        verdict = verify_log(ctx.container().db, anchor)
        source = "dziennik"
    return _report(verdict, source, args.json)


def _report(verdict: Verdict, source: str, as_json: bool) -> int:
    if as_json:
        emit_json(verdict.to_json())
    if not verdict.ok:
        for problem in verdict.problems[:20]:
            print(f"helpdesk: {source} naruszony: {problem.describe()}", file=sys.stderr)
        rest = len(verdict.problems) - 20 + verdict.more_problems
        if rest > 0:
            print(
                f"helpdesk: … i {plural_pl(rest, 'dalszy problem', 'dalsze problemy', 'dalszych problemów')}",
                file=sys.stderr,
            )
        return EXIT_FAILED
    if not as_json:
        print(f"Dziennik nienaruszony: {plural_pl(verdict.events, *EVENTS_PL)}, ostatni skrót {verdict.head}")
        if verdict.redacted:
            print(f"Zdarzeń z usuniętymi danymi osobowymi (skróty zachowane): {verdict.redacted}")
        if verdict.anchor is not None:
            print(
                f"Zawiera nagłówek zapisany poza bazą: zdarzenie nr {verdict.anchor_position}; "
                f"od tamtej pory dopisano {plural_pl(verdict.events - (verdict.anchor_position or 0), *EVENTS_PL)}"
            )
            if verdict.anchor_note:
                print(verdict.anchor_note[0].upper() + verdict.anchor_note[1:] + ".")
    return EXIT_OK


def cmd_checkpoint(args: argparse.Namespace, ctx: CliContext) -> int:
    """Verify and record the head outside the database; exit 1 (and alert the auditors) if it fails."""
    done = ctx.container().trust.checkpoints.checkpoint()
    if args.json:
        emit_json({**done.line, "recorded": done.recorded, "mailed": list(done.mailed)})
    if not done.verdict.ok:
        return _report(done.verdict, "dziennik", False)
    if not args.json:
        where = []
        if done.recorded:
            where.append(f"plik {ctx.settings.audit_checkpoint_file}")
        if done.mailed:
            where.append("e-mail do: " + ", ".join(done.mailed))
        print(
            f"Zapisano nagłówek: {done.line['events']} zdarzeń, skrót {done.line['head']} ({'; '.join(where)})"
        )
    return EXIT_OK


def cmd_access(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the access log (JSON Lines with --json)."""
    container = ctx.container()
    for entry in container.trust.access_log.entries(args.date_from, args.date_to):
        if args.json:
            emit_json(entry)
        else:
            print(
                f"{entry['at']}\t{entry['login']}\t{entry['role']}\t{entry['ticket']}\t{entry['office']}\t{entry['what']}"
            )
    return EXIT_OK

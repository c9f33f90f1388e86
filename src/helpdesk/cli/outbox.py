"""`helpdesk outbox list|retry`: what waits to be sent, what was given up on, and sending it again."""

import argparse
from typing import Any

from helpdesk.cli import EXIT_OK, CliContext, emit_json
from helpdesk.domain.errors import InvalidInput
from helpdesk.services.notify.outbox import CHANNELS


def register(sub: Any) -> None:
    """Add `outbox list` and `outbox retry`."""
    outbox = sub.add_parser("outbox", help="powiadomienia do wysłania: lista i ponowienie porzuconych")
    osub = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", parser_class=sub._parser_class)
    osub.required = True
    p = osub.add_parser("list", help="liczba oczekujących i lista porzuconych powiadomień")
    p.add_argument(
        "--given-up", action="store_true", help="wypisz porzucone wiadomości (domyślnie tylko liczby)"
    )
    p.add_argument("--channel", choices=CHANNELS, help="tylko ten kanał")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = osub.add_parser("retry", help="wyślij ponownie porzucone wiadomości")
    p.add_argument("ids", nargs="*", type=_message_id, metavar="ID", help="numery wiadomości z `outbox list`")
    p.add_argument("--all", action="store_true", help="wszystkie porzucone wiadomości")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retry)


def _message_id(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"niepoprawny numer wiadomości '{value}'")
    return int(value)


def cmd_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """Counts of unsent messages per channel; with --given-up, the given-up messages themselves."""
    outbox = ctx.container().outbox
    counts = outbox.counts()
    channels = [args.channel] if args.channel else list(CHANNELS)
    rows = outbox.given_up(args.channel) if args.given_up else []
    if args.json:
        emit_json(
            {
                "counts": {
                    c: {"pending": counts.get((c, "pending"), 0), "given_up": counts.get((c, "given_up"), 0)}
                    for c in channels
                },
                "given_up": [_public(r) for r in rows],
            }
        )
        return EXIT_OK
    for channel in channels:
        print(
            f"{channel}: oczekuje {counts.get((channel, 'pending'), 0)}, "
            f"porzucono {counts.get((channel, 'given_up'), 0)}"
        )
    if args.given_up:
        if not rows:
            print("brak porzuconych wiadomości")
        for r in rows:
            print(
                f"#{r['id']} {r['channel']} → {r['recipient']} | {r['subject']} | prób: {r['attempts']} | "
                f"{r['last_error'] or ''}"
            )
    return EXIT_OK


def _public(row: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "channel",
        "recipient",
        "subject",
        "ticket_no",
        "attempts",
        "last_error",
        "created_at",
        "given_up_at",
    )
    return {k: row.get(k) for k in keys}


def cmd_retry(args: argparse.Namespace, ctx: CliContext) -> int:
    """Make the named (or, with --all, every) given-up message due again."""
    if bool(args.ids) == bool(args.all):
        raise InvalidInput("podaj numery wiadomości albo --all (jedno z dwóch)")
    count = ctx.container().outbox.retry(None if args.all else list(args.ids))
    if args.json:
        emit_json({"retried": count})
    else:
        noun = "wiadomość" if count == 1 else "wiadomości"  # 1 wiadomość; 0, 2, 5 … wiadomości
        print(
            f"ponowiono {count} {noun}"
            if count
            else "nie było czego ponawiać (brak takich porzuconych wiadomości)"
        )
    return EXIT_OK

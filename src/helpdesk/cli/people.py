"""`helpdesk people export LOGIN` and `helpdesk retention run|due`: personal data (RODO)."""

import argparse
from typing import Any

from helpdesk.cli import EXIT_OK, CliContext, emit_json
from helpdesk.services.people_export import export_person
from helpdesk.services.texts import EVENTS_PL, plural_pl


def register(sub: Any) -> None:
    """Add `people export` and `retention run|due`."""
    people = sub.add_parser("people", help="dane osobowe: eksport wszystkich danych jednej osoby")
    psub = people.add_subparsers(dest="people_command", metavar="ACTION", parser_class=sub._parser_class)
    psub.required = True
    p = psub.add_parser("export", help="wszystkie dane o osobie jako JSON")
    p.add_argument("login", help="login osoby")
    p.add_argument("--json", action="store_true", help="(domyślnie) JSON")
    p.set_defaults(func=cmd_people_export)

    retention = sub.add_parser(
        "retention", help="usuwanie danych osobowych zamkniętych zgłoszeń po okresie przechowywania"
    )
    rsub = retention.add_subparsers(
        dest="retention_command", metavar="ACTION", parser_class=sub._parser_class
    )
    rsub.required = True
    p = rsub.add_parser(
        "run", help="usuń dane osobowe zgłoszeń zamkniętych dawniej niż HELPDESK_RETENTION_YEARS lat"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retention_run)
    p = rsub.add_parser("due", help="pokaż zgłoszenia, których dane zostałyby teraz usunięte")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retention_due)


def cmd_people_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print all data about one person as one JSON object."""
    c = ctx.container()
    emit_json(export_person(c.db, args.login, c.settings.tz))
    return EXIT_OK


def cmd_retention_run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Remove the personal data of tickets past their retention period."""
    result = ctx.container().trust.retention.run()
    summary = {
        "cutoff": result.cutoff.isoformat(timespec="seconds"),
        "tickets": result.tickets,
        "events": result.events,
        "attachments": result.attachments,
        "telegram_updates": result.telegram_updates,
    }
    if args.json:
        emit_json(summary)
    else:
        print(
            f"Usunięto dane osobowe zgłoszeń zamkniętych przed {summary['cutoff']}: "
            f"{plural_pl(len(result.tickets), 'zgłoszenie', 'zgłoszenia', 'zgłoszeń')}, "
            f"{plural_pl(result.events, *EVENTS_PL)}, "
            f"{plural_pl(result.attachments, 'załącznik', 'załączniki', 'załączników')}, "
            f"{plural_pl(result.telegram_updates, 'wiadomość', 'wiadomości', 'wiadomości')} Telegram."
        )
    return EXIT_OK


def cmd_retention_due(args: argparse.Namespace, ctx: CliContext) -> int:
    """List the tickets a run would clear now."""
    due = ctx.container().trust.retention.due()
    if args.json:
        emit_json({"tickets": due})
    else:
        print("\n".join(due) if due else "Brak zgłoszeń do wyczyszczenia.")
    return EXIT_OK

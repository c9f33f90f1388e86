"""Core commands: init, serve, users, offices."""

import argparse
import sys
from pathlib import Path
from typing import Any

from helpdesk.cli import EXIT_OK, CliContext, calendars, emit_json
from helpdesk.cli import offices as offices_cli
from helpdesk.domain.errors import InvalidInput, TooLarge, describe_os_error
from helpdesk.services.texts import plural_pl


def register(sub: Any) -> None:
    """Add `init`, `serve`, `users …` and `offices …`."""
    p = sub.add_parser("init", help="utwórz lub zaktualizuj schemat bazy; --demo dodaje dane pokazowe")
    p.add_argument("--demo", action="store_true", help="dodaj urzędy, osoby, umowy i artykuły pokazowe")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "migrate", help="zastosuj migracje schematu bazy (pod blokadą: bezpieczne z kilku hostów naraz)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", help="uruchom serwer WWW/API, bramkę SMTP, harmonogram i bota")
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="liczba procesów roboczych WWW/API na HELPDESK_HTTP (domyślnie HELPDESK_WORKERS)",
    )
    p.add_argument(
        "--role",
        choices=[r.value for r in _roles()],
        default="all",
        help="all: WWW/API i zadania pojedyncze (gdy ten proces ma ich dzierżawę); "
        "web: tylko WWW/API; singletons: tylko zadania pojedyncze (oraz /healthz i /metrics)",
    )
    p.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)

    users = sub.add_parser("users", help="osoby: dodawanie i import z CSV, tokeny API, hasła, kody Telegram")
    usub = users.add_subparsers(dest="users_command", metavar="ACTION", parser_class=sub._parser_class)
    usub.required = True
    p = usub.add_parser("add", help="dodaj osobę")
    p.add_argument("--login", required=True, help="login (do strony WWW i API)")
    p.add_argument("--name", required=True, help="imię i nazwisko")
    p.add_argument(
        "--role", required=True, help="official, leader, representative, agent, coordinator, auditor, admin"
    )
    p.add_argument("--jst", help="kod TERYT urzędu (role urzędowe)")
    p.add_argument("--contractor", help="identyfikator Wykonawcy z umowy (rola agent)")
    p.add_argument("--email", help="adres e-mail (powiadomienia, zgłoszenia pocztą)")
    p.add_argument("--telegram-id", type=_telegram_id, help="identyfikator użytkownika w Telegramie (liczba)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_add)
    p = usub.add_parser(
        "import",
        help="dodaj lub zaktualizuj osoby z pliku CSV (login,name,role,office,email,telegram_id) — "
        "wszystkie linie albo żadna",
    )
    p.add_argument("file", help="plik CSV w UTF-8 (przecinek albo średnik między polami)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_import)
    p = usub.add_parser("list", help="osoby: login, imię i nazwisko, rola, urząd, kanały, czy zablokowana")
    p.add_argument("--office", metavar="KOD", help="tylko osoby tego urzędu (kod TERYT)")
    p.add_argument("--role", help="tylko osoby tej roli (official, leader, …)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_list)
    p = usub.add_parser("token", help="wydaj nowy token API")
    p.add_argument("login", help="login osoby")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_token)
    p = usub.add_parser("password", help="ustaw hasło do strony WWW (pierwsza linia stdin)")
    p.add_argument("login", help="login osoby")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_password)
    p = usub.add_parser(
        "disable", help="zablokuj osobę: odmowa od razu w każdym kanale (sesje WWW kończą się)"
    )
    p.add_argument("login", help="login osoby")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_enable, enabled=False)
    p = usub.add_parser("enable", help="odblokuj osobę")
    p.add_argument("login", help="login osoby")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_enable, enabled=True)
    p = usub.add_parser("tokens", help="tokeny API osoby: lista, --revoke ID albo --all")
    p.add_argument("login", help="login osoby")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--revoke", metavar="ID", help="unieważnij token o tym identyfikatorze")
    group.add_argument("--all", action="store_true", help="unieważnij wszystkie tokeny osoby")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_tokens)
    p = usub.add_parser("link-code", help="jednorazowy kod (24 h) do powiązania konta Telegram")
    p.add_argument("login", help="login osoby")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_link_code)

    offices = sub.add_parser("offices", help="rejestr urzędów (JST)")
    osub = offices.add_subparsers(dest="offices_command", metavar="ACTION", parser_class=sub._parser_class)
    osub.required = True
    offices_cli.register(osub)  # import (with profile columns), show, rollout, attendance
    p = osub.add_parser("list", help="wypisz urzędy")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_offices_list)
    calendars.register(osub)


def _roles() -> list[Any]:
    from helpdesk.lifecycle import Role

    return list(Role)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"oczekiwano liczby całkowitej co najmniej 1 (jest '{value}')")
    return int(value)


def _telegram_id(value: str) -> int:
    if not value.lstrip("-").isdigit():
        raise argparse.ArgumentTypeError(f"identyfikator Telegram musi być liczbą (jest '{value}')")
    return int(value)


def cmd_init(args: argparse.Namespace, ctx: CliContext) -> int:
    """Create or migrate the schema; with --demo add the demo data (once)."""
    container = ctx.container(schema_required=False)
    container.migrate()
    summary: dict[str, Any] = {"database": "ok"}
    if args.demo:
        from helpdesk.demo import load_demo

        summary["demo"] = load_demo(container)
    if args.json:
        emit_json(summary)
    else:
        print("Baza danych gotowa.")
        if args.demo:
            demo = summary["demo"]
            print(
                "Dane pokazowe: "
                + (
                    "już były wczytane."
                    if demo.get("skipped")
                    else f"{plural_pl(demo['offices'], 'urząd', 'urzędy', 'urzędów')}, "
                    f"{plural_pl(demo['people'], 'osoba', 'osoby', 'osób')}, "
                    f"{plural_pl(demo['articles'], 'artykuł', 'artykuły', 'artykułów')}, "
                    f"{plural_pl(demo['tickets'], 'zgłoszenie', 'zgłoszenia', 'zgłoszeń')}."
                )
            )
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace, ctx: CliContext) -> int:
    """Apply the schema migrations under the migration lock."""
    container = ctx.container(schema_required=False)
    before, _head = container.schema_state()
    container.migrate()
    after, _head = container.schema_state()
    if args.json:
        emit_json({"from": before, "to": after, "changed": before != after})
    elif before == after:
        print(f"Schemat bazy jest aktualny ({after}).")
    else:
        print(f"Schemat bazy zaktualizowany: {before or 'pusta baza'} → {after}.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run the server (or, with --workers N > 1, N worker processes) until SIGINT/SIGTERM.

    The schema must be migrated already (`helpdesk migrate` or `helpdesk init`): serve never
    migrates, so several workers starting at once never race on a migration.
    """
    from helpdesk.lifecycle import Role
    from helpdesk.server import serve, supervise

    role = Role(args.role)
    workers = args.workers or ctx.settings.workers
    if workers > 1:
        # The supervisor only checks the schema and starts the workers: no container of its own.
        from helpdesk.bootstrap import check_schema_at

        if role is Role.SINGLETONS:
            raise InvalidInput("--workers dotyczy procesów WWW/API; rola singletons działa w jednym procesie")
        check_schema_at(ctx.settings.database_url)
        return supervise(ctx.settings, workers, role)
    return serve(ctx.container(), role, reuse_port=args.reuse_port)  # the container checks the schema


def cmd_users_add(args: argparse.Namespace, ctx: CliContext) -> int:
    """Register a person."""
    c = ctx.container()
    person = c.people.add_person(
        login=args.login,
        name=args.name,
        role=args.role,
        now=c.clock.now(),
        jst=args.jst,
        contractor=args.contractor,
        email=args.email,
        telegram_id=args.telegram_id,
    )
    if args.json:
        emit_json(
            {
                "id": person.id,
                "login": person.login,
                "name": person.name,
                "role": person.role.value,
                "jst": person.jst,
                "contractor": person.contractor,
                "email": person.email,
                "telegram_id": person.telegram_id,
            }
        )
    else:
        print(f"Dodano: {person.login} ({person.name}, {person.role.value})")
    return EXIT_OK


def cmd_users_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import people from a CSV file, all lines or none (services/people_import.py)."""
    from helpdesk.services.people import MAX_CSV_BYTES
    from helpdesk.services.people_import import import_people, summary_pl

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise TooLarge(f"{path}: plik CSV jest za duży (limit 5 MB)")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(f"{path}: nie można odczytać pliku ({describe_os_error(err)})") from err
    c = ctx.container()
    try:
        result = import_people(c.db, c.people.contractors, text, c.clock.now())
    except InvalidInput as err:
        raise InvalidInput(f"{path}: {err}") from err
    emit_json(result.as_dict()) if args.json else print(summary_pl(result))
    return EXIT_OK


def cmd_users_token(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print a new API token."""
    c = ctx.container()
    token = c.people.issue_token(args.login, c.clock.now())
    emit_json({"login": args.login, "token": token}) if args.json else print(token)
    return EXIT_OK


def cmd_users_enable(args: argparse.Namespace, ctx: CliContext) -> int:
    """Disable or enable a person."""
    person, ended = ctx.container().people.set_enabled(args.login, args.enabled)
    if args.json:
        emit_json({"login": person.login, "active": args.enabled, "sessions_ended": ended})
    elif args.enabled:
        print(f"Odblokowano: {person.login}")
    else:
        print(
            f"Zablokowano: {person.login} (zakończone sesje WWW: {ended}; tokeny API odrzucane do odblokowania)"
        )
    return EXIT_OK


def cmd_users_tokens(args: argparse.Namespace, ctx: CliContext) -> int:
    """List a person's API tokens, or revoke one (--revoke ID) or all (--all)."""
    c = ctx.container()
    if args.revoke or args.all:
        revoked = c.people.revoke_tokens(args.login, None if args.all else args.revoke)
        emit_json({"login": args.login, "revoked": revoked}) if args.json else print(
            f"Unieważniono tokenów: {revoked}"
        )
        return EXIT_OK
    tz = c.settings.tz
    now = c.clock.now()

    def when(value: Any) -> str | None:
        return value.astimezone(tz).isoformat(timespec="seconds") if value else None

    tokens = c.people.tokens(args.login)
    for token in tokens:
        item = {
            "id": token.short_id,
            "created": when(token.created_at),
            "expires": when(token.expires_at),
            "last_used": when(token.last_used_at),
            "expired": bool(token.expires_at and token.expires_at <= now),
        }
        if args.json:
            emit_json(item)
        else:
            state = " (wygasł)" if item["expired"] else ""
            print(
                f"{item['id']}\tutworzony {item['created']}\twygasa {item['expires'] or 'nigdy'}{state}\t"
                f"ostatnio użyty {item['last_used'] or 'nigdy'}"
            )
    if not tokens and not args.json:
        print(f"{args.login}: brak tokenów API")
    return EXIT_OK


def cmd_users_password(args: argparse.Namespace, ctx: CliContext) -> int:
    """Set the web password from the first line of stdin."""
    line = sys.stdin.readline()
    if not line:
        raise InvalidInput("podaj hasło w pierwszej linii wejścia standardowego")
    ctx.container().people.set_password(args.login, line.rstrip("\r\n"))
    emit_json({"login": args.login, "password": "set"}) if args.json else print("Hasło ustawione.")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List people (JSON Lines with --json), blocked ones marked."""
    from helpdesk.domain.roles import ROLE_LABELS_PL
    from helpdesk.services.people_export import person_record

    people = ctx.container().people.list_people(args.office, args.role)
    for person, active in people:
        if args.json:
            emit_json(person_record(person, active))
            continue
        where = person.jst or person.contractor or "—"
        channels = ", ".join(
            c for c, on in (("e-mail", person.email), ("Telegram", person.telegram_id)) if on
        )
        blocked = "" if active else "  [zablokowana]"
        print(
            f"{person.login:<24} {person.name:<28} {ROLE_LABELS_PL[person.role]:<34} {where:<16} {channels}{blocked}"
        )
    if not args.json:
        print(plural_pl(len(people), "osoba", "osoby", "osób") + ".")
    return EXIT_OK


def cmd_users_link_code(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print a one-time Telegram link code."""
    c = ctx.container()
    code = c.people.issue_link_code(args.login, c.clock.now())
    emit_json({"login": args.login, "code": code, "valid_hours": 24}) if args.json else print(code)
    return EXIT_OK


def cmd_offices_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List the registry (JSON Lines with --json)."""
    for office in ctx.container().people.list_offices():
        if args.json:
            emit_json(
                {
                    "code": office.code,
                    "name": office.name,
                    "type": office.type.value,
                    "employees": office.employees,
                    "components": list(office.components),
                    "leaders_max": office.leaders_max,
                }
            )
        else:
            print(f"{office.code}\t{office.name}\t{office.type.value}\t{';'.join(office.components)}")
    return EXIT_OK

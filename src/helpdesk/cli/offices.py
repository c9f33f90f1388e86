"""`helpdesk offices …` beyond the registry list: an office's profile (`show`), the offices CSV with
its optional profile columns (`import`), the regional plan (`rollout`) and attendance lists
(`attendance`). The operator at the console acts as an admin unless `--as LOGIN` names a person,
whose role then decides, as on the web.
"""

import argparse
import sys
from pathlib import Path
from typing import Any

from helpdesk.cli import EXIT_OK, CliContext, emit_json
from helpdesk.domain.errors import InvalidInput, describe_os_error

OPERATOR_LOGIN = "cli"


def register(osub: Any) -> None:
    """Add `show`, `import`, `rollout` and `attendance` to the `offices` group."""
    p = osub.add_parser("import", help="importuj rejestr z pliku CSV (z opcjonalnymi kolumnami profilu)")
    p.add_argument("file", help="plik CSV rejestru urzędów")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)
    p = osub.add_parser(
        "show", help="profil urzędu: osoby, zakres, kalendarz, plan wdrożenia, szkolenia, braki"
    )
    p.add_argument("code", help="kod TERYT urzędu")
    p.add_argument("--as", dest="as_login", metavar="LOGIN", help="działaj jako ta osoba")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
    p = osub.add_parser("rollout", help="regionalny harmonogram wdrożenia (json, csv, xlsx)")
    p.add_argument(
        "--format", choices=("json", "csv", "xlsx"), default="json", help="format wyniku (domyślnie json)"
    )
    p.add_argument("--out", help="plik wynikowy (domyślnie standardowe wyjście; xlsx wymaga --out)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rollout)
    p = osub.add_parser("attendance", help="importuj listę obecności ze szkolenia (CSV: training,login)")
    p.add_argument("file", help="plik CSV listy obecności (training,login)")
    p.add_argument("--as", dest="as_login", metavar="LOGIN", help="działaj jako ta osoba")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_attendance)


def _actor(ctx: CliContext, login: str | None) -> Any:
    from helpdesk.domain.people import Person
    from helpdesk.domain.roles import Role

    if login is None:
        return Person(id=0, login=OPERATOR_LOGIN, name="operator (wiersz poleceń)", role=Role.ADMIN)
    return ctx.container().people.person(login.strip())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InvalidInput(f"{path}: nie można odczytać pliku ({describe_os_error(err)})") from err
    except UnicodeDecodeError as err:
        raise InvalidInput(f"{path}: plik nie jest zapisany w UTF-8") from err


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import the JST registry CSV; profile columns, where present, fill the offices' profiles."""
    from helpdesk.services.rollout.files import parse_offices_csv

    path = Path(args.file)
    try:
        lines = parse_offices_csv(_read(path))
    except InvalidInput as err:
        raise InvalidInput(f"{path}: {err}") from err
    added, updated, profiles = ctx.container().rollout.import_offices(lines, _actor(ctx, None))
    if args.json:
        emit_json({"added": added, "updated": updated, "profiles": profiles})
    else:
        extra = f", profili: {profiles}" if profiles else ""
        print(f"Zaimportowano urzędy: {added} nowych, {updated} zaktualizowanych{extra}.")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """One office's profile (JSON with --json)."""
    o = ctx.container().rollout.office(_actor(ctx, args.as_login), args.code.strip())
    if args.json:
        emit_json(o)
        return EXIT_OK
    print(f"{o['name']} ({o['code']}) — {o['type_label']}, {o['employees']} pracowników")
    print(f"Etap wdrożenia: {o['stage_label']}")
    print(f"Zakres: {', '.join(c['code'] for c in o['scope']['core'])}")
    systems = ", ".join(f"{s['name']} (wsparcie: {s['supporter']})" for s in o["scope"]["systems"])
    print(f"Systemy dziedzinowe: {systems or '—'}")
    print(f"Stan informatyzacji: {o['computerisation_label'] or 'nie opisano'}")
    print(f"Potrzeby: {', '.join(n['label'] for n in o['needs']) or '—'}")
    cal = o["calendar"] or {}
    print(f"Kalendarz: {' '.join(cal.get('days') or [])} {'–'.join(cal.get('hours') or [])}")
    people = o["people"]
    rep = people["representative"]
    print("Przedstawiciel: " + (_who(rep) if rep else "BRAK"))
    for leader in people["leaders"]:
        print("Lider: " + _who(leader))
    if not people["leaders"]:
        print("Lider: BRAK")
    print("Plan wdrożenia:")
    for m in o["milestones"]:
        delay = (
            f", opóźnienie {m['delay_days']} dni (urząd {m['office_days']}, Wykonawca {m['contractor_days']})"
            if m["delay_days"]
            else ""
        )
        waits = f" — {m['who_waits']}" if m["who_waits"] else ""
        print(
            f"  {m['label']}: plan {m['planned'] or '—'}, wykonano {m['done'] or '—'}, {m['status_label']}{delay}{waits}"
        )
    if not o["milestones"]:
        print("  (brak planu)")
    training = o["training"]
    print("Szkolenia liderów:")
    for c in training["coverage"]:
        print(f"  {c['component']}: przeszkolonych {c['trained']} z {c['leaders']}")
    print(
        f"Prezentacja dla użytkowników: {training['officials_presented']} z {training['officials']} urzędników"
    )
    back = o["knowledge_back"]
    print(
        f"Wiedza wracająca: artykułów ze zgłoszeń {back['articles_learned']}, "
        f"zgłoszeń rozwiązanych przez liderów {back['resolved_total']}"
    )
    if o["missing"]:
        print("Brakuje:")
        for item in o["missing"]:
            print(f"  - {item}")
    else:
        print("Profil kompletny.")
    return EXIT_OK


def _who(p: dict[str, Any]) -> str:
    standin = f", zastępca: {p['standin']['name']}" if p["standin"] else ", bez zastępcy"
    return f"{p['name']} ({p['login']}){standin}"


def cmd_rollout(args: argparse.Namespace, ctx: CliContext) -> int:
    """The regional plan as JSON, CSV or XLSX."""
    import json

    from helpdesk.services.rollout.files import schedule_csv, schedule_xlsx

    plan = ctx.container().rollout.rollout(_actor(ctx, None))
    if args.format == "xlsx" and not args.out:
        raise InvalidInput("format xlsx wymaga --out PLIK")
    if args.format == "json":
        body = (json.dumps(plan, ensure_ascii=False) + "\n").encode("utf-8")
    else:
        body = schedule_csv(plan) if args.format == "csv" else schedule_xlsx(plan)
    if args.out:
        try:
            Path(args.out).write_bytes(body)
        except OSError as err:
            raise InvalidInput(f"{args.out}: nie można zapisać pliku ({describe_os_error(err)})") from err
        if args.json:
            emit_json({"out": args.out, "bytes": len(body)})
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return EXIT_OK


def cmd_attendance(args: argparse.Namespace, ctx: CliContext) -> int:
    """Import an attendance list; all lines or none."""
    path = Path(args.file)
    try:
        result = ctx.container().rollout.import_attendance(_actor(ctx, args.as_login), _read(path))
    except InvalidInput as err:
        raise InvalidInput(f"{path}: {err}") from err
    if args.json:
        emit_json(result)
        return EXIT_OK
    print(f"Zapisano obecność: {result['added']} nowych, {result['already']} już zapisanych.")
    for t in result["trained_now"]:
        print(f"  {t['login']} ({t['office']}) przeszkolony z {t['component']} od {t['on']}")
    return EXIT_OK

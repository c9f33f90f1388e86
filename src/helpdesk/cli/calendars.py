"""`helpdesk offices calendar …`: an office's working calendar and first-line targets.

`show CODE` prints what applies to the office; `set CODE FILE.yaml` sets it from a file with the
keys of an office file (`calendar`, `first_line`); `import FILE.csv` sets many offices at once
(header `office,timezone,days,hours,holidays,closed,open`; lists `;`-separated, hours
`08:00-16:00`; all rows or none). Changes are written to `HELPDESK_SLA_DIR/offices/` and logged in
the hash-chained log (services/office_calendars.py).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from helpdesk.cli import EXIT_OK, CliContext, emit_json
from helpdesk.domain.errors import InvalidInput, describe_os_error


def register(osub: Any) -> None:
    """Add `calendar show|set|import` under `helpdesk offices`."""
    calendar = osub.add_parser("calendar", help="kalendarz pracy urzędu i cele pierwszej linii")
    csub = calendar.add_subparsers(dest="calendar_command", metavar="ACTION", parser_class=osub._parser_class)
    csub.required = True
    p = csub.add_parser("show", help="pokaż kalendarz urzędu")
    p.add_argument("code", help="kod TERYT urzędu")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
    p = csub.add_parser("set", help="ustaw kalendarz urzędu z pliku YAML (klucze calendar, first_line)")
    p.add_argument("code", help="kod TERYT urzędu")
    p.add_argument("file", help="plik YAML (klucze calendar, first_line)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_set)
    p = csub.add_parser("import", help="ustaw kalendarze wielu urzędów z pliku CSV")
    p.add_argument("file", help="plik CSV z kalendarzami urzędów")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InvalidInput(f"{path}: nie można odczytać pliku ({describe_os_error(err)})") from err
    except UnicodeDecodeError as err:
        raise InvalidInput(f"{path}: plik nie jest zapisany w UTF-8") from err


def _print(shown: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(shown)
        return
    cal = shown.get("calendar")
    if not cal:
        print(f"Urząd {shown['office']}: brak kalendarza — pon.–pt. 8:00–16:00, święta PL")
        return
    print(f"Urząd {shown['office']}: {'własny kalendarz' if shown['own'] else 'kalendarz domyślny'}")
    print(f"  dni: {', '.join(cal.get('days', []))}; godziny: {' – '.join(cal.get('hours', []))}")
    print(f"  święta: {cal.get('holidays', '—')}; dni wolne: {', '.join(cal.get('closed') or []) or '—'}")
    print(f"  dni pracujące: {', '.join(cal.get('open') or []) or '—'}")
    for priority, targets in shown["first_line"].items():
        print(f"  {priority}: " + ", ".join(f"{k} {v}" for k, v in targets.items()))


def cmd_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the office's calendar and targets."""
    _print(ctx.container().office_calendars.show(args.code), args.json)
    return EXIT_OK


def cmd_set(args: argparse.Namespace, ctx: CliContext) -> int:
    """Set one office's calendar from a YAML (or JSON) file, as the operator (no person)."""
    path = Path(args.file)
    try:
        data = yaml.safe_load(_read(path))
    except yaml.YAMLError as err:
        raise InvalidInput(f"{path}: niepoprawny YAML") from err
    container = ctx.container()
    service = container.office_calendars
    shown = service.update_as_operator(args.code, json.loads(json.dumps(data, default=str)))
    _print(shown, args.json)
    return EXIT_OK


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Set the calendars of every office of the CSV file."""
    path = Path(args.file)
    try:
        codes = ctx.container().office_calendars.import_csv(None, _read(path))
    except InvalidInput as err:
        raise InvalidInput(f"{path}: {err}") from err
    if args.json:
        emit_json({"offices": codes})
    else:
        print(f"Ustawiono kalendarze urzędów: {len(codes)} ({', '.join(codes)}).")
    return EXIT_OK

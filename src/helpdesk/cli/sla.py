"""`helpdesk sla …` commands: `sla replay` recomputes the SLA from an event log (services/sla/replay.py)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpdesk.cli import EXIT_OK
from helpdesk.domain.errors import InvalidInput, describe_os_error


def register(sub: Any) -> None:
    """Add the `sla` command group."""
    parser: argparse.ArgumentParser = sub.add_parser("sla", help="SLA: odtworzenie z dziennika zdarzeń")
    group = parser.add_subparsers(dest="sla_command", metavar="SUBCOMMAND")
    group.required = True
    replay = group.add_parser(
        "replay",
        help="przelicz SLA z dziennika zdarzeń (JSON Lines), bez bazy danych",
        description="Przelicza zegary SLA z dziennika zdarzeń, jak zrobiłby to audytor.",
    )
    replay.add_argument(
        "events", metavar="EVENTS.jsonl", help="dziennik zdarzeń; '-' czyta standardowe wejście"
    )
    replay.add_argument(
        "--contracts",
        required=True,
        metavar="DIR",
        help="katalog SLA (z podkatalogiem contracts/) albo sam katalog umów",
    )
    replay.add_argument(
        "--offices",
        metavar="DIR",
        help="kalendarze urzędów (*.yaml); domyślnie katalog offices/ obok katalogu umów, "
        "a domyślne cele pierwszej linii z first_line.yaml obok niego",
    )
    replay.add_argument(
        "--as-of",
        dest="as_of",
        metavar="ISO8601",
        help="chwila, do której liczą się zegary (domyślnie: teraz)",
    )
    replay.add_argument("--json", action="store_true", help="wynik jako JSON Lines (jedyny format)")
    replay.set_defaults(func=replay_command)


def parse_as_of(value: str | None) -> datetime:
    """The --as-of instant (a date alone means its midnight UTC); default now. Reads the clock."""
    if value is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"--as-of: niepoprawny czas '{value}' (oczekiwano ISO 8601, np. 2027-03-05T12:00:00+01:00)"
        ) from None
    if at.tzinfo is None:
        raise InvalidInput(f"--as-of: czas '{value}' bez strefy czasowej (dodaj np. +01:00 albo Z)")
    return at


def _contracts_dir(value: str) -> Path:
    # Accept the SLA directory (sla/, as the repository lays it out) as well as the folder of YAML files.
    path = Path(value)
    if not path.is_dir():
        raise InvalidInput(f"--contracts: brak katalogu '{value}'")
    if (path / "contracts").is_dir():
        return path / "contracts"
    return path


def replay_command(args: argparse.Namespace, ctx: Any) -> int:
    """Print one JSON line per escalated ticket of the log."""
    from helpdesk.adapters.files.contracts import load_contract_dir
    from helpdesk.adapters.files.office_calendar import FIRST_LINE_FILE, OFFICES_DIR, load_office_book
    from helpdesk.services.sla.replay import replay

    as_of = parse_as_of(args.as_of)
    folder = _contracts_dir(args.contracts)
    contracts = load_contract_dir(folder)
    if args.offices is not None:
        offices_dir = Path(args.offices)
        if not offices_dir.is_dir():
            raise InvalidInput(f"--offices: brak katalogu '{args.offices}'")
    else:
        offices_dir = folder.parent / OFFICES_DIR
    offices = load_office_book(offices_dir, offices_dir.parent / FIRST_LINE_FILE)
    if args.events == "-":
        results = list(replay(sys.stdin, contracts, as_of, offices))
    else:
        path = Path(args.events)
        try:
            with path.open(encoding="utf-8") as handle:
                results = list(replay(handle, contracts, as_of, offices))
        except OSError as err:
            raise InvalidInput(f"nie można odczytać '{args.events}': {describe_os_error(err)}") from err
        except UnicodeDecodeError as err:
            raise InvalidInput(f"'{args.events}': plik nie jest w UTF-8") from err
    # One reusable encoder and buffered writes: emit_json per line would cost a second on
    # 100,000 tickets. Same format as emit_json (UTF-8 kept, default separators).
    encode = json.JSONEncoder(ensure_ascii=False).encode
    write = sys.stdout.write
    chunk: list[str] = []
    for result in results:
        chunk.append(encode(result))
        if len(chunk) >= 1000:
            write("\n".join(chunk) + "\n")
            chunk.clear()
    if chunk:
        write("\n".join(chunk) + "\n")
    sys.stdout.flush()
    return EXIT_OK

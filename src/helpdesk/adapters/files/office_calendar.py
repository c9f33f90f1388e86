"""Office calendars and first-line targets as files: `<sla_dir>/offices/*.yaml` and
`<sla_dir>/first_line.yaml` (the defaults), read by the server, the CLI and `helpdesk sla replay`.

The files are the one model: a calendar set on the web, the API, the CLI or by a CSV import is
written back here (services/office_calendars.py), and the change is also an event in the
hash-chained log, so `helpdesk audit export` plus the SLA directory is all an auditor needs.
Without any file, offices work Mon–Fri 08:00–16:00 with Polish holidays (`fallback_terms`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from helpdesk.adapters.files.contracts import ContractFileError, holiday_provider
from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.office_terms import (
    DEFAULT_OFFICE,
    OfficeBook,
    OfficeTerms,
    build_office_terms,
)

FIRST_LINE_FILE = "first_line.yaml"
OFFICES_DIR = "offices"


def office_calendar(timezone: str) -> BusinessCalendar:
    """Working time of a Polish office in `timezone` when no file says otherwise."""
    return BusinessCalendar(
        timezone=timezone,
        weekdays=frozenset(range(5)),
        start_minute=8 * 60,
        end_minute=16 * 60,
        holidays=holiday_provider("PL"),
        name="urząd",
    )


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ContractFileError(f"{path}: nie można odczytać pliku ({err})") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (wiersz {mark.line + 1})" if mark is not None else ""
        raise ContractFileError(f"{path}: niepoprawny YAML{where}") from err


def load_default_terms(first_line: Path) -> OfficeTerms | None:
    """`first_line.yaml`, or None when there is none."""
    if not first_line.is_file():
        return None
    data = _read(first_line)
    try:
        terms = build_office_terms(data, holiday_provider, is_default=True)
    except InvalidInput as err:
        raise ContractFileError(f"{first_line}: {err}") from err
    return OfficeTerms(DEFAULT_OFFICE, terms.calendar, terms.first_line, False, terms.raw)


def load_office_book(offices_dir: Path, first_line: Path | None = None) -> OfficeBook:
    """Every office file of `offices_dir` and the defaults; a bad file names itself and the field."""
    default = load_default_terms(
        first_line if first_line is not None else offices_dir.parent / FIRST_LINE_FILE
    )
    offices: dict[str, OfficeTerms] = {}
    if offices_dir.is_dir():
        for path in sorted(offices_dir.glob("*.yaml")):
            data = _read(path)
            try:
                terms = build_office_terms(data, holiday_provider, default=default)
            except InvalidInput as err:
                raise ContractFileError(f"{path}: {err}") from err
            if terms.office in offices:
                raise ContractFileError(f"{path}: office: urząd {terms.office} ma już swój plik")
            offices[terms.office] = terms
    return OfficeBook(offices, default)


def load_sla_offices(sla_dir: Path) -> OfficeBook:
    """The office book of an SLA directory (`offices/` and `first_line.yaml` inside it)."""
    return load_office_book(sla_dir / OFFICES_DIR, sla_dir / FIRST_LINE_FILE)


def check_office_file(data: Mapping[str, Any], default: OfficeTerms | None) -> OfficeTerms:
    """Validate an office's mapping as its file would hold it (InvalidInput names the field)."""
    return build_office_terms(data, holiday_provider, default=default)


def office_yaml(data: Mapping[str, Any]) -> str:
    """The YAML text of an office file (block style, keys in the order given, UTF-8 kept)."""
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, default_flow_style=None)


def write_office_file(sla_dir: Path, code: str, text: str) -> Path:
    """Write `offices/<code>.yaml` atomically (a reader never sees half a file)."""
    folder = sla_dir / OFFICES_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{code}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, folder / f"{code}.yaml")
    except OSError as err:
        raise InvalidInput(f"nie można zapisać kalendarza urzędu {code} w {folder}: {err.strerror}") from err
    return folder / f"{code}.yaml"

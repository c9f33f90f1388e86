"""Office calendars and first-line targets as files: `<sla_dir>/offices/*.yaml` and
`<sla_dir>/first_line.yaml` (the defaults), read by the server, the CLI and `helpdesk sla replay`.

The files are the one model: a calendar set on the web, the API, the CLI or by a CSV import is
written back here (services/office_calendars.py), and the change is also an event in the
hash-chained log, so `helpdesk audit export` plus the SLA directory is all an auditor needs.
Without any file, offices work Mon–Fri 08:00–16:00 with Polish holidays (`fallback_terms`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from helpdesk.adapters.files.contracts import ContractFileError, holiday_provider
from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.errors import InvalidInput, describe_os_error
from helpdesk.domain.office_terms import (
    DEFAULT_OFFICE,
    OfficeBook,
    OfficeTerms,
    build_office_terms,
)

log = logging.getLogger(__name__)

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
        raise ContractFileError(f"{path}: nie można odczytać pliku ({describe_os_error(err)})") from err
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
        raise InvalidInput(
            f"nie można zapisać kalendarza urzędu {code} w {folder}: {describe_os_error(err)}"
        ) from err
    return folder / f"{code}.yaml"


class OfficeFiles:
    """The office terms of an SLA directory, re-read when a file there changes.

    Every worker process reads the same files; a change written by one of them (or by hand) is
    seen by the others at their next look, at most `recheck_s` later.
    """

    def __init__(self, sla_dir: Path, *, recheck_s: float = 2.0) -> None:
        self.sla_dir = sla_dir
        self.recheck_s = recheck_s
        self._book = load_sla_offices(sla_dir)
        self._stamp = self._fingerprint()
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def _fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        paths = [self.sla_dir / FIRST_LINE_FILE]
        folder = self.sla_dir / OFFICES_DIR
        if folder.is_dir():
            paths += sorted(folder.glob("*.yaml"))
        out = []
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((path.name, st.st_mtime_ns, st.st_size))
        return tuple(out)

    def book(self) -> OfficeBook:
        """The current office terms; a file broken by hand keeps the last good ones (and logs it)."""
        now = time.monotonic()
        if now - self._checked < self.recheck_s:
            return self._book
        with self._lock:
            self._checked = now
            stamp = self._fingerprint()
            if stamp != self._stamp:
                try:
                    self._book = load_sla_offices(self.sla_dir)
                except InvalidInput as err:
                    log.error("office calendars not reloaded, keeping the previous ones: %s", err)
                self._stamp = stamp
        return self._book

    def reload(self) -> OfficeBook:
        """Read the files now (after this process wrote one)."""
        with self._lock:
            self._book = load_sla_offices(self.sla_dir)
            self._stamp = self._fingerprint()
            self._checked = time.monotonic()
        return self._book

    def current_text(self, code: str) -> str | None:
        """The text of the office's own file, or None."""
        path = self.sla_dir / OFFICES_DIR / f"{code}.yaml"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def check(self, data: Mapping[str, Any]) -> OfficeTerms:
        """Validate an office's mapping against the current defaults."""
        return check_office_file(data, self.book().default)

    def write(self, code: str, data: Mapping[str, Any]) -> str:
        """Write the office's file and re-read; returns the text written."""
        text = office_yaml(data)
        write_office_file(self.sla_dir, code, text)
        self.reload()
        return text

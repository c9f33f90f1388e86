"""Office calendars and first-line targets as people set them: the API, the CLI, a CSV import, the web.

The model is the office files of the SLA directory (`offices/<code>.yaml`; README, "SLA over the
life of a contract"): `helpdesk sla replay` reads exactly them. Every change writes the file and
appends an `office_calendar_changed` event to the hash-chained log (ticket `T-000000`) with the
whole new file text and its SHA-256, in one transaction: if the file cannot be written nothing is
logged, so `helpdesk audit export` shows every version a calendar ever had, and the file an
auditor is given can be checked against the last of them.

Who may change one: the office's representative (own office only), coordinators and admins.
Everyone signed in may read them (working hours are not a secret).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any

from helpdesk.domain.calendar import WEEKDAY_NAMES
from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.office_terms import OfficeTerms, office_code
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.services.ports import Clock, Database, LogRepo, OfficeFileStore

OFFICE_CALENDAR_CHANGED = "office_calendar_changed"
EDIT_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
CSV_HEADER = ("office", "timezone", "days", "hours", "holidays", "closed", "open")
MAX_CSV_ROWS = 5000


def _plain(value: Any) -> Any:
    """A YAML value as JSON can carry it (dates as ISO text)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _minutes(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def may_edit(person: Person, code: str) -> bool:
    """The representative of the office itself, a coordinator or an admin."""
    if person.role in EDIT_ROLES:
        return True
    return person.role is Role.REPRESENTATIVE and person.jst == code


class OfficeCalendars:
    """Reading and setting office calendars (services.ports.OfficeFileStore keeps the files)."""

    def __init__(self, db: Database[LogRepo], clock: Clock, files: OfficeFileStore, tz: tzinfo) -> None:
        self.db = db
        self.clock = clock
        self.files = files
        self.tz = tz  # events carry the people's time zone, as every other event does

    # --- reading ------------------------------------------------------------------------
    def show(self, code: Any) -> dict[str, Any]:
        """The office's calendar and targets as they apply: its own file, or the defaults."""
        code = office_code(code)
        if self.db.read(lambda tx: tx.get_office(code)) is None:
            raise InvalidInput(f"nieznany urząd '{code}'")
        book = self.files.book()
        own = book.own(code)
        terms = own or book.default
        out: dict[str, Any] = {"office": code, "own": own is not None, "file": None}
        if terms is None:
            out.update(calendar=None, first_line={})
            return out
        raw = terms.raw or {}
        out["calendar"] = _plain(raw.get("calendar"))
        out["first_line"] = {
            priority: {name: _minutes(seconds) for name, seconds in targets.items()}
            for priority, targets in terms.first_line.items()
        }
        out["file"] = f"offices/{code}.yaml" if own is not None else "first_line.yaml"
        return out

    # --- writing ------------------------------------------------------------------------
    def update(self, actor: Person, code: Any, body: Any) -> dict[str, Any]:
        """Set the office's calendar (and, if given, its first-line targets) from a JSON body."""
        code = office_code(code)
        if not may_edit(actor, code):
            raise Forbidden("kalendarz urzędu może zmienić jego przedstawiciel albo koordynator")
        return self._update(actor, code, body)

    def update_as_operator(self, code: Any, body: Any) -> dict[str, Any]:
        """The same from the command line (the operator of the server; no person is named)."""
        return self._update(None, office_code(code), body)

    def _update(self, actor: Person | None, code: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise InvalidInput("oczekiwano obiektu JSON z polami calendar i first_line")
        unknown = set(body) - {"office", "calendar", "first_line"}
        if unknown:
            raise InvalidInput(f"{sorted(map(str, unknown))[0]}: nieznane pole")
        if body.get("office") is not None and str(body["office"]) != code:
            raise InvalidInput(f"office: kod {body['office']} nie zgadza się z adresem ({code})")
        data: dict[str, Any] = {"office": code, "calendar": body.get("calendar")}
        first_line = body["first_line"] if "first_line" in body else self._own_first_line(code)
        if first_line:
            data["first_line"] = first_line
        self._write(actor, {code: data})
        return self.show(code)

    def import_csv(self, actor: Person | None, text: str) -> list[str]:
        """Set the calendars of the CSV's offices (CSV_HEADER; lists `;`-separated, hours `08:00-16:00`).

        All or nothing: a bad row stops the import naming its line, and no file is changed.
        Each office keeps its first-line targets.
        """
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != list(CSV_HEADER):
            raise InvalidInput(f"nagłówek CSV musi brzmieć: {','.join(CSV_HEADER)}")
        changes: dict[str, dict[str, Any]] = {}
        for lineno, row in enumerate(reader, start=2):
            if lineno > MAX_CSV_ROWS + 1:
                raise InvalidInput(f"za dużo wierszy (limit {MAX_CSV_ROWS})")
            try:
                code, data = self._csv_row(row)
                if actor is not None and not may_edit(actor, code):
                    raise Forbidden(f"brak uprawnień do kalendarza urzędu {code}")
                if code in changes:
                    raise InvalidInput(f"urząd {code} występuje drugi raz")
                if not self._known(code):
                    raise InvalidInput(f"nieznany urząd '{code}'")
                self.files.check(_normalised(data))
            except InvalidInput as err:
                raise InvalidInput(f"wiersz {lineno}: {err}") from None
            changes[code] = data
        if not changes:
            raise InvalidInput("plik CSV nie zawiera żadnego urzędu")
        self._write(actor, changes)
        return sorted(changes)

    def _known(self, code: str) -> bool:
        return self.db.read(lambda tx: tx.get_office(code)) is not None

    def _csv_row(self, row: Mapping[str, str | None]) -> tuple[str, dict[str, Any]]:
        def cell(key: str) -> str:
            return (row.get(key) or "").strip()

        code = office_code(cell("office"))
        days = [d.strip().lower() for d in cell("days").split(";") if d.strip()]
        for day in days:
            if day not in WEEKDAY_NAMES:
                raise InvalidInput(f"days: nieznany dzień '{day}' (dozwolone: {', '.join(WEEKDAY_NAMES)})")
        start, sep, end = cell("hours").partition("-")
        if not sep:
            raise InvalidInput(f"hours: '{cell('hours')}' (oczekiwano np. 08:00-16:00)")
        calendar: dict[str, Any] = {
            "timezone": cell("timezone") or "Europe/Warsaw",
            "days": days,
            "hours": [start.strip(), end.strip()],
            "holidays": cell("holidays") or "PL",
            "closed": [d.strip() for d in cell("closed").split(";") if d.strip()],
            "open": [d.strip() for d in cell("open").split(";") if d.strip()],
        }
        data: dict[str, Any] = {"office": code, "calendar": calendar}
        first_line = self._own_first_line(code)
        if first_line:
            data["first_line"] = first_line
        return code, data

    def _own_first_line(self, code: str) -> dict[str, Any] | None:
        own = self.files.book().own(code)
        if own is None or own.raw is None:
            return None
        value = own.raw.get("first_line")
        return dict(value) if isinstance(value, Mapping) else None

    def _write(self, actor: Person | None, changes: Mapping[str, dict[str, Any]]) -> None:
        checked: dict[str, tuple[dict[str, Any], OfficeTerms]] = {}
        for code, data in changes.items():
            data = _normalised(data)
            checked[code] = (data, self.files.check(data))
        now = self.clock.now().astimezone(self.tz)
        login = actor.login if actor is not None else None

        def _do(tx: LogRepo) -> None:
            for code in checked:
                if tx.get_office(code) is None:
                    raise InvalidInput(f"nieznany urząd '{code}'")
            for code, (data, _terms) in checked.items():
                text = self.files.write(code, data)
                tx.append_log(
                    OFFICE_CALENDAR_CHANGED,
                    login,
                    now,
                    {
                        "office": code,
                        "file": f"offices/{code}.yaml",
                        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        "content": text,
                    },
                )

        self.db.write(_do)


def _normalised(data: Mapping[str, Any]) -> dict[str, Any]:
    """The office mapping with dates as dates and durations as text, in the file's key order."""
    out: dict[str, Any] = {"office": data["office"]}
    calendar = data.get("calendar")
    if isinstance(calendar, Mapping):
        calendar = dict(calendar)
        for key in ("closed", "open"):
            values = calendar.get(key)
            if isinstance(values, list):
                calendar[key] = [_as_date(v, f"calendar.{key}") for v in values]
    out["calendar"] = calendar
    if data.get("first_line") is not None:
        out["first_line"] = data["first_line"]
    return out


def _as_date(value: Any, path: str) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{path}: niepoprawna data '{value}' (oczekiwano RRRR-MM-DD)") from None
    return value

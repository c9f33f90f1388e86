"""The rollout's files: the offices CSV with its optional profile columns, attendance lists (CSV),
and the regional schedule as CSV or XLSX.

The offices CSV keeps its six columns in their order (`code,name,type,employees,components,
leaders_max`); a file may add, after them and in any order, the profile columns of
PROFILE_COLUMNS. A file with only the six columns imports exactly as before.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.offices import Office, make_office
from helpdesk.domain.rollout import parse_date

OFFICE_COLUMNS = ["code", "name", "type", "employees", "components", "leaders_max"]
PROFILE_COLUMNS = ("computerisation", "previous_system", "workstations", "needs", "notes")
ATTENDANCE_COLUMNS = ("training", "login")
ATTENDANCE_OPTIONAL = ("completed_on", "name")
MAX_CSV_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class OfficeLine:
    """One line of the offices CSV: the registry row and what it says of the profile (may be empty)."""

    office: Office
    profile: Mapping[str, str]


def _reader(data: str) -> tuple[list[str], Any]:
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput("plik CSV jest za duży (limit 5 MB)")
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise InvalidInput("plik CSV jest pusty")
    return [h.strip().lower() for h in header], reader


def parse_offices_csv(data: str) -> list[OfficeLine]:
    """The offices CSV: the six registry columns, then any optional profile columns; errors name the line."""
    header, reader = _reader(data)
    extra = header[len(OFFICE_COLUMNS) :]
    if header[: len(OFFICE_COLUMNS)] != OFFICE_COLUMNS or any(c not in PROFILE_COLUMNS for c in extra):
        raise InvalidInput(
            f"linia 1: oczekiwano nagłówka {','.join(OFFICE_COLUMNS)}"
            f" i ewentualnie kolumn profilu: {', '.join(PROFILE_COLUMNS)}"
        )
    if len(set(extra)) != len(extra):
        raise InvalidInput("linia 1: kolumna profilu powtarza się w nagłówku")
    out: list[OfficeLine] = []
    seen: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InvalidInput(f"linia {line_no}: oczekiwano {len(header)} pól, jest {len(row)}")
        try:
            office = make_office(*row[: len(OFFICE_COLUMNS)])
        except InvalidInput as err:
            raise InvalidInput(f"linia {line_no}: {err}") from err
        if office.code in seen:
            raise InvalidInput(f"linia {line_no}: kod {office.code} powtarza się w pliku")
        seen.add(office.code)
        profile = {k: v.strip() for k, v in zip(extra, row[len(OFFICE_COLUMNS) :], strict=True) if v.strip()}
        out.append(OfficeLine(office, profile))
    return out


@dataclass(frozen=True)
class AttendanceLine:
    """One line of an attendance list."""

    line: int
    training: str
    login: str
    completed_on: date | None


def parse_attendance_csv(data: str) -> list[AttendanceLine]:
    """An attendance list: `training,login` and optionally `completed_on` (default: the training's
    day) and `name` (ignored, for people reading the list); errors name the line."""
    header, reader = _reader(data)
    if any(c not in ATTENDANCE_COLUMNS + ATTENDANCE_OPTIONAL for c in header) or not set(
        ATTENDANCE_COLUMNS
    ) <= set(header):
        raise InvalidInput(
            "linia 1: oczekiwano nagłówka z kolumnami training,login (opcjonalnie completed_on i name)"
        )
    out: list[AttendanceLine] = []
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InvalidInput(f"linia {line_no}: oczekiwano {len(header)} pól, jest {len(row)}")
        values = dict(zip(header, (c.strip() for c in row), strict=True))
        if not values["training"] or not values["login"]:
            raise InvalidInput(f"linia {line_no}: puste pole training albo login")
        try:
            on = parse_date(values["completed_on"], "completed_on") if values.get("completed_on") else None
        except InvalidInput as err:
            raise InvalidInput(f"linia {line_no}: {err}") from err
        out.append(AttendanceLine(line_no, values["training"], values["login"], on))
    if not out:
        raise InvalidInput("lista obecności nie zawiera żadnej osoby")
    return out


SCHEDULE_HEADER = [
    "urząd",
    "kod",
    "kamień milowy",
    "planowany",
    "wykonany",
    "status",
    "opóźnienie (dni)",
    "po stronie urzędu (dni)",
    "po stronie Wykonawcy (dni)",
    "kto na kogo czeka",
    "powód oczekiwania",
]


def schedule_rows(plan: Mapping[str, Any]) -> list[list[Any]]:
    """The regional plan (RolloutService.rollout) as table rows, one per milestone."""
    rows: list[list[Any]] = []
    for office in plan["offices"]:
        for m in office["milestones"]:
            rows.append(
                [
                    office["name"],
                    office["code"],
                    m["label"],
                    m["planned"] or "",
                    m["done"] or "",
                    m["status_label"],
                    m["delay_days"],
                    m["office_days"],
                    m["contractor_days"],
                    m["who_waits"] or "",
                    "; ".join(w["reason_label"] for w in m["waits"] if w["end"] is None),
                ]
            )
    return rows


def schedule_csv(plan: Mapping[str, Any]) -> bytes:
    """The schedule as CSV (UTF-8 with BOM, so spreadsheets read the Polish letters)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SCHEDULE_HEADER)
    writer.writerows(schedule_rows(plan))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def schedule_xlsx(plan: Mapping[str, Any]) -> bytes:
    """The schedule as an XLSX workbook: the milestones, and a summary per office."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Harmonogram"
    _table(sheet, SCHEDULE_HEADER, schedule_rows(plan), Font)
    summary = book.create_sheet("Urzędy")
    header = ["urząd", "kod", "etap", "opóźnione", "opóźnienie urzędu (dni)", "opóźnienie Wykonawcy (dni)"]
    rows = [
        [o["name"], o["code"], o["stage_label"], o["late"], o["office_days"], o["contractor_days"]]
        for o in plan["offices"]
    ]
    _table(summary, header, rows, Font)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], font: Any) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = font(bold=True)
    for row in rows:
        sheet.append(list(row))

"""Bulk import of people from CSV: every line or none (`helpdesk users import`,
`POST /api/v1/people/import`, the people section of an office's page).

The file has the header `login,name,role,office,email,telegram_id` (UTF-8, with or without a BOM;
`,` or `;` between fields). A line with a new login registers a person under the same checks as
adding one person (services/people.py `check_admission`), its office's limits counted over the
database and the lines before it together; a known login with the same data is left unchanged, one
with another name or e-mail is updated (an empty e-mail keeps the stored one). A role, an office or
a Telegram account other than the stored one is refused: that is not a bulk change. Contractors'
agents, who need a contractor, are added one by one (`helpdesk users add`).

Whoever imports may only name the people they may manage (domain/people.py `can_manage`): a
representative only the officials and leaders of their own office. Every error names its line;
nothing is written when any line is wrong.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk.domain.errors import Forbidden, HelpdeskError, InvalidInput, TooLarge
from helpdesk.domain.inputs import ascii_int
from helpdesk.domain.people import (
    NewPerson,
    OfficeHints,
    Person,
    manages_anyone,
    new_person,
    require_manage,
)
from helpdesk.domain.roles import Role
from helpdesk.services.people import MAX_CSV_BYTES, check_admission, person_values
from helpdesk.services.ports import Database, PeopleRepo
from helpdesk.services.texts import plural_pl

HEADER = ("login", "name", "role", "office", "email", "telegram_id")
CSV_HINTS = OfficeHints(missing="kolumna office: kod TERYT urzędu", extra="zostaw puste pole office")
MAX_SHOWN = 10  # errors named in one message; the rest are counted


@dataclass(frozen=True)
class PersonLine:
    """One line of the file: its number and the person it describes (fields checked)."""

    line: int
    person: NewPerson


@dataclass(frozen=True)
class ImportResult:
    """What an import did, in numbers of people."""

    added: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        """The counts as the API and `--json` give them."""
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


class _Errors:
    """The errors of a file, each naming its line, raised together as one message."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, line: int, err: HelpdeskError | str) -> None:
        self.items.append(f"linia {line}: {err}")

    def raise_as(self, kind: type[HelpdeskError]) -> None:
        if not self.items:
            return
        shown = "; ".join(self.items[:MAX_SHOWN])
        rest = len(self.items) - MAX_SHOWN
        more = (
            f" (i {plural_pl(rest, 'kolejny błąd', 'kolejne błędy', 'kolejnych błędów')})" if rest > 0 else ""
        )
        raise kind(shown + more)


def _rows(data: str) -> tuple[list[str], Iterable[list[str]]]:
    """The header and the rows of the file; `;` is the delimiter when the header holds more of it."""
    if len(data.encode("utf-8", "surrogatepass")) > MAX_CSV_BYTES:
        raise TooLarge("plik CSV jest za duży (limit 5 MB)")
    text = data.lstrip("\ufeff")
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InvalidInput(f"linia 1: {err}") from err
    if header is None:
        raise InvalidInput("plik CSV jest pusty")
    return [h.strip().lower() for h in header], reader


def _line(row: list[str]) -> NewPerson:
    """The person one row describes (InvalidInput without the line number)."""
    if len(row) != len(HEADER):
        raise InvalidInput(f"oczekiwano {len(HEADER)} pól, jest {len(row)}")
    login, name, role, office, email, telegram = (cell.strip() for cell in row)
    person = new_person(
        login=login,
        name=name,
        role=role,
        jst=office or None,
        email=email or None,
        telegram_id=ascii_int(telegram, "telegram_id", minimum=1) if telegram else None,
    )
    if person.role is Role.AGENT:
        raise InvalidInput("konsultanta Wykonawcy dodaje się pojedynczo: helpdesk users add --contractor ID")
    return person


def parse_people_csv(data: str) -> list[PersonLine]:
    """The lines of a people file (header HEADER), every field checked; InvalidInput names each wrong
    line (a login given twice too), TooLarge over 5 MB."""
    header, reader = _rows(data)
    if header != list(HEADER):
        raise InvalidInput(f"linia 1: oczekiwano nagłówka {','.join(HEADER)}")
    errors = _Errors()
    lines: list[PersonLine] = []
    first_seen: dict[str, int] = {}
    line_no = 1
    try:
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            try:
                person = _line(row)
            except InvalidInput as err:
                errors.add(line_no, err)
                continue
            if person.login in first_seen:
                errors.add(
                    line_no, f"login '{person.login}' powtarza się w pliku (linia {first_seen[person.login]})"
                )
                continue
            first_seen[person.login] = line_no
            lines.append(PersonLine(line_no, person))
    except csv.Error as err:
        errors.add(line_no + 1, f"niepoprawny zapis CSV ({err})")
    errors.raise_as(InvalidInput)
    if not lines:
        raise InvalidInput("plik nie zawiera żadnej osoby")
    return lines


def check_rights(actor: Person | None, lines: Iterable[PersonLine]) -> None:
    """Forbidden, naming every line, unless `actor` may manage each person the file names (None: the
    operator at the console, who may import anyone)."""
    if actor is None:
        return
    errors = _Errors()
    for item in lines:
        try:
            require_manage(actor, item.person.role, item.person.jst)
        except Forbidden as err:
            where = f"urząd {item.person.jst}, " if item.person.jst else ""
            errors.add(item.line, f"{where}rola '{item.person.role.value}': {err}")
    errors.raise_as(Forbidden)


def _change(stored: Person, new: NewPerson) -> dict[str, Any] | None:
    """The update a line asks of a known person: None for none, InvalidInput for what import does not change."""
    if stored.role is not new.role or stored.jst != new.jst:
        raise InvalidInput(
            f"login '{stored.login}' ma już rolę '{stored.role.value}' w urzędzie {stored.jst or '—'}; "
            "import nie zmienia roli ani urzędu"
        )
    if new.telegram_id is not None and new.telegram_id != stored.telegram_id:
        raise InvalidInput(f"import nie zmienia konta Telegram osoby '{stored.login}'")
    values: dict[str, Any] = {}
    if new.name != stored.name:
        values["name"] = new.name
    if new.email is not None and new.email != stored.email:
        values["email"] = new.email
    return values or None


def _plan(
    tx: PeopleRepo, lines: list[PersonLine], contractors: set[str], now: datetime
) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any]]], int]:
    """What the file asks, checked against the database and itself: (people to add, updates by id,
    how many are unchanged); InvalidInput naming every wrong line."""
    offices = {o.code: o for o in tx.list_offices()}
    everyone = tx.list_people()
    by_login = {p.login: p for p, _active in everyone}
    telegram = {p.telegram_id for p, _active in everyone if p.telegram_id is not None}
    # Active people of each role in each office: the database's, then each line's as it is taken in.
    counts: Counter[tuple[str | None, Role]] = Counter((p.jst, p.role) for p, active in everyone if active)
    errors = _Errors()
    added: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    unchanged = 0
    for item in lines:
        new = item.person
        try:
            stored = by_login.get(new.login)
            if stored is not None:
                change = _change(stored, new)
                if change is None:
                    unchanged += 1
                else:
                    updates.append((stored.id, change))
                continue
            check_admission(
                new,
                offices.get(new.jst) if new.jst else None,
                counts[(new.jst, Role.LEADER)],
                counts[(new.jst, Role.REPRESENTATIVE)],
                contractors,
                login_taken=False,
                telegram_taken=new.telegram_id in telegram,
                hints=CSV_HINTS,
            )
        except InvalidInput as err:
            errors.add(item.line, err)
            continue
        counts[(new.jst, new.role)] += 1
        if new.telegram_id is not None:
            telegram.add(new.telegram_id)
        added.append(person_values(new, now))
    errors.raise_as(InvalidInput)
    return added, updates, unchanged


def check_office(lines: Iterable[PersonLine], office: str) -> None:
    """InvalidInput, naming every line, unless each line is a person of `office` (an office's page
    imports its own people only)."""
    errors = _Errors()
    for item in lines:
        if item.person.jst != office:
            errors.add(item.line, f"na stronie urzędu {office} importuje się tylko osoby tego urzędu")
    errors.raise_as(InvalidInput)


def import_people(
    db: Database[PeopleRepo],
    contractors: Collection[str],
    data: str,
    now: datetime,
    actor: Person | None = None,
    *,
    office: str | None = None,
) -> ImportResult:
    """Import a people file in one transaction, all lines or none, on behalf of `actor` (None: the
    operator at the console), of `office` only when one is named. InvalidInput (400) or Forbidden
    (403) names the lines; TooLarge over 5 MB."""
    if actor is not None and not manages_anyone(actor):
        raise Forbidden("import osób jest dla przedstawicieli urzędów, koordynatorów i administratorów")
    lines = parse_people_csv(data)
    check_rights(actor, lines)
    if office is not None:
        check_office(lines, office)
    known = set(contractors)

    def _do(tx: PeopleRepo) -> ImportResult:
        added, updates, unchanged = _plan(tx, lines, known, now)
        for values in added:
            tx.add_person(values)
        for person_id, change in updates:
            tx.set_person(person_id, change)
        return ImportResult(len(added), len(updates), unchanged)

    return db.write(_do)


def summary_pl(result: ImportResult) -> str:
    """What an import did, in a Polish sentence: "Dodano 2 osoby, zaktualizowano 1 osobę, bez zmian: 5 osób."."""
    return (
        f"Dodano {plural_pl(result.added, 'osobę', 'osoby', 'osób')}, "
        f"zaktualizowano {plural_pl(result.updated, 'osobę', 'osoby', 'osób')}, "
        f"bez zmian: {plural_pl(result.unchanged, 'osoba', 'osoby', 'osób')}."
    )

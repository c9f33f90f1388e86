"""Offices, people and credentials (mixed into tx.Tx).

Offices and people read within one transaction are remembered until it ends: the ticket service
and every notice listener ask for the same author, office and leaders; a write to either table
forgets them.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.tables import CredentialRow, OfficeRow, PersonRow
from helpdesk.domain.offices import Office, OfficeType
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.services.ports import Credential

T = TypeVar("T")

person_t = PersonRow.__table__  # type: ignore[attr-defined]
office_t = OfficeRow.__table__  # type: ignore[attr-defined]
credential_t = CredentialRow.__table__  # type: ignore[attr-defined]

_OFFICE_BY_CODE = select(office_t).where(office_t.c.code == bindparam("code"))
_PERSON_BY_ID = select(person_t).where(person_t.c.id == bindparam("id"))
_OFFICE_PEOPLE = (
    select(person_t)
    .where(person_t.c.jst == bindparam("jst"), person_t.c.active.is_(True))
    .order_by(person_t.c.id)
)
_OFFICE_PEOPLE_OF_ROLE = (
    select(person_t)
    .where(
        person_t.c.jst == bindparam("jst"), person_t.c.active.is_(True), person_t.c.role == bindparam("role")
    )
    .order_by(person_t.c.id)
)

# person_by: case-insensitive for login and e-mail, exact for the Telegram id.
_PERSON_BY = {
    column: select(person_t)
    .where(
        (func.lower(person_t.c[column]) == bindparam("value"))
        if column in ("login", "email")
        else (person_t.c[column] == bindparam("value")),
        person_t.c.active.is_(True),
    )
    .order_by(person_t.c.id)
    for column in ("login", "email", "telegram_id")
}


def office_from_row(row: Any) -> Office:
    """Domain Office from an `office` row."""
    comps = tuple(c for c in (row.components or "").split(";") if c)
    return Office(row.code, row.name, OfficeType(row.type), row.employees, comps, row.leaders_max)


def person_from_row(row: Any) -> Person:
    """Domain Person from a `person` row."""
    return Person(
        id=row.id,
        login=row.login,
        name=row.name,
        role=Role(row.role),
        jst=row.jst,
        contractor=row.contractor,
        email=row.email,
        telegram_id=row.telegram_id,
    )


def credential_from_row(row: Any) -> Credential:
    """The stored credential (digest, kind, person, times) from a `credential` row."""
    return Credential(
        row.digest, row.kind, row.person_id, row.created_at, row.expires_at, row.used_at, row.last_used_at
    )


class PeopleTxMixin:
    """Office, people and credential methods of the repository (services.ports.PeopleRepo)."""

    conn: Connection
    postgres: bool
    fast: PreparedRunner
    _registry: dict[tuple[Any, ...], Any]

    def _forget_registry(self) -> None:
        self._registry.clear()

    def _registered(self, key: tuple[Any, ...], load: Callable[[], T]) -> T:
        """The registry value for `key`, loaded on the first ask within this transaction."""
        if key not in self._registry:
            self._registry[key] = load()
        value: T = self._registry[key]
        return value

    # --- looking up ---------------------------------------------------------------------
    def get_office(self, code: str) -> Office | None:
        """The office with TERYT `code`, or None."""

        def load() -> Office | None:
            row = self.fast.first(_OFFICE_BY_CODE, {"code": code})
            return office_from_row(row) if row else None

        return self._registered(("office", code), load)

    def office_for_notices(self, code: str, author_id: int, roles: tuple[str, ...]) -> Office | None:
        """`get_office`; in a PostgreSQL write batch the author and the office's active people of
        `roles` are read in the same round trip and remembered (services/ports.py).

        The statements are those `get_office`, `person_by_id` and `people_of_office` run, so the
        answers are the same; a batch of new tickets waits for them once instead of three times,
        while it holds the chain head's lock for all but the first.
        """
        self.offices_for_notices([(code, author_id)], roles)
        return self.get_office(code)

    def offices_for_notices(self, wanted: Sequence[tuple[str, int]], roles: tuple[str, ...]) -> None:
        """`office_for_notices` for several (office, author) pairs ahead of their units: in a
        PostgreSQL write batch everything none of the batch has read yet, in one round trip."""
        if not self.fast.deferring:
            return  # read one by one when asked, as before
        missing: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}
        for code, author_id in wanted:
            reads: list[tuple[tuple[Any, ...], Any, dict[str, Any]]] = [
                (("office", code), _OFFICE_BY_CODE, {"code": code}),
                (("person", author_id), _PERSON_BY_ID, {"id": author_id}),
                *(
                    (("office_people", code, role), _OFFICE_PEOPLE_OF_ROLE, {"jst": code, "role": role})
                    for role in roles
                ),
            ]
            for key, statement, params in reads:
                if key not in self._registry:
                    missing[key] = (statement, params)
        if len(missing) < 2:  # a single read costs the same either way
            return
        results = self.fast.all_of(list(missing.values()))
        for key, rows in zip(missing, results, strict=True):
            if key[0] == "office":
                self._registry[key] = office_from_row(rows[0]) if rows else None
            elif key[0] == "person":
                self._registry[key] = person_from_row(rows[0]) if rows else None
            else:
                self._registry[key] = [person_from_row(r) for r in rows]

    def person_by_id(self, person_id: int) -> Person | None:
        """The person with `person_id`, or None."""

        def load() -> Person | None:
            row = self.fast.first(_PERSON_BY_ID, {"id": person_id})
            return person_from_row(row) if row else None

        return self._registered(("person", person_id), load)

    def people_of_office(self, code: str, role: str | None = None) -> list[Person]:
        """Active people of an office, optionally of one role."""

        def load() -> list[Person]:
            if role:
                rows = self.fast.all(_OFFICE_PEOPLE_OF_ROLE, {"jst": code, "role": role})
            else:
                rows = self.fast.all(_OFFICE_PEOPLE, {"jst": code})
            return [person_from_row(r) for r in rows]

        return list(self._registered(("office_people", code, role), load))

    def people_by_role(self, role: str, contractor: str | None = None) -> list[Person]:
        """Active people of a role (agents optionally of one contractor)."""

        def load() -> list[Person]:
            q = select(person_t).where(person_t.c.role == role, person_t.c.active.is_(True))
            if contractor:
                q = q.where(person_t.c.contractor == contractor)
            return [person_from_row(r) for r in self.conn.execute(q.order_by(person_t.c.id))]

        return list(self._registered(("role_people", role, contractor), load))

    def person_by(self, column: str, value: Any) -> Person | None:
        """The active person whose `column` (login, email, telegram_id) equals `value`."""
        if column not in _PERSON_BY:
            raise ValueError(f"person_by: unknown column {column!r}")
        param = str(value).lower() if column in ("login", "email") else value
        row = self.fast.first(_PERSON_BY[column], {"value": param})
        return person_from_row(row) if row else None

    # --- the registry -------------------------------------------------------------------
    def upsert_office(self, office: Office) -> bool:
        """Insert or update an office; True if it was new."""
        self._forget_registry()
        values = {
            "name": office.name,
            "type": office.type.value,
            "employees": office.employees,
            "components": ";".join(office.components),
            "leaders_max": office.leaders_max,
        }
        if self.get_office(office.code) is None:
            self.conn.execute(insert(office_t).values(code=office.code, **values))
            return True
        self.conn.execute(update(office_t).where(office_t.c.code == office.code).values(**values))
        return False

    def list_offices(self) -> list[Office]:
        """Every office, by code."""
        return [office_from_row(r) for r in self.conn.execute(select(office_t).order_by(office_t.c.code))]

    def count_role_in_office(self, code: str, role: str) -> int:
        """How many active people of `role` the office has."""
        return int(
            self.conn.execute(
                select(func.count())
                .select_from(person_t)
                .where(person_t.c.jst == code, person_t.c.role == role, person_t.c.active.is_(True))
            ).scalar_one()
        )

    def add_person(self, values: Mapping[str, Any]) -> Person:
        """Insert a person and return it."""
        self._forget_registry()
        new_id = self.conn.execute(insert(person_t).values(**values).returning(person_t.c.id)).scalar_one()
        person = self.person_by_id(int(new_id))
        assert person is not None
        return person

    def list_people(self, office: str | None = None, role: str | None = None) -> list[tuple[Person, bool]]:
        """Every person, blocked ones too, by login (optionally of one office or role), with `active`."""
        q = select(person_t)
        if office is not None:
            q = q.where(person_t.c.jst == office)
        if role is not None:
            q = q.where(person_t.c.role == role)
        return [(person_from_row(r), bool(r.active)) for r in self.conn.execute(q.order_by(person_t.c.login))]

    def set_person(self, person_id: int, values: Mapping[str, Any]) -> None:
        """Update columns of a person (password hash, telegram id, …)."""
        self._forget_registry()
        self.conn.execute(update(person_t).where(person_t.c.id == person_id).values(**values))

    def password_hash(self, person_id: int) -> str | None:
        """The stored password hash of a person."""
        value = self.conn.execute(select(person_t.c.password_hash).where(person_t.c.id == person_id)).scalar()
        return str(value) if value is not None else None

    # --- credentials --------------------------------------------------------------------
    def add_credential(
        self, digest: str, kind: str, person_id: int, at: datetime, expires_at: datetime | None
    ) -> None:
        """Store the digest of a token, session or link code."""
        self.conn.execute(
            insert(credential_t).values(
                digest=digest, kind=kind, person_id=person_id, created_at=at, expires_at=expires_at
            )
        )

    def credential(self, digest: str, kind: str) -> tuple[Person, Credential] | None:
        """(person, credential) for a digest of `kind`, or None."""
        row = self.conn.execute(
            select(credential_t).where(credential_t.c.digest == digest, credential_t.c.kind == kind)
        ).first()
        if row is None:
            return None
        person = self.person_by_id(row.person_id)
        active = self.conn.execute(select(person_t.c.active).where(person_t.c.id == row.person_id)).scalar()
        if person is None or not active:
            return None
        return person, credential_from_row(row)

    def use_credential(self, digest: str, at: datetime) -> None:
        """Mark a one-time credential as used."""
        self.conn.execute(update(credential_t).where(credential_t.c.digest == digest).values(used_at=at))

    def drop_credential(self, digest: str) -> None:
        """Forget a session or token."""
        self.conn.execute(delete(credential_t).where(credential_t.c.digest == digest))

"""`helpdesk people export LOGIN`: everything the help-desk holds about one person, as JSON.

The person's record and credentials (ids and times, never secrets), the tickets they opened with
their whole history, what they did on other tickets, the mail they sent us (raw, as received), the
notices we sent them, the questions they put to the knowledge base, what they read of other
offices' tickets (the access log), the trainings they completed and whom they stand in for. Personal content already removed after retention shows as such.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, tzinfo
from typing import Any, Protocol

from helpdesk.domain.errors import NotFound
from helpdesk.domain.people import Person
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.access_log import present
from helpdesk.services.ports import Database, EventRecord, Row, Ticket, TrustRepo


class ExportRepo(TrustRepo, Protocol):
    """What the export reads."""

    def person_data(
        self, person_id: int, login: str, email: str | None, telegram_id: int | None
    ) -> dict[str, Any]:
        """Rows about one person outside the event log."""
        ...

    def ticket(self, no: int, *, lock: bool = False) -> Ticket | None:
        """The ticket, or None."""
        ...

    def events(self, no: int) -> list[EventRecord]:
        """All event records of one ticket, in seq order."""
        ...

    def attendance(self, logins: Collection[str] | None = None) -> list[Row]:
        """Completed trainings of `logins` (the rollout's knowledge transfer)."""
        ...

    def standins(self, code: str | None = None) -> dict[str, dict[str, str]]:
        """office → (login → stand-in's login)."""
        ...


def _plain(value: Any, tz: tzinfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(timespec="seconds")
    if isinstance(value, dict):
        return {k: _plain(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, tz) for v in value]
    return value


def export_person(db: Database[ExportRepo], login: str, tz: tzinfo) -> dict[str, Any]:
    """All data about the person with `login` (active or not)."""

    def _do(tx: ExportRepo) -> dict[str, Any]:
        person = tx.any_person(login.strip())
        if person is None:
            raise NotFound(f"nie ma osoby o loginie '{login}'")
        data = tx.person_data(person.id, person.login, person.email, person.telegram_id)
        tickets = []
        for no in data["authored"]:
            row = tx.ticket(no)
            if row is None:
                continue
            tickets.append(
                {
                    "id": format_ticket_id(no),
                    "title": row["title"],
                    "description": row["description"],
                    "office": row["office"],
                    "state": row["state"],
                    "created_at": row["created_at"],
                    "events": [_event(r) for r in tx.events(no)],
                }
            )
        acted = []
        for no in data["acted"]:
            if no in data["authored"]:
                continue
            acted += [_event(r) for r in tx.events(no) if r.get("actor") == person.login]
        return {
            "person": person_record(person, tx.person_active(person.id)),
            "credentials": data["credentials"],
            "tickets": tickets,
            "actions_on_other_tickets": acted,
            "mails_received_from": data["mails"],
            "notices_sent_to": data["notices"],
            "kb_questions": data["questions"],
            "reads_of_tickets": [present(r, tz) for r in tx.access_of_person(person.id)],
            "trainings": [
                {**r, "completed_on": r["completed_on"].isoformat()} for r in tx.attendance([person.login])
            ],
            "stand_ins": [
                {"office": office, "for": who, "stand_in": standin}
                for office, pairs in tx.standins().items()
                for who, standin in pairs.items()
                if person.login in (who, standin)
            ],
        }

    return _plain(db.read(_do), tz)  # type: ignore[no-any-return]


def person_record(person: Person, active: bool) -> dict[str, Any]:
    """A person as data: who, role, office or contractor, channels, and whether they may use the desk."""
    return {
        "login": person.login,
        "name": person.name,
        "role": person.role.value,
        "office": person.jst,
        "contractor": person.contractor,
        "email": person.email,
        "telegram_id": person.telegram_id,
        "active": active,
    }


def _event(record: EventRecord) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("prev", "hash", "personal_sha256")}

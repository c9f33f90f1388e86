"""The access log: coordinators', auditors' and admins' reads of tickets, kept for the auditors.

Those roles see every office's tickets; what they opened is recorded (who, when, which ticket of
which office, through what), in its own table rather than in the ticket's event chain: a read
changes nothing about the ticket, and the chain must stay what the SLA is computed from. Auditors
read it with `helpdesk audit access` (and it is part of `helpdesk people export`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.ports import Clock, Database, TrustRepo

LOGGED_ROLES = frozenset({Role.COORDINATOR, Role.AUDITOR, Role.ADMIN})


class AccessLog:
    """Records reads of other offices' tickets and lists them."""

    def __init__(self, db: Database[TrustRepo], clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def record(self, reader: Person, ticket_no: int, office: str, what: str) -> None:
        """Keep one read, if the reader's role is one whose reads are logged."""
        if reader.role not in LOGGED_ROLES or reader.jst == office:
            return
        values = {
            "at": self.clock.now(),
            "person_id": reader.id,
            "login": reader.login,
            "role": reader.role.value,
            "ticket_no": ticket_no,
            "office": office,
            "what": what[:64],
        }
        self.db.write(lambda tx: tx.access_record(values))

    def entries(
        self, since: date | None = None, until: date | None = None, tz: tzinfo | None = None
    ) -> list[dict[str, Any]]:
        """The log's entries between two dates (inclusive), oldest first."""
        zone = tz or self.clock.now().tzinfo
        start = datetime.combine(since, time(0), tzinfo=zone) if since else None
        end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone) if until else None
        rows = self.db.read(lambda tx: tx.access_entries(start, end))
        return [present(row, zone) for row in rows]


def present(row: dict[str, Any], tz: tzinfo | None) -> dict[str, Any]:
    """One entry as people and `--json` see it."""
    at = row["at"]
    return {
        "at": (at.astimezone(tz) if tz else at).isoformat(timespec="seconds"),
        "login": row["login"],
        "role": row["role"],
        "ticket": format_ticket_id(row["ticket_no"]),
        "office": row["office"],
        "what": row["what"],
    }

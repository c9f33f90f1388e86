"""The small interfaces services use to reach the outside world; adapters implement them."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from helpdesk.domain.offices import Office
from helpdesk.domain.people import Person

T = TypeVar("T")


class Clock(Protocol):
    """The only way services learn the time."""

    def now(self) -> datetime:
        """Current aware datetime."""
        ...


class Repo(Protocol):
    """Data access within one transaction (see adapters/db/store.py)."""

    def get_office(self, code: str) -> Office | None:
        """The office with TERYT `code`, or None."""
        ...

    def person_by_id(self, person_id: int) -> Person | None:
        """The person with `person_id`, or None."""
        ...

    def people_of_office(self, code: str, role: str | None = None) -> list[Person]:
        """Active people of an office, optionally of one role."""
        ...

    def people_by_role(self, role: str, contractor: str | None = None) -> list[Person]:
        """Active people of a role (agents optionally of one contractor)."""
        ...

    def new_ticket(
        self, fields: Mapping[str, Any], record_data: Mapping[str, Any], actor: str, at: datetime
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Allocate a number, insert the ticket and its `created` event; return (ticket row, record)."""
        ...

    def ticket(self, no: int, *, lock: bool = False) -> dict[str, Any] | None:
        """The ticket row as a dict, or None."""
        ...

    def append(
        self, no: int, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Append one event to the ticket (next seq) and the chain; return the record."""
        ...

    def update_ticket(self, no: int, values: Mapping[str, Any]) -> None:
        """Update the projection columns of a ticket."""
        ...

    def events(self, no: int) -> list[dict[str, Any]]:
        """All event records of one ticket, in seq order."""
        ...

    def list_tickets(
        self, where: Mapping[str, Any], scope: Person, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of tickets visible to `scope` matching `where`, and the total count."""
        ...

    def enqueue(
        self,
        channel: str,
        recipient: str,
        subject: str,
        body: str,
        *,
        at: datetime,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
        ticket_no: int | None = None,
        dedupe: str | None = None,
    ) -> bool:
        """Put a message in the outbox; False if `dedupe` was already used."""
        ...


class Database(Protocol):
    """Runs units of work: `write` serialises appends, `read` is a snapshot."""

    def write(self, fn: Callable[[Repo], T]) -> T:
        """Run `fn` in a write transaction (committed if it returns, rolled back if it raises)."""
        ...

    def read(self, fn: Callable[[Repo], T]) -> T:
        """Run `fn` in a read-only transaction."""
        ...


class EventListener(Protocol):
    """Called inside the write transaction after events are appended (to enqueue notices)."""

    def __call__(
        self, repo: Repo, ticket: Mapping[str, Any], records: Sequence[Mapping[str, Any]], now: datetime
    ) -> None:
        """React to new events of `ticket`."""
        ...


def first(items: Iterable[T]) -> T | None:
    """The first item or None."""
    return next(iter(items), None)

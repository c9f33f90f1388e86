"""Retention of personal data: closed tickets past their period lose their personal content.

HELPDESK_RETENTION_YEARS (default 5: the contract's maintenance horizon) after a ticket was closed,
`helpdesk retention run` (and the server once a day) removes, for that ticket: the personal content
of its events (`personal` becomes null; each event's `personal_sha256` stays, so `helpdesk audit
verify` still passes), its attachments, its title and description (replaced by a marker), the raw
mail it came from, the notices sent about it, and the knowledge-base questions that led to it. The
ticket keeps what the SLA figures need (times, types, contract, priority, office, component), and
gets an event `personal_data_removed` saying when and how much was removed. Telegram updates
older than the period lose their text too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from helpdesk.domain import events as ev
from helpdesk.domain.tickets import State, format_ticket_id
from helpdesk.services.events import EventRecorder
from helpdesk.services.ports import Clock, Database, EventRepo

REDACTED_TITLE = "[usunięto – okres przechowywania minął]"
BATCH = 200


class RetentionRepo(EventRepo, Protocol):
    """What removing expired personal data reads and changes."""

    def retention_due(self, cutoff: datetime, limit: int) -> list[int]:
        """Closed tickets closed before `cutoff` whose personal data is still there."""
        ...

    def redact_ticket(self, no: int, title: str, text: str) -> dict[str, int]:
        """Remove a ticket's personal content everywhere; how much of each kind."""
        ...

    def telegram_updates_redact(self, cutoff: datetime) -> int:
        """Forget the content of Telegram updates received before `cutoff`; how many."""
        ...


@dataclass(frozen=True)
class RetentionResult:
    """What one run removed."""

    cutoff: datetime
    tickets: list[str]
    events: int
    attachments: int
    telegram_updates: int


def years_before(moment: datetime, years: int) -> datetime:
    """The same instant `years` calendar years earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


class Retention:
    """Removes the personal data of tickets closed more than `years` ago."""

    def __init__(
        self,
        db: Database[RetentionRepo],
        clock: Clock,
        recorder: EventRecorder,
        *,
        years: int = 5,
        flush: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.recorder = recorder
        self.years = years
        self.flush = flush  # makes the removed data leave the database files (adapters/db/store.py)

    def due(self) -> list[str]:
        """The tickets a run would clear now."""
        cutoff = years_before(self.clock.now(), self.years)
        return [format_ticket_id(no) for no in self.db.read(lambda tx: tx.retention_due(cutoff, 100_000))]

    def run(self) -> RetentionResult:
        """Clear every due ticket, one transaction each (a crash leaves the rest for the next run)."""
        now = self.clock.now()
        cutoff = years_before(now, self.years)
        done: list[str] = []
        events = attachments = 0
        while True:
            batch = self.db.read(lambda tx: tx.retention_due(cutoff, BATCH))
            if not batch:
                break
            for no in batch:
                counts = self.db.write(self._clearing(no, now))
                done.append(format_ticket_id(no))
                events += counts.get("events", 0)
                attachments += counts.get("attachments", 0)
        updates = self.db.write(lambda tx: tx.telegram_updates_redact(cutoff))
        if (done or updates) and self.flush is not None:
            self.flush()
        return RetentionResult(cutoff, done, events, attachments, updates)

    def _clearing(self, no: int, now: datetime) -> Callable[[RetentionRepo], dict[str, int]]:
        return lambda tx: self._clear(tx, no, now)

    def _clear(self, tx: RetentionRepo, no: int, now: datetime) -> dict[str, int]:
        row = tx.ticket(no, lock=True)
        if row is None or row["state"] != State.CLOSED.value:
            return {}
        counts = tx.redact_ticket(no, REDACTED_TITLE, ev.REDACTED_TEXT)
        data = {
            "events": counts.get("events", 0),
            "attachments": counts.get("attachments", 0),
            "years": self.years,
        }
        self.recorder.append(tx, no, ev.PERSONAL_DATA_REMOVED, "system", now, data)
        return counts

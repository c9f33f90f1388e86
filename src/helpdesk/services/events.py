"""The one path by which use cases write ticket events: stamped, appended, heard by every listener.

Every event a use case appends — a person's action on a ticket, an attached file, the sweep's SLA
warnings, breaches and first-line alerts — goes through the `EventRecorder`:

- its time is stamped by `stamp`, the one rule for the time an event carries: the people's time
  zone (HELPDESK_TIMEZONE), whatever zone the clock answered in;
- it is appended to the ticket's log (next `seq`, the hash chain);
- every listener hears it (`publish`) inside the same transaction, with the ticket as it is after
  the change: the notifiers (services/notify/) compose and queue their notices in the outbox, so a
  change and its notices commit together or not at all.

A use case appends its events, updates what else of the ticket changes, and then publishes them
all at once, so a listener sees one change with all its events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from helpdesk.domain.events import CREATED
from helpdesk.domain.sla import TicketSla
from helpdesk.services.ports import Change, EventListener, EventRecord, EventRepo, Ticket


class EventRecorder:
    """Appends a ticket's events and lets every listener hear them, in the caller's transaction."""

    def __init__(self, tz: tzinfo, listeners: Iterable[EventListener] = ()) -> None:
        self.tz = tz
        self.listeners: list[EventListener] = list(listeners)

    def stamp(self, at: datetime) -> datetime:
        """The time an event carries: `at` in the people's time zone."""
        if at.tzinfo is None:
            raise ValueError("event time must be timezone-aware")
        return at.astimezone(self.tz)

    def open(
        self, repo: EventRepo, fields: Mapping[str, Any], data: Mapping[str, Any], actor: str, at: datetime
    ) -> tuple[Ticket, EventRecord]:
        """Insert a ticket with its `created` event; nobody hears it until `publish`."""
        return repo.new_ticket(fields, data, actor, self.stamp(at))

    def append(
        self,
        repo: EventRepo,
        no: int,
        type_: str,
        actor: str | None,
        at: datetime,
        data: Mapping[str, Any] | None = None,
    ) -> EventRecord:
        """Append one event to ticket `no`; nobody hears it until `publish`."""
        if type_ == CREATED:
            raise ValueError("a ticket is created by `open`, not by appending")
        return repo.append(no, type_, actor, self.stamp(at), data)

    def publish(
        self,
        repo: EventRepo,
        ticket: Ticket,
        records: Sequence[EventRecord],
        at: datetime,
        *,
        sla: TicketSla | None = None,
    ) -> int:
        """Let every listener hear `records` of `ticket` (as it is after them); notices queued.

        `sla` is the contractor's clocks as the caller computed them at `at` (the sweep does), so
        SLA notices can tell the deadline and the time used without computing them again.
        """
        if not records:
            return 0
        change = Change(ticket, tuple(records), self.stamp(at), sla)
        return sum(listener(repo, change) for listener in self.listeners)

"""The SLA sweep: one short pass over stored deadlines that warns, records breaches and escalates
the first line — timers as a sweep over stored deadlines, never one job per ticket.

Every open escalated ticket stores its `next_deadline` (the next warning or breach instant); every
untaken new ticket stores its `first_line_due`. A sweep claims the tickets whose instant has come
(on PostgreSQL with `FOR UPDATE SKIP LOCKED`), recomputes the clocks from the ticket's own events
with the same pure function as `helpdesk sla replay`, and records what happened as events through
the event recorder (services/events.py): the notifiers hear them like any other event and queue
their notices (composed in services/notify/, one place per channel) — all in the transaction that
moves the stored deadline on. So:

- a deadline that passed while no server ran is handled by the first sweep after the start;
- two workers never double a warning: the claim skips rows another worker holds, and each ticket
  is checked against its already recorded `sla_warning` / `sla_breached` / `first_line_alert`
  events (once per ticket and metric, or level), with outbox `dedupe` keys of what each notice is
  about as a second guard;
- with nothing due a sweep is a single query over two indexed columns.

First line: a ticket nobody took by `first_line_due` raises an alert of level 1 (for the office's
leaders), one more target period later of level 2 (for the representative and the coordinators);
after that the first line has no more alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from helpdesk.domain.events import FIRST_LINE_ALERT, SLA_BREACHED, SLA_WARNING
from helpdesk.domain.sla import TicketSla, due_notices, recorded_notices
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.events import EventRecorder
from helpdesk.services.ports import Database, EventRecord, EventRepo, SlaRepo, Ticket

SWEEP_ACTOR = "system"
BATCH = 200
_MIN_STEP = timedelta(minutes=1)


class SweepPolicy(Protocol):
    """What the sweep needs from the SLA engine (services/sla/live.py implements it)."""

    @property
    def warn_share(self) -> float:
        """The share of a clock's target at which it is warned (0.8: at 80 %)."""
        ...

    def compute(self, records: list[EventRecord], now: datetime) -> TicketSla | None:
        """The ticket's clocks at `now` from its events (None if never escalated)."""
        ...

    def next_deadline(self, records: list[EventRecord], now: datetime) -> datetime | None:
        """The next instant to look at the ticket: `now` while a warning or breach is owed, else
        the next warning or breach instant of the running clocks."""
        ...

    def first_line_due(self, office: str, at: datetime, priority: str | None = None) -> datetime | None:
        """One first-line `take` target period after `at`, in the office's working time."""
        ...


class SweepRepo(EventRepo, SlaRepo, Protocol):
    """What one sweep transaction uses: the claims, the tickets and what their events' listeners need."""


@dataclass
class SweepResult:
    """What one sweep did."""

    at: datetime
    tickets: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (ticket, metric)
    breaches: list[tuple[str, str]] = field(default_factory=list)
    first_line_alerts: list[tuple[str, int]] = field(default_factory=list)  # (ticket, level)
    notices: int = 0

    def add(self, other: SweepResult) -> None:
        """Merge the counts of one batch into this result."""
        self.tickets += other.tickets
        self.warnings += other.warnings
        self.breaches += other.breaches
        self.first_line_alerts += other.first_line_alerts
        self.notices += other.notices


class SlaSweep:
    """Runs sweeps over the database with the live SLA policy (services.sla.live.LiveSla)."""

    def __init__(
        self, db: Database[SweepRepo], sla: SweepPolicy, recorder: EventRecorder, *, batch: int = BATCH
    ) -> None:
        self.db = db
        self.sla = sla
        self.recorder = recorder
        self.batch = batch

    def sweep(self, now: datetime) -> SweepResult:
        """Handle every ticket whose deadline or first-line alert is at or before `now`."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        result = SweepResult(at=now)
        if not self.db.read(lambda tx: tx.sla_anything_due(now)):
            return result
        for _ in range(10_000):  # each pass moves every claimed ticket past `now`
            part = self.db.write(lambda tx: self._batch(tx, now))
            result.add(part)
            if part.tickets == 0:
                break
        return result

    # --- one transaction ------------------------------------------------------------------
    def _batch(self, tx: SweepRepo, now: datetime) -> SweepResult:
        part = SweepResult(at=now)
        for no in tx.claim_sla_due(now, self.batch):
            part.tickets += 1
            self._clocks(tx, no, now, part)
        for no in tx.claim_first_line_due(now, self.batch):
            part.tickets += 1
            self._first_line(tx, no, now, part)
        return part

    def _clocks(self, tx: SweepRepo, no: int, now: datetime, part: SweepResult) -> None:
        row = tx.ticket(no)
        if row is None or not row["escalated"]:
            tx.update_ticket(no, {"next_deadline": None})
            return
        records = tx.events(no)
        sla = self.sla.compute(records, now)
        if sla is None or sla.out_of_contract:
            tx.update_ticket(no, {"next_deadline": None})
            return
        ticket_id = format_ticket_id(no)
        share = self.sla.warn_share
        new: list[EventRecord] = []
        for kind, name in due_notices(sla, share, recorded_notices(records)):
            if kind == SLA_BREACHED:
                new.append(self.recorder.append(tx, no, SLA_BREACHED, SWEEP_ACTOR, now, {"metric": name}))
                part.breaches.append((ticket_id, name))
            else:
                data = {"metric": name, "share": share}
                new.append(self.recorder.append(tx, no, SLA_WARNING, SWEEP_ACTOR, now, data))
                part.warnings.append((ticket_id, name))
        # With what was just recorded, so the owed notices are not owed again.
        following = self.sla.next_deadline([*records, *new], now)
        if following is not None and following <= now:
            following = now + _MIN_STEP  # exactly at the target: breached a moment later
        tx.update_ticket(no, {"next_deadline": following})
        if new:
            part.notices += self.recorder.publish(tx, self._ticket(tx, no), new, now, sla=sla)

    def _first_line(self, tx: SweepRepo, no: int, now: datetime, part: SweepResult) -> None:
        row = tx.ticket(no)
        if row is None or row["escalated"] or row["assignee"] or row["state"] != "new":
            tx.update_ticket(no, {"first_line_due": None})
            return
        level = int(row["first_line_level"] or 0) + 1
        if level > 2:
            tx.update_ticket(no, {"first_line_due": None})
            return
        done = {r.get("level") for r in tx.events(no) if r["type"] == FIRST_LINE_ALERT}
        new: list[EventRecord] = []
        if level not in done:
            new.append(self.recorder.append(tx, no, FIRST_LINE_ALERT, SWEEP_ACTOR, now, {"level": level}))
            part.first_line_alerts.append((format_ticket_id(no), level))
        following = None
        if level < 2 and row["first_line_due"] is not None:
            following = self.sla.first_line_due(row["office"], row["first_line_due"], row["priority"])
        tx.update_ticket(no, {"first_line_due": following, "first_line_level": level})
        if new:
            part.notices += self.recorder.publish(tx, self._ticket(tx, no), new, now)

    @staticmethod
    def _ticket(tx: SweepRepo, no: int) -> Ticket:
        """The ticket as this transaction left it (what the listeners are told about)."""
        row = tx.ticket(no)
        assert row is not None  # claimed, so it exists
        return row

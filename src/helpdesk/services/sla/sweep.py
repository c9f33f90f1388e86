"""The SLA sweep: one short pass over stored deadlines that warns, records breaches and escalates
the first line (ARCHITECTURE.md, "Timers are a sweep over stored deadlines").

Every open escalated ticket stores its `next_deadline` (the next warning or breach instant); every
untaken new ticket stores its `first_line_due`. A sweep claims the tickets whose instant has come
(on PostgreSQL with `FOR UPDATE SKIP LOCKED`), recomputes the clocks from the ticket's own events
with the same pure function as `helpdesk sla replay`, records what happened as events and queues
the notices in the outbox — all in the transaction that moves the stored deadline on. So:

- a deadline that passed while no server ran is handled by the first sweep after the start;
- two workers never double a warning: the claim skips rows another worker holds, and each ticket
  is checked against its already recorded `sla_warning` / `sla_breached` / `first_line_alert`
  events (once per ticket and metric, or level), with outbox `dedupe` keys as a second guard;
- with nothing due a sweep is a single query over two indexed columns.

First line: a ticket nobody took by `first_line_due` goes to the office's leaders (level 1; the
author is left out), one more target period later to the representative and the coordinators
(level 2); after that the first line has no more alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from helpdesk.domain.events import FIRST_LINE_ALERT, SLA_BREACHED, SLA_WARNING
from helpdesk.domain.people import Person
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority, format_ticket_id

METRIC_LABELS_PL: dict[str, str] = {
    "reaction": "czas reakcji",
    "workaround": "obejście (rozwiązanie tymczasowe)",
    "fix": "naprawa",
}
SWEEP_ACTOR = "system"
BATCH = 200
_MIN_STEP = timedelta(minutes=1)


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

    def __init__(self, db: Any, sla: Any, settings: Any, *, batch: int = BATCH) -> None:
        self.db = db
        self.sla = sla
        self.tz = settings.tz
        self.warn_share = float(getattr(settings, "sla_warn_share", 0.8))
        self.batch = batch

    def sweep(self, now: datetime) -> SweepResult:
        """Handle every ticket whose deadline or first-line alert is at or before `now`."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        result = SweepResult(at=now)
        if not self.db.read(lambda tx: tx.sla_anything_due(now)):
            return result
        for _ in range(10_000):  # each pass moves every claimed ticket past `now`
            part: SweepResult = self.db.write(lambda tx: self._batch(tx, now))
            result.add(part)
            if part.tickets == 0:
                break
        return result

    # --- one transaction ------------------------------------------------------------------
    def _batch(self, tx: Any, now: datetime) -> SweepResult:
        part = SweepResult(at=now)
        for no in tx.claim_sla_due(now, self.batch):
            part.tickets += 1
            self._clocks(tx, no, now, part)
        for no in tx.claim_first_line_due(now, self.batch):
            part.tickets += 1
            self._first_line(tx, no, now, part)
        return part

    def _clocks(self, tx: Any, no: int, now: datetime, part: SweepResult) -> None:
        row = tx.ticket(no)
        if row is None or not row["escalated"]:
            tx.update_ticket(no, {"next_deadline": None})
            return
        records = tx.events(no)
        sla = self.sla.compute(records, now)
        if sla is None or sla.out_of_contract:
            tx.update_ticket(no, {"next_deadline": None})
            return
        recorded = {(r["type"], r.get("metric")) for r in records if r["type"] in (SLA_WARNING, SLA_BREACHED)}
        ticket_id = format_ticket_id(no)
        for name, metric in sla.metrics.items():
            if metric.state == "breached":
                if (SLA_BREACHED, name) in recorded:
                    continue
                tx.append(no, SLA_BREACHED, SWEEP_ACTOR, now, {"metric": name})
                part.breaches.append((ticket_id, name))
                part.notices += self._notify_contractor(tx, row, sla, name, "breach", now)
            elif (
                metric.running
                and not metric.paused
                and metric.target > 0
                and metric.elapsed >= self.warn_share * metric.target - 1  # 1 s: float rounding
                and (SLA_WARNING, name) not in recorded
                and (SLA_BREACHED, name) not in recorded
            ):
                tx.append(no, SLA_WARNING, SWEEP_ACTOR, now, {"metric": name, "share": self.warn_share})
                part.warnings.append((ticket_id, name))
                part.notices += self._notify_contractor(tx, row, sla, name, "warn", now)
        following = self.sla.next_deadline(records, now)
        if following is not None and following <= now:
            following = now + _MIN_STEP  # exactly at the target: breached a moment later
        tx.update_ticket(no, {"next_deadline": following})

    def _first_line(self, tx: Any, no: int, now: datetime, part: SweepResult) -> None:
        row = tx.ticket(no)
        if row is None or row["escalated"] or row["assignee"] or row["state"] != "new":
            tx.update_ticket(no, {"first_line_due": None})
            return
        level = int(row["first_line_level"] or 0) + 1
        if level > 2:
            tx.update_ticket(no, {"first_line_due": None})
            return
        done = {r.get("level") for r in tx.events(no) if r["type"] == FIRST_LINE_ALERT}
        ticket_id = format_ticket_id(no)
        if level not in done:
            tx.append(no, FIRST_LINE_ALERT, SWEEP_ACTOR, now, {"level": level})
            part.first_line_alerts.append((ticket_id, level))
            if level == 1:
                people = [p for p in tx.people_of_office(row["office"], "leader") if p.id != row["author_id"]]
            else:
                people = tx.people_of_office(row["office"], "representative") + tx.people_by_role(
                    "coordinator"
                )
            subject, body = first_line_text(row, level, now.astimezone(self.tz))
            part.notices += self._send(tx, people, subject, body, now, no, f"sla:{no}:first-line:{level}")
        following = None
        if level < 2:
            following = self.sla.first_line_due(row["office"], row["first_line_due"])
        tx.update_ticket(no, {"first_line_due": following, "first_line_level": level})

    # --- notices --------------------------------------------------------------------------
    def _notify_contractor(
        self, tx: Any, row: Mapping[str, Any], sla: Any, metric: str, kind: str, now: datetime
    ) -> int:
        people = tx.people_by_role("agent", row["contractor"]) if row["contractor"] else []
        people += tx.people_by_role("coordinator")
        subject, body = sla_text(row, sla, metric, kind, self.warn_share, self.tz)
        return self._send(tx, people, subject, body, now, row["no"], f"sla:{row['no']}:{metric}:{kind}")

    def _send(
        self, tx: Any, people: Iterable[Person], subject: str, body: str, now: datetime, no: int, key: str
    ) -> int:
        sent = 0
        for person in _unique(people):
            if person.email:
                sent += bool(
                    tx.enqueue(
                        "email",
                        person.email,
                        subject,
                        body,
                        at=now,
                        ticket_no=no,
                        dedupe=f"{key}:{person.id}:email",
                    )
                )
            if person.telegram_id:
                sent += bool(
                    tx.enqueue(
                        "telegram",
                        str(person.telegram_id),
                        subject,
                        body,
                        at=now,
                        ticket_no=no,
                        dedupe=f"{key}:{person.id}:telegram",
                    )
                )
        return sent


def _unique(people: Iterable[Person]) -> Sequence[Person]:
    seen: dict[int, Person] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())


def _priority_label(priority: str) -> str:
    try:
        return PRIORITY_LABELS_PL[Priority(priority)]
    except ValueError:
        return priority


def sla_text(
    row: Mapping[str, Any], sla: Any, metric: str, kind: str, share: float, tz: Any
) -> tuple[str, str]:
    """Polish subject and body of an SLA warning (`kind` "warn") or breach ("breach") notice."""
    ticket_id = format_ticket_id(row["no"])
    label = METRIC_LABELS_PL.get(metric, metric)
    m = sla.metrics[metric]
    due = m.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if m.due_at else None
    if kind == "warn":
        subject = f"[{ticket_id}] Ostrzeżenie SLA: {label} — wykorzystano {round(share * 100)}% czasu"
        lead = f"Zgłoszenie {ticket_id} wykorzystało {round(share * 100)}% czasu umownego na: {label}."
        if due:
            lead += f" Termin upływa {due}."
    else:
        subject = f"[{ticket_id}] Przekroczenie SLA: {label}"
        lead = f"Zgłoszenie {ticket_id} przekroczyło czas umowny na: {label}."
    body = (
        f"{lead}\n\nTytuł: {row['title']}\nUrząd: {row['office']}\nUmowa: {sla.contract}\n"
        f"Priorytet: {_priority_label(sla.priority)}\n"
        f"Upłynęło: {m.elapsed / 60:.0f} min z {m.target / 60:.0f} min (czas roboczy umowy).\n"
    )
    return subject, body


def first_line_text(row: Mapping[str, Any], level: int, now: datetime) -> tuple[str, str]:
    """Polish subject and body of a first-line alert (level 1: leaders; level 2: representative)."""
    ticket_id = format_ticket_id(row["no"])
    if level == 1:
        subject = f"[{ticket_id}] Zgłoszenie czeka na podjęcie przez lidera"
        lead = (
            f"Zgłoszenie {ticket_id} nie zostało podjęte w czasie wewnętrznym pierwszej linii. "
            "Prosimy o jego podjęcie."
        )
    else:
        subject = f"[{ticket_id}] Zgłoszenie nadal nie jest podjęte — eskalacja"
        lead = (
            f"Zgłoszenie {ticket_id} mimo przypomnienia liderom wciąż nie zostało podjęte. "
            "Przekazujemy je przedstawicielowi urzędu i koordynatorom."
        )
    body = (
        f"{lead}\n\nTytuł: {row['title']}\nUrząd: {row['office']}\n"
        f"Utworzono: {row['created_at'].astimezone(now.tzinfo).strftime('%Y-%m-%d %H:%M')}\n"
    )
    return subject, body

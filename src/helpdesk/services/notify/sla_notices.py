"""What the SLA sweep's notices say and who gets them, decided once for every channel.

The sweep (services/sla/sweep.py) only records `sla_warning`, `sla_breached` and
`first_line_alert` events; the e-mail and Telegram notifiers hear them like every other event and
render the facts gathered here in their own way (mail: text and HTML; Telegram: its HTML subset).

Who hears what:

- an SLA warning or breach → the contractor's agents, who must act, and the coordinators, who
  watch the contract. The office's leaders are not told: the ticket is in the contractor's hands,
  the office sees its state in the queue, and a leader notified of every clock of every escalated
  ticket learns to ignore mail;
- a first-line alert, level 1 → the office's leaders except the ticket's author;
- a first-line alert, level 2 → the office's representative and the coordinators.

Every notice of these events is keyed by what it is about (ticket, clock or level, recipient and
channel), not by the event that carried it, so it is queued exactly once: a second sweep tick, a
restart or a second worker that records the same warning again finds the key used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from helpdesk.domain import events as ev
from helpdesk.domain.numbers import duration
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority
from helpdesk.services.ports import Change, DirectoryRepo, EventRecord, Ticket
from helpdesk.services.texts import TIME_FORMAT_PL

METRIC_LABELS_PL: dict[str, str] = {
    "reaction": "czas reakcji",
    "workaround": "obejście (rozwiązanie tymczasowe)",
    "fix": "naprawa",
}
SLA_EVENTS = frozenset({ev.SLA_WARNING, ev.SLA_BREACHED})


def priority_label(priority: object) -> str:
    """The Polish label of a priority ("awaria krytyczna"), or the value itself if unknown."""
    try:
        return PRIORITY_LABELS_PL[Priority(str(priority))]
    except ValueError:
        return str(priority or "")


def zone_of(change: Change) -> tzinfo:
    """The people's time zone: the one the change was stamped in (services/events.py)."""
    return change.at.tzinfo or UTC


def local_time(at: datetime, tz: tzinfo) -> str:
    """`at` as people read it: local date and minutes."""
    return at.astimezone(tz).strftime(TIME_FORMAT_PL)


def unique(people: Iterable[Person]) -> list[Person]:
    """People in order, each once."""
    seen: dict[int, Person] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())


def sla_audience(repo: DirectoryRepo, ticket: Ticket) -> list[Person]:
    """Who hears an SLA warning or breach: the contractor's agents and the coordinators."""
    agents = repo.people_by_role(Role.AGENT.value, ticket["contractor"]) if ticket["contractor"] else []
    return unique([*agents, *repo.people_by_role(Role.COORDINATOR.value)])


def first_line_audience(repo: DirectoryRepo, ticket: Ticket, level: int) -> list[Person]:
    """Who hears a first-line alert: level 1 the other leaders, level 2 representative and coordinators."""
    if level <= 1:
        leaders = repo.people_of_office(ticket["office"], Role.LEADER.value)
        return [p for p in leaders if p.id != ticket["author_id"]]
    representatives = repo.people_of_office(ticket["office"], Role.REPRESENTATIVE.value)
    return unique([*representatives, *repo.people_by_role(Role.COORDINATOR.value)])


def dedupe_key(ticket: Ticket, record: EventRecord) -> str:
    """What the notice is about, for the outbox's once-only key (recipient and channel are added)."""
    no = ticket["no"]
    if record["type"] == ev.FIRST_LINE_ALERT:
        return f"sla:{no}:first-line:{int(record.get('level') or 1)}"
    kind = "warn" if record["type"] == ev.SLA_WARNING else "breach"
    return f"sla:{no}:{record.get('metric') or record.get('clock') or 'sla'}:{kind}"


@dataclass(frozen=True)
class SlaFacts:
    """What an SLA warning or breach tells, in Polish, ready for any channel."""

    warning: bool
    metric: str
    share: int | None
    due: str | None
    elapsed_min: int | None
    target_min: int | None
    contract: str
    priority: str

    @property
    def headline(self) -> str:
        """The subject line: which clock, and how far it ran."""
        if self.warning:
            used = f" — wykorzystano {self.share}% czasu" if self.share is not None else ""
            return f"Ostrzeżenie SLA ({self.metric}){used}"
        return f"Przekroczenie SLA ({self.metric})"  # the mail subject adds ": <title>" after it

    @property
    def deadline(self) -> str | None:
        """The deadline sentence, when the clock's deadline is known."""
        if self.due is None:
            return None
        return f"Termin upływa {self.due}." if self.warning else f"Termin upłynął {self.due}."

    @property
    def elapsed(self) -> str | None:
        """Working time used of the contract's target, when known."""
        if self.elapsed_min is None or self.target_min is None:
            return None
        return f"Upłynęło: {duration(self.elapsed_min)} z {duration(self.target_min)} (czas roboczy umowy)."

    def lines(self, office: str) -> list[str]:
        """The details every channel shows under its opening line, one fact a line."""
        used = (
            f"Wykorzystano {self.share}% czasu umownego." if self.warning and self.share is not None else None
        )
        lines = [used, self.deadline, f"Urząd: {office}", f"Umowa: {self.contract}"]
        lines += [f"Priorytet: {self.priority}", self.elapsed]
        return [line for line in lines if line]


def sla_facts(change: Change, record: EventRecord, tz: tzinfo) -> SlaFacts:
    """The facts of one `sla_warning` / `sla_breached` event, with the clocks the sweep computed."""
    name = str(record.get("metric") or record.get("clock") or "")
    share = record.get("share")
    sla = change.sla
    metric = sla.metrics.get(name) if sla is not None else None
    return SlaFacts(
        warning=record["type"] == ev.SLA_WARNING,
        metric=METRIC_LABELS_PL.get(name, name or "SLA"),
        share=round(float(share) * 100) if isinstance(share, int | float) else None,
        due=local_time(metric.due_at, tz) if metric is not None and metric.due_at else None,
        elapsed_min=round(metric.elapsed / 60) if metric is not None else None,
        target_min=round(metric.target / 60) if metric is not None else None,
        contract=str(sla.contract if sla is not None else change.ticket["contract"] or "—"),
        priority=priority_label(sla.priority if sla is not None else change.ticket["priority"]),
    )


def first_line_lines(ticket: Ticket, office: str, tz: tzinfo) -> list[str]:
    """The details of a first-line alert: the office, and when the ticket was opened."""
    return [f"Urząd: {office}", f"Utworzono: {local_time(ticket['created_at'], tz)}"]


def office_label(repo: DirectoryRepo, ticket: Ticket) -> str:
    """The office as people know it: its name and TERYT code."""
    office = repo.get_office(ticket["office"])
    return f"{office.name} ({office.code})" if office else ticket["office"]

"""The rollout: each office's profile and readiness, its milestones, knowledge transfer, partners' systems.

Pure rules, no storage:

- who may edit what (`can_edit`): the representative edits their own office's profile, people and
  the office side of its milestones; coordinators (and admins) edit everything, the plan included;
  leaders, agents and auditors read;
- how a milestone's delay is split between the partner office and the contractor (`delay_split`):
  the time the milestone waited on the office (data not delivered, people not available, hardware
  not ready) is credited the way the SLA clocks credit a pause — the contractor is late only by
  what remains after the waiting;
- when a leader counts as trained for a component (`trained_on`): once every required kind of
  training for that component is done;
- what an office profile lacks (`missing`), named in Polish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role

EDIT_ALL_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Roles that edit every office, the plan and the registries."""
READ_ROLES = frozenset(
    {Role.COORDINATOR, Role.ADMIN, Role.AUDITOR, Role.AGENT, Role.LEADER, Role.REPRESENTATIVE}
)
"""Roles that read the rollout (officials see only their own tickets)."""


class Computerisation(StrEnum):
    """How an office handles its documents before the rollout."""

    PAPER = "papierowy"
    MIXED = "mieszany"
    ELECTRONIC = "elektroniczny"


COMPUTERISATION_LABELS_PL: dict[str, str] = {
    Computerisation.PAPER: "obieg papierowy",
    Computerisation.MIXED: "obieg mieszany (część spraw w systemie)",
    Computerisation.ELECTRONIC: "elektroniczny obieg dokumentów",
}

NEEDS_PL: dict[str, str] = {
    "sprzet": "sprzęt komputerowy",
    "skanery": "skanery",
    "lacze": "łącze internetowe",
    "podpisy": "podpisy kwalifikowane",
    "szkolenia": "dodatkowe szkolenia",
    "migracja": "migracja danych z dotychczasowego systemu",
    "organizacja": "zmiany organizacyjne (instrukcja kancelaryjna, JRWA)",
}
"""Needs an office may declare (short codes, shown with their Polish names)."""


class MilestoneKind(StrEnum):
    """The steps of an office's rollout plan, in order (a domain system adds `system:<id>`)."""

    READINESS = "gotowosc"
    LEADERS_TRAINED = "liderzy_przeszkoleni"
    PRESENTATION = "prezentacja"
    ESB_CONNECTED = "esb_podlaczona"
    EZD_PRODUCTION = "ezd_produkcja"


MILESTONE_LABELS_PL: dict[str, str] = {
    MilestoneKind.READINESS: "ocena gotowości urzędu",
    MilestoneKind.LEADERS_TRAINED: "liderzy przeszkoleni",
    MilestoneKind.PRESENTATION: "prezentacja dla użytkowników",
    MilestoneKind.ESB_CONNECTED: "podłączenie do szyny usług (ESB)",
    MilestoneKind.EZD_PRODUCTION: "EZD w produkcji",
}
SYSTEM_PREFIX = "system:"


class WaitReason(StrEnum):
    """Why a milestone waits on the office."""

    DATA = "dane"
    PEOPLE = "ludzie"
    HARDWARE = "sprzet"
    DECISION = "decyzja"


WAIT_REASON_LABELS_PL: dict[str, str] = {
    WaitReason.DATA: "urząd nie dostarczył danych",
    WaitReason.PEOPLE: "osoby z urzędu niedostępne",
    WaitReason.HARDWARE: "sprzęt urzędu nie jest gotowy",
    WaitReason.DECISION: "urząd nie podjął decyzji",
}


class TrainingKind(StrEnum):
    """The ways knowledge reaches people."""

    ELEARNING = "elearning"
    INSTRUCTION = "instruktaz"
    PRESENTATION = "prezentacja"


TRAINING_LABELS_PL: dict[str, str] = {
    TrainingKind.ELEARNING: "moduł e-learningowy",
    TrainingKind.INSTRUCTION: "instruktaż stanowiskowy",
    TrainingKind.PRESENTATION: "prezentacja dla użytkowników",
}

REQUIRED_FOR_LEADERS: frozenset[str] = frozenset({TrainingKind.ELEARNING, TrainingKind.INSTRUCTION})
"""A leader is trained for a component after its e-learning module and an on-the-job instruction."""

TRAINABLE_COMPONENTS: tuple[str, ...] = ("EZD", "ESB")
"""The core parts leaders are trained for: the records system and the service bus."""

COURSE_OF: dict[str, str] = {
    "EZD": "EZD",
    "EPUAP": "EZD",
    "PODPIS": "EZD",
    "SKANOWANIE": "EZD",
    "KONTO": "EZD",
    "ESB": "ESB",
    "SYSTEMY_DZIEDZINOWE": "ESB",
}
"""Which course covers a ticket's component: the ePUAP inbox, signatures, scanning and accounts are
taught within EZD's; domain systems reach the help-desk through the bus. Hardware, trainings and
organisation have no course."""

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MAX_NOTE = 4000
MAX_SHORT = 200


def check_slug(value: object, what: str) -> str:
    """An identifier of lower-case ascii letters, digits and hyphens, or InvalidInput."""
    if not isinstance(value, str) or not _SLUG.match(value):
        raise InvalidInput(f"{what} musi składać się z małych liter, cyfr i łączników (do 63 znaków)")
    return value


def parse_date(value: object, what: str) -> date:
    """A date written as YYYY-MM-DD, or InvalidInput naming the field."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"pole '{what}' musi być datą w postaci RRRR-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as err:
        raise InvalidInput(f"pole '{what}': '{value[:20]}' nie jest datą w postaci RRRR-MM-DD") from err


def parse_milestone_kind(value: object, systems: Iterable[str] = ()) -> str:
    """A milestone kind (`system:<id>` for a registered domain system) or InvalidInput."""
    if isinstance(value, str):
        if value in MilestoneKind.__members__.values():
            return value
        if value.startswith(SYSTEM_PREFIX) and value[len(SYSTEM_PREFIX) :] in set(systems):
            return value
    allowed = ", ".join([*MilestoneKind, f"{SYSTEM_PREFIX}<id systemu>"])
    raise InvalidInput(f"nieznany kamień milowy '{str(value)[:40]}' (dozwolone: {allowed})")


def milestone_label(kind: str, system_names: Mapping[str, str] | None = None) -> str:
    """The Polish name of a milestone."""
    if kind.startswith(SYSTEM_PREFIX):
        system = kind[len(SYSTEM_PREFIX) :]
        return f"podłączenie systemu dziedzinowego {(system_names or {}).get(system, system)}"
    return MILESTONE_LABELS_PL.get(kind, kind)


# --- who may edit what --------------------------------------------------------------------------
class Part(StrEnum):
    """What an edit touches."""

    PROFILE = "profile"  # type, size, computerisation, needs, notes
    PEOPLE = "people"  # stand-ins of the office's people
    PLAN = "plan"  # milestones, planned and actual dates, waiting opened
    OFFICE_SIDE = "office_side"  # a milestone's note from the office, the office's waiting ended
    TRAINING = "training"  # trainings and attendance
    SYSTEMS = "systems"  # the domain systems registry


OFFICE_PARTS = frozenset({Part.PROFILE, Part.PEOPLE, Part.OFFICE_SIDE})
"""What the representative edits, for their own office only."""


def can_edit(person: Person, part: Part, office: str | None = None) -> bool:
    """May `person` edit `part` (of `office`, where it belongs to one)?"""
    if person.role in EDIT_ALL_ROLES:
        return True
    return (
        person.role is Role.REPRESENTATIVE
        and part in OFFICE_PARTS
        and office is not None
        and person.jst == office
    )


def require_edit(person: Person, part: Part, office: str | None = None) -> None:
    """Forbidden (in Polish, naming who may) unless `person` may edit `part`."""
    if can_edit(person, part, office):
        return
    if part in OFFICE_PARTS:
        who = "przedstawiciel tego urzędu albo koordynator"
    else:
        who = "koordynator (Urząd Marszałkowski)"
    raise Forbidden(f"tę zmianę może wprowadzić tylko {who}")


def require_read(person: Person) -> None:
    """Forbidden for roles that do not read the rollout."""
    if person.role not in READ_ROLES:
        raise Forbidden("harmonogram wdrożenia i profile urzędów są niedostępne dla tej roli")


# --- milestones and the partner's share of delay ------------------------------------------------
@dataclass(frozen=True)
class Wait:
    """A period a milestone waited on the office (end None: still waiting)."""

    start: date
    end: date | None
    reason: str
    note: str = ""


@dataclass(frozen=True)
class DelaySplit:
    """A milestone's delay in days and who it is due to."""

    delay_days: int
    office_days: int  # the partner's share: waiting on the office
    contractor_days: int
    waiting_days: int  # all the waiting on the office up to the milestone's end
    waiting_now: bool

    @property
    def attributed_to(self) -> str | None:
        """`urzad`, `wykonawca`, `oba` or None (not late)."""
        if self.delay_days <= 0:
            return None
        if self.contractor_days == 0:
            return "urzad"
        if self.office_days == 0:
            return "wykonawca"
        return "oba"


ATTRIBUTION_PL = {"urzad": "po stronie urzędu", "wykonawca": "po stronie Wykonawcy", "oba": "obie strony"}


def waiting_days(waits: Sequence[Wait], until: date) -> int:
    """Days of waiting on the office up to `until` (overlapping periods counted once)."""
    days: set[int] = set()
    for wait in waits:
        end = min(wait.end or until, until)
        days.update(range(wait.start.toordinal(), end.toordinal()))
    return len(days)


def delay_split(planned: date | None, done: date | None, waits: Sequence[Wait], today: date) -> DelaySplit:
    """Split a milestone's delay between the office and the contractor.

    The delay is the days past the planned date (to the actual date, or to `today` while not
    done). As the SLA clocks stop while the contractor waits for the office, the waiting on the
    office is the office's share of the delay; only what remains is the contractor's.
    """
    end = done or today
    waited = waiting_days(waits, end)
    waiting_now = done is None and any(w.end is None or w.end > today for w in waits if w.start <= today)
    if planned is None:
        return DelaySplit(0, 0, 0, waited, waiting_now)
    delay = max(0, (end - planned).days)
    contractor = max(0, delay - waited)
    return DelaySplit(delay, delay - contractor, contractor, waited, waiting_now)


def milestone_status(planned: date | None, done: date | None, split: DelaySplit, today: date) -> str:
    """done | late | waiting | planned | unplanned."""
    if done is not None:
        return "done"
    if split.waiting_now:
        return "waiting"
    if planned is None:
        return "unplanned"
    return "late" if today > planned else "planned"


STATUS_LABELS_PL = {
    "done": "wykonany",
    "late": "opóźniony",
    "waiting": "czeka na urząd",
    "planned": "zaplanowany",
    "unplanned": "bez terminu",
}


def who_waits(status: str, split: DelaySplit) -> str | None:
    """Who is waiting for whom, in Polish (None when nobody is)."""
    if status == "waiting":
        return "Wykonawca czeka na urząd"
    if status == "late":
        return "urząd czeka na Wykonawcę"
    return None


# --- knowledge transfer -------------------------------------------------------------------------
@dataclass(frozen=True)
class Attendance:
    """One person's completed training."""

    kind: str
    component: str
    on: date


def trained_on(attended: Iterable[Attendance], component: str) -> date | None:
    """The day a person became trained for `component`: when the last required kind was first done.

    None while any required kind of training for the component is missing.
    """
    first: dict[str, date] = {}
    for a in attended:
        if a.component == component and a.kind in REQUIRED_FOR_LEADERS:
            first[a.kind] = min(first.get(a.kind, a.on), a.on)
    if set(first) != set(REQUIRED_FOR_LEADERS):
        return None
    return max(first.values())


def trainable(components: Iterable[str]) -> list[str]:
    """The components of an office its leaders are trained for, in the registry's order."""
    wanted = set(components)
    return [c for c in TRAINABLE_COMPONENTS if c in wanted]


# --- completeness --------------------------------------------------------------------------------
@dataclass
class PeopleFacts:
    """The office's people as the completeness check needs them."""

    representatives: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    standins: dict[str, str] = field(default_factory=dict)  # login → stand-in's login
    untrained: dict[str, list[str]] = field(default_factory=dict)  # leader → components not trained
    leaders_max: int = 3


def missing(
    people: PeopleFacts, computerisation: str | None, names: Mapping[str, str] | None = None
) -> list[str]:
    """What the office profile lacks, each point a Polish sentence (empty: complete)."""
    names = names or {}
    out: list[str] = []
    if not people.representatives:
        out.append("brak przedstawiciela urzędu")
    elif people.representatives[0] not in people.standins:
        out.append(
            f"przedstawiciel {names.get(people.representatives[0], people.representatives[0])} nie ma zastępcy"
        )
    if not people.leaders:
        out.append("brak lidera (użytkownika kluczowego)")
    if len(people.leaders) > people.leaders_max:
        out.append(f"liderów jest {len(people.leaders)}, a limit urzędu wynosi {people.leaders_max}")
    for leader in people.leaders:
        name = names.get(leader, leader)
        if leader not in people.standins:
            out.append(f"lider {name} nie ma zastępcy")
        gaps = people.untrained.get(leader)
        if gaps:
            out.append(f"lider {name} nie jest przeszkolony z: {', '.join(gaps)}")
    if not computerisation:
        out.append("nie opisano stanu informatyzacji urzędu")
    return out


# --- partners' domain systems -------------------------------------------------------------------
@dataclass(frozen=True)
class DomainSystem:
    """A partner's domain system attached to the bus, and who supports it under which contract.

    `contract` names the contract (sla/contracts) its tickets are escalated under; None means the
    supporter has no contract with the help-desk, so its tickets cannot be escalated here.
    """

    id: str
    name: str
    supplier: str
    supporter: str
    contract: str | None = None
    offices: tuple[str, ...] = ()
    bus_services: tuple[str, ...] = ()


def parse_codes(value: object, what: str) -> tuple[str, ...]:
    """A list of short codes from JSON (list of strings) or a `;`-separated text."""
    if value is None:
        return ()
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise InvalidInput(f"pole '{what}' musi być listą tekstów")
    out = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
    if any(len(i) > MAX_SHORT for i in out):
        raise InvalidInput(f"pole '{what}': element za długi (limit {MAX_SHORT} znaków)")
    return out

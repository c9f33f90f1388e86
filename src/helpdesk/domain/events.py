"""Ticket events: canonical JSON, the SHA-256 hash chain, personal content, and the ticket projection.

An event record, as the services use it, is a flat JSON object: `ticket`, `seq`, `at`, `type`,
`actor` and the event's own fields (`contract`, `priority`, `text`, …).

In the log (the database and `helpdesk audit export`) the event's *personal content* — the fields
of PERSONAL_KEYS: free texts, titles, file names — is kept apart, under `personal`, together with a
random `salt`; the record carries `personal_sha256`, the SHA-256 of the canonical JSON of that
`personal` object. `hash` = SHA-256(prev + canonical JSON of the record without `prev`, `hash` and
`personal`); `prev` is the hash of the event before it in the whole log. So the chain covers the
personal content through its digest, and the content can be removed when its retention period
ends (`personal` becomes null) while every hash still verifies. The salt makes the digest of a
removed text useless for guessing it. The README's "Audit log" section describes the same rules
for auditors.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from helpdesk.domain.tickets import Action, State

GENESIS_HASH = "0" * 64
PERSONAL = "personal"
PERSONAL_DIGEST = "personal_sha256"
SALT = "salt"
RESERVED_KEYS = frozenset({"ticket", "seq", "at", "type", "actor", "prev", "hash", PERSONAL, PERSONAL_DIGEST})
PERSONAL_KEYS = frozenset({"title", "description", "text", "filename", "from_name", "from_addr"})
"""Event fields that are personal content: kept under `personal`, removed after retention."""
NOT_HASHED = frozenset({"prev", "hash", PERSONAL})
LOG_TICKET = 0
"""The ticket number (`T-000000`) of events about the log itself, such as its re-anchoring."""
REDACTED_TEXT = "[usunięto po upływie okresu przechowywania danych osobowych]"

# Event types.
CREATED = "created"
ASSIGNED = "assigned"
COMMENTED = "commented"
REPLIED = "replied"
PAUSED = "paused"
RESUMED = "resumed"
ESCALATED = "escalated"
ACKNOWLEDGED = "acknowledged"
WORKAROUND = "workaround"
RESOLVED = "resolved"
REOPENED = "reopened"
CLOSED = "closed"
PRIORITY_CHANGED = "priority_changed"
COMPONENT_CHANGED = "component_changed"
SLA_WARNING = "sla_warning"
SLA_BREACHED = "sla_breached"
FIRST_LINE_ALERT = "first_line_alert"
KB_ANSWERED = "kb_answered"
ATTACHMENT_ADDED = "attachment_added"
PERSONAL_DATA_REMOVED = "personal_data_removed"
LOG_REANCHORED = "log_reanchored"

EVENT_LABELS_PL: dict[str, str] = {
    CREATED: "zgłoszenie otwarte",
    ASSIGNED: "przejęte przez lidera",
    COMMENTED: "komentarz",
    REPLIED: "odpowiedź",
    PAUSED: "czeka na urząd",
    RESUMED: "wznowione",
    ESCALATED: "przekazane Wykonawcy",
    ACKNOWLEDGED: "przyjęte przez Wykonawcę",
    WORKAROUND: "obejście udostępnione",
    RESOLVED: "rozwiązane",
    REOPENED: "ponownie otwarte",
    CLOSED: "zamknięte",
    PRIORITY_CHANGED: "zmiana priorytetu",
    COMPONENT_CHANGED: "zmiana komponentu",
    SLA_WARNING: "ostrzeżenie SLA",
    SLA_BREACHED: "przekroczony termin SLA",
    FIRST_LINE_ALERT: "przypomnienie pierwszej linii",
    KB_ANSWERED: "odpowiedź z bazy wiedzy",
    ATTACHMENT_ADDED: "dodany załącznik",
    PERSONAL_DATA_REMOVED: "usunięte dane osobowe",
    LOG_REANCHORED: "nowa kotwica dziennika",
}
"""What each event is called where people read the history of a ticket."""
INTERNAL_EVENTS = frozenset({FIRST_LINE_ALERT, SLA_WARNING, SLA_BREACHED, LOG_REANCHORED})
"""Events about the desk's own clocks and log: not shown to the official who asked."""

ACTION_EVENT: dict[Action, str] = {
    Action.TAKE: ASSIGNED,
    Action.COMMENT: COMMENTED,
    Action.REPLY: REPLIED,
    Action.WAIT_FOR_OFFICE: PAUSED,
    Action.RESUME: RESUMED,
    Action.ESCALATE: ESCALATED,
    Action.ACKNOWLEDGE: ACKNOWLEDGED,
    Action.WORKAROUND: WORKAROUND,
    Action.RESOLVE: RESOLVED,
    Action.REOPEN: REOPENED,
    Action.CLOSE: CLOSED,
    Action.SET_PRIORITY: PRIORITY_CHANGED,
    Action.SET_COMPONENT: COMPONENT_CHANGED,
}


def format_at(at: datetime) -> str:
    """ISO 8601 with offset and whole seconds, the form stored and hashed."""
    if at.tzinfo is None:
        raise ValueError("event time must be timezone-aware")
    return at.isoformat(timespec="seconds")


def dumps_canonical(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept as is: the one serialisation that is ever hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(record: Mapping[str, Any]) -> str:
    """The record's hashed form: everything but `prev`, `hash` and `personal`, canonically."""
    return dumps_canonical({k: v for k, v in record.items() if k not in NOT_HASHED})


def chain_hash(prev: str, record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over `prev` followed by the record's canonical JSON."""
    return hashlib.sha256((prev + canonical_json(record)).encode("utf-8")).hexdigest()


def personal_digest(personal: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a `personal` object's canonical JSON (salt included)."""
    return hashlib.sha256(dumps_canonical(personal).encode("utf-8")).hexdigest()


def seal(record: Mapping[str, Any], salt: str) -> dict[str, Any]:
    """The log form of a flat record: personal fields moved under `personal` (with `salt`) and
    their digest in `personal_sha256`. A record without personal fields is returned unchanged."""
    personal = {k: v for k, v in record.items() if k in PERSONAL_KEYS}
    out = {k: v for k, v in record.items() if k not in PERSONAL_KEYS and k != PERSONAL}
    if personal:
        sealed = {SALT: salt, **personal}
        out[PERSONAL] = sealed
        out[PERSONAL_DIGEST] = personal_digest(sealed)
    return out


def unseal(record: Mapping[str, Any]) -> dict[str, Any]:
    """The flat form of a log record: personal fields back at the top (without the salt); a record
    whose personal content was removed gets REDACTED_TEXT as its `text`."""
    out = {k: v for k, v in record.items() if k != PERSONAL}
    personal = record.get(PERSONAL)
    if isinstance(personal, Mapping):
        out.update((k, v) for k, v in personal.items() if k != SALT)
    elif record.get(PERSONAL_DIGEST):
        out["text"] = REDACTED_TEXT
        out["redacted"] = True
    return out


def legacy_record(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record as the log hashed it before personal content was kept apart (flat, no digest),
    or None when its personal content has been removed and the old form cannot be rebuilt."""
    if record.get(PERSONAL_DIGEST) and not isinstance(record.get(PERSONAL), Mapping):
        return None
    flat = unseal(record)
    flat.pop(PERSONAL_DIGEST, None)
    return flat


def make_record(
    ticket: str, seq: int, at: datetime, type_: str, actor: str | None, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build a flat event record; `data` keys may not shadow the reserved ones."""
    record: dict[str, Any] = {"ticket": ticket, "seq": seq, "at": format_at(at), "type": type_}
    if actor is not None:
        record["actor"] = actor
    for key, value in (data or {}).items():
        if key in RESERVED_KEYS:
            raise ValueError(f"event data may not use the reserved key {key!r}")
        if value is not None:
            record[key] = value
    return record


@dataclass(frozen=True)
class ChainBreak:
    """The first event whose stored hash or link does not match."""

    position: int  # 1-based position in the log
    ticket: str
    seq: int
    reason: str


def verify_chain(records: Iterable[Mapping[str, Any]]) -> tuple[int, ChainBreak | None]:
    """Walk the log in order; return (events checked, first break or None)."""
    prev = GENESIS_HASH
    count = 0
    for count, record in enumerate(records, start=1):
        ticket, seq = str(record.get("ticket")), int(record.get("seq") or 0)
        if record.get("prev") != prev:
            return count, ChainBreak(
                count,
                ticket,
                seq,
                "link to the previous event does not match (an event was inserted, deleted or reordered)",
            )
        if chain_hash(prev, record) != record.get("hash"):
            return count, ChainBreak(count, ticket, seq, "content does not match its hash (altered)")
        prev = str(record["hash"])
    return count, None


@dataclass
class TicketView:
    """The ticket as its events make it: the projection stored in the ticket row."""

    state: State = State.NEW
    escalated: bool = False
    contract: str | None = None
    priority: str | None = None
    assignee: str | None = None
    resume_state: State | None = None
    last_seq: int = 0
    history: list[str] = field(default_factory=list)


_STATE_AFTER: dict[str, State] = {
    ASSIGNED: State.IN_PROGRESS,
    ESCALATED: State.ESCALATED,
    ACKNOWLEDGED: State.ACKNOWLEDGED,
    WORKAROUND: State.WORKAROUND,
    RESOLVED: State.RESOLVED,
    REOPENED: State.REOPENED,
    CLOSED: State.CLOSED,
}


def apply_event(view: TicketView, record: Mapping[str, Any]) -> TicketView:
    """Fold one event into the view (in place) and return it."""
    type_ = str(record["type"])
    view.last_seq = max(view.last_seq, int(record.get("seq") or 0))
    if type_ == CREATED:
        view.priority = record.get("priority") or view.priority
    elif type_ == ASSIGNED:
        view.assignee = record.get("assignee") or record.get("actor")
    elif type_ == ESCALATED and not view.escalated:
        view.escalated = True
        view.contract = record.get("contract")
        view.priority = record.get("priority") or view.priority
    elif type_ == PRIORITY_CHANGED:
        view.priority = record.get("priority") or view.priority
    if type_ == PAUSED:
        view.resume_state = view.state
        view.state = State.WAITING
    elif type_ == RESUMED:
        view.state = view.resume_state or (State.ESCALATED if view.escalated else State.IN_PROGRESS)
        view.resume_state = None
    elif type_ in _STATE_AFTER and not (type_ == ASSIGNED and view.escalated):
        view.state = _STATE_AFTER[type_]
    return view


def project(records: Iterable[Mapping[str, Any]]) -> TicketView:
    """Rebuild a ticket's view from all its events."""
    view = TicketView()
    for record in sorted(records, key=lambda r: int(r.get("seq") or 0)):
        apply_event(view, record)
    return view

"""Ticket use cases: open, act (take, escalate, acknowledge, …), attach files, read and list —
role-scoped.

Every change appends its events through the event recorder (services/events.py) inside one write
transaction that also updates the ticket projection, and the recorder's listeners queue the
notices (outbox) in it, so a change and its notices commit together.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from helpdesk.domain import events as ev
from helpdesk.domain.errors import Conflict, Forbidden, HelpdeskError, InvalidInput, NotFound
from helpdesk.domain.inputs import check_text, clean_line, clean_multiline
from helpdesk.domain.offices import COMPONENT_LABELS_PL, parse_component
from helpdesk.domain.people import Person, TicketScope, can_see
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.sla import NextTarget
from helpdesk.domain.tickets import (
    CREATE_ROLES,
    PRIORITY_LABELS_PL,
    STATE_LABELS_PL,
    Action,
    Priority,
    State,
    allowed_actions,
    find_rule,
    format_ticket_id,
    parse_action,
    parse_priority,
    parse_ticket_id,
)
from helpdesk.services.events import EventRecorder
from helpdesk.services.ports import (
    Clock,
    Database,
    EventListener,
    EventRecord,
    EventRepo,
    Ticket,
    TrainingRepo,
)

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_PER_PAGE = 200
LIST_FILTERS = (
    "status",
    "office",
    "priority",
    "escalated",
    "q",
    "component",
    "assignee",
    "breached",
    "sort",
    "system",
)
SORTS: dict[str, str] = {
    "newest": "najnowsze",
    "oldest": "najstarsze",
    "updated": "ostatnio zmienione",
    "priority": "priorytet",
    "deadline": "najbliższy termin SLA",
    "first_line": "termin 1. linii (przekroczone najpierw)",
}
"""Orders of a ticket list (`sort`), with their Polish names; the store knows each by its key."""
NO_ASSIGNEE = "none"
"""`assignee=none`: tickets nobody has taken."""
OFFICE_SIDE = frozenset({Role.OFFICIAL, Role.LEADER, Role.REPRESENTATIVE})
"""Who answers for the office when a ticket waits for it."""
OFFICE_ANSWER = "office_answer"
"""The `reason` of a `resumed` event that the office's answer appended by itself."""


class SlaPolicy(Protocol):
    """What the ticket service needs from the SLA engine (services/sla/live.py implements it)."""

    def choose_contract(
        self, component: str | None, priority: str, at: datetime, office: str | None = None
    ) -> tuple[str, str]:
        """(contract id, contractor) that covers this ticket now, the most specific; Conflict if none."""
        ...

    def check_priority(self, contract: str, priority: str) -> None:
        """Conflict if the contract has no terms for `priority`."""
        ...

    def clocks(self, records: Sequence[EventRecord], now: datetime) -> dict[str, Any] | None:
        """The live SLA clocks of a ticket (None when never escalated)."""
        ...

    def next_deadline(self, records: Sequence[EventRecord], now: datetime) -> datetime | None:
        """The next instant the sweep must look at this ticket."""
        ...

    def contractual_due(self, records: Sequence[EventRecord], now: datetime) -> datetime | None:
        """When the first running contractor clock breaches if it keeps running (None: none runs)."""
        ...

    def first_line_due(self, office: str, at: datetime, priority: str | None = None) -> datetime | None:
        """When an untaken ticket must be raised to other leaders."""
        ...

    def first_line(self, records: Sequence[EventRecord], now: datetime) -> dict[str, Any] | None:
        """The first line's clocks of a ticket (None without office terms)."""
        ...

    def first_line_next(self, records: Sequence[EventRecord], now: datetime) -> NextTarget | None:
        """The leaders' next running target of a ticket (None when none runs)."""
        ...


class RolloutHooks(Protocol):
    """What tickets need from the rollout (services/rollout/service.py implements it): partners'
    domain systems and their routing at escalation, and whether the office's leaders are trained."""

    def check_system(self, system_id: Any, office: str) -> str:
        """The id of a registered domain system the office uses, or InvalidInput."""
        ...

    def route(self, system_id: str, priority: str, at: datetime) -> tuple[str, str]:
        """(contract, contractor) of the system's own supporter; Conflict when it has none."""
        ...

    def leaders_trained_in(
        self, tx: TrainingRepo, office: str, component: str | None
    ) -> dict[str, Any] | None:
        """Whether the office's leaders are trained for `component` (None: nothing to train), read
        in the caller's transaction."""
        ...

    def system_name(self, system_id: str) -> str | None:
        """The registered name of a domain system (None when the registry no longer has it)."""
        ...


class AccessRecorder(Protocol):
    """Where reads of other offices' tickets are recorded (services/access_log.py)."""

    def record(self, reader: Person, ticket_no: int, office: str, what: str) -> None:
        """Keep one read, if the reader's role is one whose reads are logged."""
        ...


class Upload(Protocol):
    """A file someone attaches to a ticket (a mail attachment, a photo sent to the bot)."""

    @property
    def filename(self) -> str:
        """Its name as the sender gave it (made safe by the channel)."""
        ...

    @property
    def content_type(self) -> str:
        """Its MIME type."""
        ...

    @property
    def data(self) -> bytes:
        """Its bytes."""
        ...


@dataclass(frozen=True)
class NewTicket:
    """What a person asks for when opening a ticket."""

    title: str
    description: str
    component: str | None = None
    priority: str | None = None
    office: str | None = None
    channel: str = "api"
    attachments: Sequence[Upload] = ()
    unverified: bool = False  # came by mail whose sender could not be authenticated
    system: str | None = None  # a partner's domain system the ticket is about


@dataclass(frozen=True)
class File:
    """An `Upload` given by its parts."""

    filename: str
    content_type: str
    data: bytes


def _clean_text(value: Any, field: str, limit: int, *, required: bool, line: bool = False) -> str:
    """A text field as stored: storable characters only; a one-line field (`line`, the title) without
    line breaks or control characters, a longer one with LF line ends only."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"pole '{field}' musi być tekstem")
    check_text(value, field)
    text = (clean_line(value) if line else clean_multiline(value)).strip()
    if required and not text:
        raise InvalidInput(f"pole '{field}' jest wymagane")
    if len(text) > limit:
        raise InvalidInput(f"pole '{field}' jest za długie (limit {limit} znaków)")
    return text


def first_line_overdue(row: Ticket) -> bool:
    """Whether the office's leaders missed the `take` target: the ticket is still new, untaken and
    not with the contractor, and the sweep has raised at least the first alert about it."""
    return (
        row["state"] == State.NEW.value
        and not row["assignee"]
        and not row["escalated"]
        and int(row["first_line_level"] or 0) >= 1
    )


def _scope(row: Ticket) -> TicketScope:
    return TicketScope(office=row["office"], author_id=row["author_id"], contractor=row["contractor"])


class TicketService:
    """Opening tickets and acting on them."""

    def __init__(
        self,
        db: Database[EventRepo],
        clock: Clock,
        recorder: EventRecorder,
        sla: SlaPolicy | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.recorder = recorder
        self.tz = recorder.tz
        self.sla = sla
        self.access_log: AccessRecorder | None = None
        self.rollout: RolloutHooks | None = None
        # The region overview as last computed, with the log's event count it was computed at.
        self._overview: tuple[int, list[dict[str, Any]]] | None = None

    @property
    def listeners(self) -> list[EventListener]:
        """The recorder's listeners: channels add their notifiers here."""
        return self.recorder.listeners

    # --- writing ------------------------------------------------------------------------
    def create(self, actor: Person, request: NewTicket) -> dict[str, Any]:
        """Open a ticket for `actor`'s office (a coordinator names the office)."""
        return self.present(self.db.write(self._opening(actor, request)[1]), actor)

    def create_each(self, requests: list[tuple[Person, NewTicket]]) -> list[dict[str, Any] | Exception]:
        """`create` for several (actor, request) pairs handed over at once (a burst of API requests):
        their writes queued together, so they usually share one transaction; each gets its own
        ticket or the error it alone ended with (a refused one never stops the others)."""
        refused: dict[int, Exception] = {}
        work: list[tuple[int, Callable[[EventRepo], Ticket]]] = []
        wanted: list[tuple[str, int]] = []
        for i, (actor, request) in enumerate(requests):
            try:
                office, opening = self._opening(actor, request)
            except HelpdeskError as err:
                refused[i] = err
                continue
            work.append((i, opening))
            wanted.append((office, actor.id))
        if len(work) > 1:
            # What every ticket's notices will ask for, read by the first unit in one round trip
            # (before the chain head's lock when the batch starts with it), not one per office.
            first = work[0][1]

            def read_ahead_then_open(tx: EventRepo) -> Ticket:
                tx.offices_for_notices(wanted, (Role.LEADER.value,))
                return first(tx)

            work[0] = (work[0][0], read_ahead_then_open)
        written = dict(zip((i for i, _ in work), self.db.write_each([fn for _, fn in work]), strict=True))
        out: list[dict[str, Any] | Exception] = []
        for i, (actor, _request) in enumerate(requests):
            row = written.get(i, refused.get(i))
            assert row is not None
            out.append(row if isinstance(row, Exception) else self.present(row, actor))
        return out

    def _opening(self, actor: Person, request: NewTicket) -> tuple[str, Callable[[EventRepo], Ticket]]:
        """The checked request's office, and the unit of work that opens its ticket (a
        HelpdeskError if refused)."""
        if actor.role not in CREATE_ROLES:
            raise Forbidden(f"rola '{actor.role.value}' nie może zakładać zgłoszeń")
        title = _clean_text(request.title, "title", MAX_TITLE, required=True, line=True)
        description = _clean_text(request.description, "description", MAX_TEXT, required=False)
        component = parse_component(request.component) if request.component else None
        priority = parse_priority(request.priority).value if request.priority else Priority.NORMAL.value
        office_code = actor.jst if actor.role is not Role.COORDINATOR else request.office
        if not office_code:
            raise InvalidInput("koordynator musi podać urząd (pole 'office')")
        system = self._system(request.system, office_code)
        if system and component is None:
            component = "SYSTEMY_DZIEDZINOWE"
        now = self.recorder.stamp(self.clock.now())

        def _do(tx: EventRepo) -> Ticket:
            # The office's leaders and the author are what the notices of a new ticket ask for.
            if tx.office_for_notices(office_code, actor.id, (Role.LEADER.value,)) is None:
                raise InvalidInput(f"nieznany urząd '{office_code}'")
            first_line_due = self.sla.first_line_due(office_code, now, priority) if self.sla else None
            fields = {
                "office": office_code,
                "author_id": actor.id,
                "title": title,
                "description": description,
                "component": component,
                "priority": priority,
                "state": State.NEW.value,
                "channel": request.channel,
                "first_line_due": first_line_due,
                "system": system,
            }
            data = {
                "title": title,
                "description": description,
                "component": component,
                "priority": priority,
                "office": office_code,
                "channel": request.channel,
                "unverified": True if request.unverified else None,
                "system": system,
            }
            row, record = self.recorder.open(tx, fields, data, actor.login, now)
            records = [record, *self._store_files(tx, row["no"], actor, request.attachments, now)]
            if len(records) > 1:
                row = tx.ticket(row["no"]) or row
            self.recorder.publish(tx, row, records, now)
            return row

        return office_code, _do

    def act(
        self,
        actor: Person,
        ticket_id: str,
        action_name: Any,
        *,
        text: Any = None,
        priority: Any = None,
        contract: Any = None,
        component: Any = None,
        assignee: Any = None,
        attachments: Sequence[Upload] = (),
        unverified: bool = False,
        system: Any = None,
    ) -> dict[str, Any]:
        """Do one action on a ticket as `actor` (with files that came with it), returning the ticket.

        `action_name`, `text`, `priority`, `contract` and `component` come as people sent them (JSON,
        forms) and are checked here. `component` is what `set_component` sets; with `escalate` it is
        set first (its own event), so a ticket that came without one (by mail) can still be escalated.
        `assignee` (a login) with `take` gives the ticket to another leader of its office. `unverified` marks an action whose sender could not be authenticated (mail):

        `system` (with `escalate` only) names the partner's domain system the ticket is about: it is
        then escalated to that system's supporter under its contract (services/rollout/).
        its event says so, and nobody is told of it in the actor's name.
        """
        if not isinstance(action_name, str):
            raise InvalidInput("pole 'action' jest wymagane")
        action = parse_action(action_name)
        no = parse_ticket_id(ticket_id)
        body = _clean_text(text, "text", MAX_TEXT, required=action in (Action.COMMENT, Action.REPLY))
        new_priority = parse_priority(priority).value if isinstance(priority, str) and priority else None
        if priority is not None and not isinstance(priority, str):
            raise InvalidInput("pole 'priority' musi być tekstem")
        if component is not None and not isinstance(component, str):
            raise InvalidInput("pole 'component' musi być tekstem")
        new_component = parse_component(component) if component else None
        if new_component is not None and action not in (Action.SET_COMPONENT, Action.ESCALATE):
            raise InvalidInput("pole 'component' przyjmują tylko akcje 'set_component' i 'escalate'")
        if assignee is not None and (not isinstance(assignee, str) or action is not Action.TAKE):
            raise InvalidInput("pole 'assignee' (login lidera) przyjmuje tylko akcja 'take'")
        if system is not None and action is not Action.ESCALATE:
            raise InvalidInput("pole 'system' można podać tylko przy akcji 'escalate'")
        now = self.recorder.stamp(self.clock.now())

        def _do(tx: EventRepo) -> Ticket:
            row = self._visible(tx, actor, no, lock=True)
            state = State(row["state"])
            find_rule(action, actor.role, state, bool(row["escalated"]))
            records: list[EventRecord] = []
            if action is Action.ESCALATE and new_component and new_component != row["component"]:
                records += self._apply(
                    tx, actor, row, Action.SET_COMPONENT, "", None, None, now, unverified, new_component
                )
                row = tx.ticket(no, lock=True) or row
            if system is not None:  # after the component's own event, which reads the row again
                row = cast(Ticket, {**row, "system": self._system(system, row["office"])})
            if assignee:
                self._check_leader(tx, row, assignee)
            records += self._apply(
                tx, actor, row, action, body, new_priority, contract, now, unverified, new_component, assignee
            )
            records += self._store_files(tx, no, actor, attachments, now)
            return self._publish(tx, no, records, now)

        return self.present(self.db.write(_do), actor)

    def attach(self, actor: Person, ticket_id: str, upload: Upload) -> dict[str, Any]:
        """Attach a file to a ticket `actor` may see; returns the stored file (id, name, size, SHA-256)."""
        if actor.role is Role.AUDITOR:  # auditors read everything and change nothing
            raise Forbidden("audytor ma wgląd tylko do odczytu: nie dołącza plików do zgłoszeń")
        no = parse_ticket_id(ticket_id)
        now = self.recorder.stamp(self.clock.now())

        def _do(tx: EventRepo) -> dict[str, Any]:
            self._visible(tx, actor, no, lock=True)
            [record] = self._store_files(tx, no, actor, [upload], now)
            self._publish(tx, no, [record], now)
            stored = {k: record[k] for k in ("filename", "size", "sha256")}
            return {"id": record["attachment_id"], **stored, "ticket": format_ticket_id(no)}

        return self.db.write(_do)

    def attachment(self, actor: Person, ticket_id: str, attachment_id: int) -> File:
        """One file of a ticket `actor` may see (NotFound for any other)."""
        no = parse_ticket_id(ticket_id)

        def _do(tx: EventRepo) -> File:
            self._visible(tx, actor, no)
            for row in tx.mail_attachments(no):
                if row["id"] == attachment_id and row.get("data") is not None:
                    return File(str(row["filename"]), str(row["content_type"]), bytes(row["data"]))
            raise NotFound(f"zgłoszenie {format_ticket_id(no)} nie ma załącznika nr {attachment_id}")

        return self.db.read(_do)

    @staticmethod
    def _check_leader(tx: EventRepo, row: Ticket, login: str) -> None:
        """A ticket is given only to an active leader of its own office."""
        person = tx.person_by("login", login)
        if person is None or person.role is not Role.LEADER or person.jst != row["office"]:
            raise InvalidInput(f"'{login[:60]}' nie jest liderem urzędu tego zgłoszenia")

    def leaders_of(self, actor: Person, ticket_id: str) -> list[Person]:
        """The leaders of the ticket's office (to give it to one of them)."""
        no = parse_ticket_id(ticket_id)

        def _do(tx: EventRepo) -> list[Person]:
            row = self._visible(tx, actor, no)
            return tx.people_of_office(row["office"], Role.LEADER.value)

        return self.db.read(_do)

    def _system(self, system: Any, office: str) -> str | None:
        """The domain system a ticket names, checked against the registry (None when not named)."""
        if system is None or system == "":
            return None
        if self.rollout is None:
            raise InvalidInput("rejestr systemów dziedzinowych jest niedostępny")
        return self.rollout.check_system(system, office)

    def _visible(self, tx: EventRepo, actor: Person, no: int, *, lock: bool = False) -> Ticket:
        row = tx.ticket(no, lock=lock)
        if row is None or not can_see(actor, _scope(row)):
            raise NotFound(f"nie ma zgłoszenia {format_ticket_id(no)}")
        return row

    def _publish(self, tx: EventRepo, no: int, records: list[EventRecord], now: datetime) -> Ticket:
        """Let the listeners hear `records` with the ticket as they left it; returns that ticket."""
        row = tx.ticket(no)
        assert row is not None  # locked by this transaction
        self.recorder.publish(tx, row, records, now)
        return row

    def _store_files(
        self, tx: EventRepo, no: int, actor: Person, uploads: Sequence[Upload], now: datetime
    ) -> list[EventRecord]:
        """Store files of ticket `no`, each with its `attachment_added` event."""
        records = []
        for upload in uploads:
            stored = tx.add_attachment(no, upload.filename, upload.content_type, upload.data, now)
            data = {
                "filename": stored["filename"],
                "size": stored["size"],
                "sha256": stored["sha256"],
                "attachment_id": stored["id"],
            }
            records.append(self.recorder.append(tx, no, ev.ATTACHMENT_ADDED, actor.login, now, data))
        return records

    def _apply(
        self,
        tx: EventRepo,
        actor: Person,
        row: Ticket,
        action: Action,
        text: str,
        priority: str | None,
        contract: Any,
        now: datetime,
        unverified: bool = False,
        component: str | None = None,
        assignee: str | None = None,
    ) -> list[EventRecord]:
        """Append the events of one action and update the projection."""
        no = row["no"]
        data: dict[str, Any] = {"text": text or None, "unverified": True if unverified else None}
        if action is Action.SET_COMPONENT:
            if component is None:
                raise InvalidInput("akcja 'set_component' wymaga pola 'component'")
            if component == row["component"]:
                raise Conflict(f"zgłoszenie ma już komponent '{component}'")
            data["component"] = component
        elif action is Action.ESCALATE:
            data.update(self._escalation(row, priority, contract, now))
        elif action is Action.SET_PRIORITY:
            if priority is None:
                raise InvalidInput("akcja 'set_priority' wymaga pola 'priority'")
            if priority == row["priority"]:
                raise Conflict(f"zgłoszenie ma już priorytet '{priority}'")
            if row["escalated"] and self.sla and row["contract"]:
                self.sla.check_priority(row["contract"], priority)
            data["priority"] = priority
        elif action is Action.TAKE:
            data["assignee"] = assignee or actor.login
        record = self.recorder.append(tx, no, ev.ACTION_EVENT[action], actor.login, now, data)
        records = [record]
        if self._answers_the_waiting(actor, row, action, unverified):
            # The office's answer ends the waiting at the minute it arrives: the contractor's clocks
            # run again from here, and the `resumed` event tells the agents (services/notify/).
            records.append(
                self.recorder.append(tx, no, ev.RESUMED, actor.login, now, {"reason": OFFICE_ANSWER})
            )
        all_records = tx.events(no)
        view = ev.project(all_records)
        values: dict[str, Any] = {
            "state": view.state.value,
            "escalated": view.escalated,
            "priority": view.priority or row["priority"],
            "assignee": view.assignee,
            "resume_state": view.resume_state.value if view.resume_state else None,
        }
        if action is Action.SET_COMPONENT:
            values["component"] = component
        if action is Action.ESCALATE:
            values.update(
                contract=data["contract"],
                contractor=data["contractor"],
                escalated_at=now,
                first_line_due=None,
            )
            if data.get("system"):
                values["system"] = data["system"]
        if action is Action.TAKE or view.state in (State.RESOLVED, State.CLOSED):
            values["first_line_due"] = None
        if self.sla is not None:
            values["next_deadline"] = self.sla.next_deadline(all_records, now) if view.escalated else None
        tx.update_ticket(no, values)
        return records

    @staticmethod
    def _answers_the_waiting(actor: Person, row: Ticket, action: Action, unverified: bool) -> bool:
        """Whether this comment or reply is the office's answer to a ticket waiting for it.

        After the escalation any office-side person answers for the office; before it, the leader
        waits for the official who reported the problem, so only that person's answer counts.
        Mail whose sender could not be confirmed never resumes anything in someone's name.
        """
        if action not in (Action.COMMENT, Action.REPLY) or unverified or row["state"] != State.WAITING.value:
            return False
        if row["escalated"]:
            return actor.role in OFFICE_SIDE
        return actor.id == row["author_id"]

    def _escalation(self, row: Ticket, priority: str | None, contract: Any, now: datetime) -> dict[str, Any]:
        if self.sla is None:
            raise Conflict("brak umów serwisowych: nie można przekazać zgłoszenia Wykonawcy")
        chosen_priority = priority or row["priority"]
        system = row.get("system")
        if system and self.rollout is not None:
            # A partner's domain system goes to its own supporter under its own contract: the core
            # contractor's contract (chosen by component below) does not apply to it.
            contract_id, contractor = self.rollout.route(system, chosen_priority, now)
            if contract is not None and contract != contract_id:
                raise Conflict(f"umowa '{contract}' nie obejmuje tego zgłoszenia (właściwa: {contract_id})")
            return {
                "contract": contract_id,
                "contractor": contractor,
                "priority": chosen_priority,
                "office": row["office"],
                "system": system,
            }
        if not row["component"]:
            raise Conflict("przed przekazaniem Wykonawcy wskaż komponent zgłoszenia (pole 'component')")
        contract_id, contractor = self.sla.choose_contract(
            row["component"], chosen_priority, now, row["office"]
        )
        if contract is not None and contract != contract_id:
            raise Conflict(f"umowa '{contract}' nie obejmuje tego zgłoszenia (właściwa: {contract_id})")
        # The office travels with the escalation: a replay finds the office calendar by it.
        return {
            "contract": contract_id,
            "contractor": contractor,
            "priority": chosen_priority,
            "office": row["office"],
        }

    # --- reading ------------------------------------------------------------------------
    def get(self, actor: Person, ticket_id: str) -> dict[str, Any]:
        """The ticket with its events and live SLA clocks, if `actor` may see it."""
        no = parse_ticket_id(ticket_id)

        def _do(
            tx: EventRepo,
        ) -> tuple[Ticket, list[EventRecord], Person | None, list[dict[str, Any]], dict[str, Any] | None]:
            row = self._visible(tx, actor, no)
            # The leaders' trainings in the same transaction: one snapshot, one trip to the database.
            trained = (
                self.rollout.leaders_trained_in(tx, row["office"], row["component"]) if self.rollout else None
            )
            return row, tx.events(no), tx.person_by_id(row["author_id"]), tx.attachments_of(no), trained

        row, records, author, files, trained = self.db.read(_do)
        if self.access_log is not None:
            self.access_log.record(actor, no, row["office"], "ticket")
        result = self.present(row, actor)
        result["author"] = {"login": author.login, "name": author.name} if author else None
        result["events"] = [{k: v for k, v in r.items() if k not in ("prev",)} for r in records]
        result["attachments"] = [
            {"id": f["id"], "filename": f["filename"], "size": f["size"], "content_type": f["content_type"]}
            for f in files
        ]
        now = self.clock.now()
        result["sla"] = self.sla.clocks(records, now) if self.sla and row["escalated"] else None
        result["first_line"] = self.sla.first_line(records, now) if self.sla else None
        result["leaders_trained"] = trained
        # The system by its name for the people reading the ticket; the id stays for the API.
        system = row.get("system")
        result["system_name"] = self.rollout.system_name(system) if self.rollout and system else None
        return result

    def first_line_next(self, actor: Person, ids: Sequence[str]) -> dict[str, NextTarget]:
        """The leaders' next running target of each of `ids` that a leader is working on (taken or
        reopened, not waiting, not with the contractor), read in one transaction; tickets `actor`
        may not see, and those with no target running, are left out. An untaken ticket's next
        instant is its `first_line_due` already."""
        if self.sla is None or not ids:
            return {}
        nos = [parse_ticket_id(i) for i in ids[:MAX_PER_PAGE]]
        sla = self.sla

        def _do(tx: EventRepo) -> dict[str, list[EventRecord]]:
            found: dict[str, list[EventRecord]] = {}
            for no in nos:
                row = tx.ticket(no)
                if row is None or not can_see(actor, _scope(row)) or row["escalated"]:
                    continue
                if row["state"] in (State.IN_PROGRESS.value, State.REOPENED.value):
                    found[format_ticket_id(no)] = tx.events(no)
            return found

        now = self.clock.now()
        targets = {tid: sla.first_line_next(records, now) for tid, records in self.db.read(_do).items()}
        return {tid: target for tid, target in targets.items() if target is not None}

    def overview(self, actor: Person) -> list[dict[str, Any]]:
        """The region at a glance, per office with open tickets (coordinators, auditors, admins)."""
        if actor.role not in SEE_ALL_ROLES:
            raise Forbidden("przegląd regionu widzą koordynator, audytor i administrator")

        def _do(tx: EventRepo) -> tuple[int, list[dict[str, Any]]]:
            # The figures are a function of the ticket rows alone, and every change of a ticket row
            # appends an event in the same transaction, which moves the log head's event count:
            # while the count is what it was, the figures are exactly what they were — in every
            # process sharing the database, so the reuse is never stale. The count is read first:
            # a change committed in between leaves figures newer than their count, which only
            # costs one more computation.
            count = tx.head()[1]
            cached = self._overview
            if cached is not None and cached[0] == count:
                return cached
            return count, tx.office_overview()

        computed = self.db.read(_do)
        self._overview = computed
        return [{**r, "load": dict(r["load"]), "oldest": self._time(r["oldest"])} for r in computed[1]]

    def list(
        self, actor: Person, filters: Mapping[str, str], page: int = 1, per_page: int = 50
    ) -> dict[str, Any]:
        """A page of the tickets `actor` may see, filtered by LIST_FILTERS."""
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise InvalidInput(f"page ≥ 1, per_page od 1 do {MAX_PER_PAGE}")
        where: dict[str, Any] = {}
        sort = "newest"
        for key, value in filters.items():
            if key not in LIST_FILTERS:
                raise InvalidInput(f"nieznany filtr '{key}' (dozwolone: {', '.join(LIST_FILTERS)})")
            value = value.strip()
            if not value:
                continue  # an empty field of a filter form: no filter
            if key == "status":
                states = [s.strip() for s in value.split(",") if s.strip()]
                for s in states:
                    if s not in State.__members__.values():
                        raise InvalidInput(f"nieznany stan '{s}' (dozwolone: {', '.join(State)})")
                where["state"] = states
            elif key == "priority":
                where["priority"] = parse_priority(value).value
            elif key in ("escalated", "breached"):
                if value.lower() not in ("true", "false", "1", "0"):
                    raise InvalidInput(f"filtr '{key}' przyjmuje true albo false")
                where[key] = value.lower() in ("true", "1")
            elif key == "q":
                check_text(value, "q")
                where["q"] = clean_line(value)[:200]
            elif key == "component":
                where["component"] = parse_component(value)
            elif key == "assignee":
                check_text(value, "assignee")
                where["assignee"] = None if value.lower() == NO_ASSIGNEE else value[:100]
            elif key == "sort":
                if value not in SORTS:
                    raise InvalidInput(f"nieznany porządek '{value}' (dozwolone: {', '.join(SORTS)})")
                sort = value
            elif key == "system":
                where["system"] = value.strip()
            else:
                where["office"] = value
        where_q = where.pop("q", None)
        if where_q:
            number = where_q.upper().removeprefix("T-").lstrip("0")
            where["q"] = (where_q, int(number) if number.isascii() and number.isdigit() else None)
        now = self.clock.now()

        def _do(tx: EventRepo) -> tuple[list[Ticket], int, dict[int, datetime | None]]:
            rows, total = tx.list_tickets(where, actor, per_page, (page - 1) * per_page, sort)
            return rows, total, self._contractual_dues(tx, rows, now)

        rows, total, dues = self.db.read(_do)
        items = [self.present(r, actor) for r in rows]
        for item, row in zip(items, rows, strict=True):
            item["sla_due"] = self._time(dues.get(row["no"]))
        return {
            "items": items,
            "total": total,
            "page": page,
            "per_page": per_page,
        }

    def _contractual_dues(
        self, tx: EventRepo, rows: Sequence[Ticket], now: datetime
    ) -> dict[int, datetime | None]:
        """Each listed ticket at the contractor's contractual deadline, from its events (a page at most).

        Computed, not stored: the stored `next_deadline` is when the sweep looks next, often a
        warning instant, and a queue must show the deadline itself.
        """
        if self.sla is None:
            return {}
        return {
            row["no"]: self.sla.contractual_due(tx.events(row["no"]), now)
            for row in rows
            if row["escalated"] and row["state"] not in (State.RESOLVED.value, State.CLOSED.value)
        }

    def present(self, row: Ticket, actor: Person | None = None) -> dict[str, Any]:
        """The public JSON shape of a ticket (times in the people's time zone)."""
        state = State(row["state"])
        out: dict[str, Any] = {
            "id": format_ticket_id(row["no"]),
            "title": row["title"],
            "description": row["description"],
            "office": row["office"],
            "component": row["component"],
            "component_label": COMPONENT_LABELS_PL.get(row["component"] or "", None),
            "priority": row["priority"],
            "priority_label": PRIORITY_LABELS_PL[Priority(row["priority"])],
            "state": state.value,
            "state_label": STATE_LABELS_PL[state],
            "escalated": bool(row["escalated"]),
            "contract": row["contract"],
            "contractor": row["contractor"],
            "assignee": row["assignee"],
            "channel": row["channel"],
            "system": row.get("system"),
            "created_at": self._time(row["created_at"]),
            "updated_at": self._time(row["updated_at"]),
            "next_deadline": self._time(row["next_deadline"]),
            # When the first line's `take` target runs out (office calendar), while nobody took it;
            # once it has run out, the instant of the next alert (to the representative and the
            # coordinators), then none.
            "first_line_due": self._time(row["first_line_due"]),
            "first_line_overdue": first_line_overdue(row),
        }
        if "breached" in row:  # lists say whether a contractor's clock ran out
            out["breached"] = bool(row["breached"])
        if actor is not None:
            out["allowed_actions"] = [
                a.value for a in allowed_actions(actor.role, state, bool(row["escalated"]))
            ]
        return out

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value else None

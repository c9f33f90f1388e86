"""Ticket use cases: open, act (take, escalate, acknowledge, …), read and list — role-scoped.

Every change appends events inside one write transaction that also updates the ticket projection
and lets listeners enqueue notices (outbox), so a change and its notices commit together.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

from helpdesk.domain import events as ev
from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.offices import COMPONENT_LABELS_PL, parse_component
from helpdesk.domain.people import Person, TicketScope, can_see
from helpdesk.domain.roles import Role
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
from helpdesk.services.ports import Clock, EventListener

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_PER_PAGE = 200
LIST_FILTERS = ("status", "office", "priority", "escalated")


class SlaPolicy(Protocol):
    """What the ticket service needs from the SLA engine (services/sla/live.py implements it)."""

    def choose_contract(self, component: str | None, priority: str, at: datetime) -> tuple[str, str]:
        """(contract id, contractor) that covers this ticket now; Conflict if none does."""
        ...

    def check_priority(self, contract: str, priority: str) -> None:
        """Conflict if the contract has no terms for `priority`."""
        ...

    def clocks(self, records: Sequence[Mapping[str, Any]], now: datetime) -> dict[str, Any] | None:
        """The live SLA clocks of a ticket (None when never escalated)."""
        ...

    def next_deadline(self, records: Sequence[Mapping[str, Any]], now: datetime) -> datetime | None:
        """The next instant the sweep must look at this ticket."""
        ...

    def first_line_due(self, office: str, at: datetime) -> datetime | None:
        """When an untaken ticket must be raised to other leaders."""
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


def _clean_text(value: Any, field: str, limit: int, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"pole '{field}' musi być tekstem")
    text = value.replace("\x00", "").strip()
    if required and not text:
        raise InvalidInput(f"pole '{field}' jest wymagane")
    if len(text) > limit:
        raise InvalidInput(f"pole '{field}' jest za długie (limit {limit} znaków)")
    return text


def _scope(row: Mapping[str, Any]) -> TicketScope:
    return TicketScope(office=row["office"], author_id=row["author_id"], contractor=row["contractor"])


class TicketService:
    """Opening tickets and acting on them."""

    def __init__(
        self,
        db: Any,
        clock: Clock,
        tz: tzinfo,
        sla: SlaPolicy | None = None,
        listeners: Sequence[EventListener] = (),
    ) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.sla = sla
        self.listeners = list(listeners)

    # --- writing ------------------------------------------------------------------------
    def create(self, actor: Person, request: NewTicket) -> dict[str, Any]:
        """Open a ticket for `actor`'s office (a coordinator names the office)."""
        if actor.role not in CREATE_ROLES:
            raise Forbidden(f"rola '{actor.role.value}' nie może zakładać zgłoszeń")
        title = _clean_text(request.title, "title", MAX_TITLE, required=True)
        description = _clean_text(request.description, "description", MAX_TEXT, required=False)
        component = parse_component(request.component) if request.component else None
        priority = parse_priority(request.priority).value if request.priority else Priority.NORMAL.value
        office_code = actor.jst if actor.role is not Role.COORDINATOR else request.office
        if not office_code:
            raise InvalidInput("koordynator musi podać urząd (pole 'office')")
        now = self.clock.now().astimezone(self.tz)

        def _do(tx: Any) -> dict[str, Any]:
            if tx.get_office(office_code) is None:
                raise InvalidInput(f"nieznany urząd '{office_code}'")
            first_line_due = self.sla.first_line_due(office_code, now) if self.sla else None
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
            }
            data = {
                "title": title,
                "description": description,
                "component": component,
                "priority": priority,
                "office": office_code,
                "channel": request.channel,
            }
            row: dict[str, Any]
            row, record = tx.new_ticket(fields, data, actor.login, now)
            self._notify(tx, row, [record], now)
            return row

        row: dict[str, Any] = self.db.write(_do)
        return self.present(row, actor)

    def act(
        self,
        actor: Person,
        ticket_id: str,
        action_name: Any,
        *,
        text: Any = None,
        priority: Any = None,
        contract: Any = None,
    ) -> dict[str, Any]:
        """Do one action on a ticket as `actor` (SPEC §7), returning the updated ticket."""
        if not isinstance(action_name, str):
            raise InvalidInput("pole 'action' jest wymagane")
        action = parse_action(action_name)
        no = parse_ticket_id(ticket_id)
        body = _clean_text(text, "text", MAX_TEXT, required=action in (Action.COMMENT, Action.REPLY))
        new_priority = parse_priority(priority).value if isinstance(priority, str) and priority else None
        if priority is not None and not isinstance(priority, str):
            raise InvalidInput("pole 'priority' musi być tekstem")
        now = self.clock.now().astimezone(self.tz)

        def _do(tx: Any) -> dict[str, Any]:
            row = tx.ticket(no, lock=True)
            if row is None or not can_see(actor, _scope(row)):
                raise NotFound(f"nie ma zgłoszenia {format_ticket_id(no)}")
            state = State(row["state"])
            find_rule(action, actor.role, state, bool(row["escalated"]))
            records = self._apply(tx, actor, row, action, body, new_priority, contract, now)
            row = tx.ticket(no)
            self._notify(tx, row, records, now)
            return dict(row)

        row: dict[str, Any] = self.db.write(_do)
        return self.present(row, actor)

    def _apply(
        self,
        tx: Any,
        actor: Person,
        row: dict[str, Any],
        action: Action,
        text: str,
        priority: str | None,
        contract: Any,
        now: datetime,
    ) -> list[dict[str, Any]]:
        """Append the events of one action and update the projection."""
        no = row["no"]
        data: dict[str, Any] = {"text": text or None}
        if action is Action.ESCALATE:
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
            data["assignee"] = actor.login
        record = tx.append(no, ev.ACTION_EVENT[action], actor.login, now, data)
        records = [record]
        all_records = tx.events(no)
        view = ev.project(all_records)
        values: dict[str, Any] = {
            "state": view.state.value,
            "escalated": view.escalated,
            "priority": view.priority or row["priority"],
            "assignee": view.assignee,
            "resume_state": view.resume_state.value if view.resume_state else None,
        }
        if action is Action.ESCALATE:
            values.update(
                contract=data["contract"],
                contractor=data["contractor"],
                escalated_at=now,
                first_line_due=None,
            )
        if action is Action.TAKE or view.state in (State.RESOLVED, State.CLOSED):
            values["first_line_due"] = None
        if self.sla is not None:
            values["next_deadline"] = self.sla.next_deadline(all_records, now) if view.escalated else None
        tx.update_ticket(no, values)
        return records

    def _escalation(
        self, row: Mapping[str, Any], priority: str | None, contract: Any, now: datetime
    ) -> dict[str, Any]:
        if self.sla is None:
            raise Conflict("brak umów serwisowych: nie można przekazać zgłoszenia Wykonawcy")
        chosen_priority = priority or row["priority"]
        if not row["component"]:
            raise Conflict("przed przekazaniem Wykonawcy wskaż komponent zgłoszenia (pole 'component')")
        contract_id, contractor = self.sla.choose_contract(row["component"], chosen_priority, now)
        if contract is not None and contract != contract_id:
            raise Conflict(f"umowa '{contract}' nie obejmuje tego zgłoszenia (właściwa: {contract_id})")
        return {"contract": contract_id, "contractor": contractor, "priority": chosen_priority}

    def _notify(self, tx: Any, row: Mapping[str, Any], records: list[dict[str, Any]], now: datetime) -> None:
        for listener in self.listeners:
            listener(tx, row, records, now)

    # --- reading ------------------------------------------------------------------------
    def get(self, actor: Person, ticket_id: str) -> dict[str, Any]:
        """The ticket with its events and live SLA clocks, if `actor` may see it."""
        no = parse_ticket_id(ticket_id)

        def _do(tx: Any) -> tuple[dict[str, Any], list[dict[str, Any]], Person | None]:
            row = tx.ticket(no)
            if row is None or not can_see(actor, _scope(row)):
                raise NotFound(f"nie ma zgłoszenia {format_ticket_id(no)}")
            return row, tx.events(no), tx.person_by_id(row["author_id"])

        row, records, author = self.db.read(_do)
        result = self.present(row, actor)
        result["author"] = {"login": author.login, "name": author.name} if author else None
        result["events"] = [{k: v for k, v in r.items() if k not in ("prev",)} for r in records]
        result["sla"] = self.sla.clocks(records, self.clock.now()) if self.sla and row["escalated"] else None
        return result

    def list(
        self, actor: Person, filters: Mapping[str, str], page: int = 1, per_page: int = 50
    ) -> dict[str, Any]:
        """A page of the tickets `actor` may see, with the SPEC §7 filters."""
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise InvalidInput(f"page ≥ 1, per_page od 1 do {MAX_PER_PAGE}")
        where: dict[str, Any] = {}
        for key, value in filters.items():
            if key not in LIST_FILTERS:
                raise InvalidInput(f"nieznany filtr '{key}' (dozwolone: {', '.join(LIST_FILTERS)})")
            if key == "status":
                states = [s.strip() for s in value.split(",") if s.strip()]
                for s in states:
                    if s not in State.__members__.values():
                        raise InvalidInput(f"nieznany stan '{s}' (dozwolone: {', '.join(State)})")
                where["state"] = states
            elif key == "priority":
                where["priority"] = parse_priority(value).value
            elif key == "escalated":
                if value.lower() not in ("true", "false", "1", "0"):
                    raise InvalidInput("filtr 'escalated' przyjmuje true albo false")
                where["escalated"] = value.lower() in ("true", "1")
            else:
                where["office"] = value.strip()
        rows, total = self.db.read(lambda tx: tx.list_tickets(where, actor, per_page, (page - 1) * per_page))
        return {
            "items": [self.present(r, actor) for r in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }

    def present(self, row: Mapping[str, Any], actor: Person | None = None) -> dict[str, Any]:
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
            "created_at": self._time(row["created_at"]),
            "updated_at": self._time(row["updated_at"]),
            "next_deadline": self._time(row["next_deadline"]),
        }
        if actor is not None:
            out["allowed_actions"] = [
                a.value for a in allowed_actions(actor.role, state, bool(row["escalated"]))
            ]
        return out

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value else None


def noop_listener(
    _tx: Any, _row: Mapping[str, Any], _records: Sequence[Mapping[str, Any]], _now: datetime
) -> None:
    """A listener that does nothing (default when no channel is configured)."""


ListenerFactory = Callable[..., EventListener]

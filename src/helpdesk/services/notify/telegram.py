"""Telegram notices for ticket events, written to the outbox inside the transaction that caused them.

Who hears what:

- a new ticket → the office's linked leaders, with buttons to take it and to answer;
- a reply by a leader or agent, every change of state, the resolution → the official who opened it;
- the official's own comment → the leader who took the ticket;
- escalation, SLA warnings and breaches → the contractor's linked agents and the coordinators;
- a ticket waiting too long for the first line → the office's leaders and the coordinators.

Each notice has a dedupe key made of the event's hash and the recipient, so a retried transaction
or a second worker never doubles one. The outbox sender of the Telegram adapter delivers them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from helpdesk.domain import events as ev
from helpdesk.domain.offices import COMPONENT_LABELS_PL
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, STATE_LABELS_PL, Priority, State, format_ticket_id
from helpdesk.services.intake.dialogue import Texts
from helpdesk.services.ports import EventListener, Repo

CHANNEL = "telegram"
NOTICE_TEXT_CHARS = 20_000  # a whole reply is delivered; the sender splits it at 4,096
STATE_EVENTS = frozenset(
    {
        ev.ASSIGNED,
        ev.PAUSED,
        ev.RESUMED,
        ev.ESCALATED,
        ev.ACKNOWLEDGED,
        ev.WORKAROUND,
        ev.REOPENED,
        ev.CLOSED,
        ev.PRIORITY_CHANGED,
    }
)
SLA_EVENTS = {ev.SLA_WARNING: "notice.sla_warning", ev.SLA_BREACHED: "notice.sla_breached"}


def markup(rows: Iterable[Iterable[tuple[str, str]]]) -> str:
    """Telegram's inline keyboard JSON for rows of (label, callback data)."""
    return json.dumps(
        {
            "inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row] for row in rows
            ]
        },
        ensure_ascii=False,
    )


def _clip(text: str | None, limit: int = NOTICE_TEXT_CHARS) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TelegramNotifier:
    """The event listener (services.ports.EventListener) that enqueues Telegram notices."""

    def __init__(self, texts: Texts) -> None:
        self.t = texts

    def __call__(
        self, repo: Repo, ticket: Mapping[str, Any], records: Sequence[Mapping[str, Any]], now: datetime
    ) -> None:
        """Enqueue the notices for the new events of `ticket`."""
        for record in records:
            self._one(repo, ticket, record, now)

    # --- one event ----------------------------------------------------------------------
    def _one(self, tx: Repo, ticket: Mapping[str, Any], record: Mapping[str, Any], now: datetime) -> None:
        kind = record.get("type")
        tid = format_ticket_id(int(ticket["no"]))
        actor = record.get("actor")
        author = tx.person_by_id(int(ticket["author_id"]))
        title = _clip(ticket.get("title"), 200)
        if kind == ev.CREATED:
            leaders = [
                p for p in tx.people_of_office(ticket["office"], Role.LEADER.value) if p.login != actor
            ]
            office = tx.get_office(ticket["office"])
            body = self.t(
                "notice.new_ticket",
                id=tid,
                office=office.name if office else ticket["office"],
                author=author.name if author else "?",
                priority=_priority(ticket),
                component=_component(ticket),
                title=title,
                description=_clip(ticket.get("description"), 1500),
            )
            keyboard = markup(
                [[(self.t.raw("notice.take"), f"take:{tid}"), (self.t.raw("notice.answer"), f"ans:{tid}")]]
            )
            self._send(tx, leaders, body, record, ticket, now, keyboard)
            return
        if kind == ev.REPLIED:
            if author and author.login != actor:
                body = self.t(
                    "notice.reply",
                    id=tid,
                    actor=self._actor_name(tx, ticket, actor),
                    text=_clip(record.get("text")),
                )
                self._send(tx, [author], body, record, ticket, now)
            return
        if kind == ev.COMMENTED:
            if author and author.login == actor and ticket.get("assignee"):
                assignee = [p for p in tx.people_of_office(ticket["office"]) if p.login == ticket["assignee"]]
                body = self.t(
                    "notice.official_comment", author=author.name, id=tid, text=_clip(record.get("text"))
                )
                keyboard = markup([[(self.t.raw("notice.answer"), f"ans:{tid}")]])
                self._send(tx, assignee, body, record, ticket, now, keyboard)
            return
        if kind == ev.RESOLVED:
            if author and author.login != actor:
                extra = "\n" + _clip(record.get("text")) if record.get("text") else ""
                body = self.t("notice.resolved", id=tid, title=title, text=extra)
                self._send(tx, [author], body, record, ticket, now)
            return
        if kind in STATE_EVENTS:
            if author and author.login != actor:
                extra = "\n" + _clip(record.get("text")) if record.get("text") else ""
                state = STATE_LABELS_PL[State(ticket["state"])]
                if kind == ev.PRIORITY_CHANGED:
                    state = f"{state}; priorytet: {_priority(ticket)}"
                body = self.t("notice.state", id=tid, title=title, state=state, text=extra)
                self._send(tx, [author], body, record, ticket, now)
            if kind == ev.ESCALATED:
                body = self.t(
                    "notice.escalated",
                    id=tid,
                    contractor=ticket.get("contractor") or "?",
                    priority=_priority(ticket),
                    contract=ticket.get("contract") or "?",
                    title=title,
                )
                self._send(tx, self._second_line(tx, ticket, actor), body, record, ticket, now)
            return
        if kind in SLA_EVENTS:
            body = self.t(
                SLA_EVENTS[kind],
                id=tid,
                metric=record.get("metric") or record.get("clock") or "SLA",
                title=title,
            )
            self._send(tx, self._second_line(tx, ticket, actor), body, record, ticket, now)
            return
        if kind == ev.FIRST_LINE_ALERT:
            people = tx.people_of_office(ticket["office"], Role.LEADER.value) + tx.people_by_role(
                Role.COORDINATOR.value
            )
            body = self.t("notice.first_line_alert", id=tid, title=title)
            keyboard = markup(
                [[(self.t.raw("notice.take"), f"take:{tid}"), (self.t.raw("notice.answer"), f"ans:{tid}")]]
            )
            self._send(tx, people, body, record, ticket, now, keyboard)

    # --- helpers ------------------------------------------------------------------------
    def _second_line(self, tx: Repo, ticket: Mapping[str, Any], actor: Any) -> list[Person]:
        agents = (
            tx.people_by_role(Role.AGENT.value, ticket.get("contractor")) if ticket.get("contractor") else []
        )
        return [p for p in agents + tx.people_by_role(Role.COORDINATOR.value) if p.login != actor]

    def _actor_name(self, tx: Repo, ticket: Mapping[str, Any], actor: Any) -> str:
        for person in tx.people_of_office(ticket["office"]):
            if person.login == actor:
                return person.name
        return str(actor or "help-desk")

    def _send(
        self,
        tx: Repo,
        people: Iterable[Person],
        body: str,
        record: Mapping[str, Any],
        ticket: Mapping[str, Any],
        now: datetime,
        keyboard: str | None = None,
    ) -> None:
        headers = {"parse_mode": "HTML"}
        if keyboard:
            headers["reply_markup"] = keyboard
        seen: set[int] = set()
        event_key = str(record.get("hash") or f"{ticket['no']}:{record.get('seq')}")[:40]
        for person in people:
            chat = person.telegram_id
            if chat is None or chat in seen:
                continue
            seen.add(chat)
            tx.enqueue(
                CHANNEL,
                str(chat),
                f"{format_ticket_id(int(ticket['no']))} {record.get('type')}",
                body,
                at=now,
                headers=headers,
                ticket_no=int(ticket["no"]),
                dedupe=f"tg:{event_key}:{chat}",
            )


def _priority(ticket: Mapping[str, Any]) -> str:
    try:
        return PRIORITY_LABELS_PL[Priority(ticket["priority"])]
    except (KeyError, ValueError):
        return str(ticket.get("priority"))


def _component(ticket: Mapping[str, Any]) -> str:
    code = ticket.get("component")
    return f"\nSystem: {COMPONENT_LABELS_PL.get(code, code)}" if code else ""


def telegram_listener(texts: Texts) -> EventListener:
    """The listener to append to TicketService.listeners."""
    return TelegramNotifier(texts)

"""Telegram notices for ticket events, written to the outbox inside the transaction that caused them.

A listener of the event recorder (services/events.py). Who hears what:

- a new ticket → the office's linked leaders, with buttons to take it and to answer;
- a reply by a leader or agent, every change of state, the resolution → the official who opened it;
- the official's own comment → the leader who took the ticket;
- escalation → the contractor's linked agents and the coordinators;
- SLA warnings and breaches, first-line alerts → the people services/notify/sla_notices.py names,
  with the same facts as the mail.

Every text is `Html` from the texts file (bot/texts.<lang>.toml): whatever is inserted — a title
like `Awaria <EZD> & ESB` — is escaped, so Telegram's HTML mode never refuses a notice.

Each notice has a dedupe key made of the event's hash and the recipient (SLA notices: of what they
are about), so a retried transaction or a second worker never doubles one. The outbox sender of
the Telegram adapter delivers them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from helpdesk.domain import events as ev
from helpdesk.domain.offices import COMPONENT_LABELS_PL
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import STATE_LABELS_PL, State, format_ticket_id
from helpdesk.services.notify.sla_notices import (
    SLA_EVENTS,
    dedupe_key,
    first_line_audience,
    first_line_lines,
    office_label,
    priority_label,
    sla_audience,
    sla_facts,
    zone_of,
)
from helpdesk.services.ports import Change, DirectoryRepo, EventListener, EventRecord, EventRepo, Ticket
from helpdesk.services.texts import Html, Texts

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
SLA_TEXTS = {ev.SLA_WARNING: "notice.sla_warning", ev.SLA_BREACHED: "notice.sla_breached"}
UNVERIFIED_TITLE = "(niepotwierdzony nadawca e-maila — tytuł tylko w help-desku)"
UNVERIFIED_TEXT = (
    "Wiadomość e-mail, której nadawcy nie udało się potwierdzić (DKIM/SPF/DMARC). Jej treść jest "
    "tylko w help-desku: upewnij się u nadawcy, zanim zaczniesz działać."
)
FIRST_LINE_TEXTS = {1: "notice.first_line_alert", 2: "notice.first_line_escalated"}


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


def _clip(text: object, limit: int = NOTICE_TEXT_CHARS) -> str:
    value = str(text or "").strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


class TelegramNotifier:
    """The event listener (services.ports.EventListener) that enqueues Telegram notices."""

    def __init__(self, texts: Texts) -> None:
        self.t = texts

    def __call__(self, repo: EventRepo, change: Change) -> int:
        """Enqueue the notices for the new events of a ticket; how many were queued."""
        return sum(self._one(repo, change, record) for record in change.records)

    # --- one event ----------------------------------------------------------------------
    def _one(self, tx: EventRepo, change: Change, record: EventRecord) -> int:
        ticket = change.ticket
        kind = record.get("type")
        tid = format_ticket_id(ticket["no"])
        actor = record.get("actor")
        author = tx.person_by_id(ticket["author_id"])
        title = _clip(ticket["title"], 200)
        # Mail whose sender is unconfirmed is never relayed in that person's name: no title, no text.
        unverified = bool(record.get("unverified"))
        if unverified:
            title = UNVERIFIED_TITLE
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
                priority=priority_label(ticket["priority"]),
                component=_component(ticket),
                title=title,
                description=UNVERIFIED_TEXT if unverified else _clip(ticket["description"], 1500),
            )
            return self._send(tx, leaders, body, change, record, self._take_and_answer(tid))
        if kind == ev.REPLIED:
            if author is None or author.login == actor:
                return 0
            body = self.t(
                "notice.reply",
                id=tid,
                actor=self._actor_name(tx, ticket, actor),
                text=_clip(record.get("text")),
            )
            return self._send(tx, [author], body, change, record)
        if kind == ev.COMMENTED:
            if author is None or author.login != actor or not ticket["assignee"]:
                return 0
            assignee = [p for p in tx.people_of_office(ticket["office"]) if p.login == ticket["assignee"]]
            text = UNVERIFIED_TEXT if unverified else _clip(record.get("text"))
            body = self.t("notice.official_comment", author=author.name, id=tid, text=text)
            keyboard = markup([[(self.t.raw("notice.answer"), f"ans:{tid}")]])
            return self._send(tx, assignee, body, change, record, keyboard)
        if kind == ev.RESOLVED:
            if author is None or author.login == actor:
                return 0
            body = self.t("notice.resolved", id=tid, title=title, text=self._extra_text(record))
            return self._send(tx, [author], body, change, record)
        if kind in STATE_EVENTS:
            queued = 0
            if author and author.login != actor:
                state = STATE_LABELS_PL[State(ticket["state"])]
                if kind == ev.PRIORITY_CHANGED:
                    state = f"{state}; priorytet: {priority_label(ticket['priority'])}"
                body = self.t("notice.state", id=tid, title=title, state=state, text=self._extra_text(record))
                queued += self._send(tx, [author], body, change, record)
            if kind == ev.ESCALATED:
                body = self.t(
                    "notice.escalated",
                    id=tid,
                    contractor=ticket["contractor"] or "?",
                    priority=priority_label(ticket["priority"]),
                    contract=ticket["contract"] or "?",
                    title=title,
                )
                queued += self._send(tx, self._second_line(tx, ticket, actor), body, change, record)
            if kind == ev.RESUMED and ticket["escalated"] and ticket["contractor"]:
                # The office answered: the agents learn that the contractor's clocks run again.
                agents = tx.people_by_role(Role.AGENT.value, ticket["contractor"])
                body = self.t(
                    "notice.resumed_for_contractor",
                    id=tid,
                    title=title,
                    actor=self._actor_name(tx, ticket, actor),
                )
                queued += self._send(tx, [p for p in agents if p.login != actor], body, change, record)
            return queued
        if kind in SLA_EVENTS:
            facts = sla_facts(change, record, zone_of(change))
            body = self.t(
                SLA_TEXTS[str(kind)],
                id=tid,
                metric=facts.metric,
                title=title,
                text=Html("\n").join(facts.lines(office_label(tx, ticket))),
            )
            people = [p for p in sla_audience(tx, ticket) if p.login != actor]
            return self._send(tx, people, body, change, record, about=dedupe_key(ticket, record))
        if kind == ev.FIRST_LINE_ALERT:
            level = 1 if int(record.get("level") or 1) <= 1 else 2
            lines = first_line_lines(ticket, office_label(tx, ticket), zone_of(change))
            body = self.t(FIRST_LINE_TEXTS[level], id=tid, title=title, text=Html("\n").join(lines))
            people = first_line_audience(tx, ticket, level)
            keyboard = self._take_and_answer(tid)
            return self._send(tx, people, body, change, record, keyboard, about=dedupe_key(ticket, record))
        return 0

    # --- helpers ------------------------------------------------------------------------
    def _take_and_answer(self, tid: str) -> str:
        return markup(
            [[(self.t.raw("notice.take"), f"take:{tid}"), (self.t.raw("notice.answer"), f"ans:{tid}")]]
        )

    @staticmethod
    def _extra_text(record: EventRecord) -> str:
        return "\n" + _clip(record.get("text")) if record.get("text") else ""

    def _second_line(self, tx: DirectoryRepo, ticket: Ticket, actor: object) -> list[Person]:
        agents = tx.people_by_role(Role.AGENT.value, ticket["contractor"]) if ticket["contractor"] else []
        return [p for p in agents + tx.people_by_role(Role.COORDINATOR.value) if p.login != actor]

    def _actor_name(self, tx: DirectoryRepo, ticket: Ticket, actor: object) -> str:
        for person in tx.people_of_office(ticket["office"]):
            if person.login == actor:
                return person.name
        return str(actor or "help-desk")

    def _send(
        self,
        tx: EventRepo,
        people: Sequence[Person],
        body: Html,
        change: Change,
        record: EventRecord,
        keyboard: str | None = None,
        *,
        about: str | None = None,
    ) -> int:
        """Queue `body` for each linked person once; `about` keys SLA notices by what they tell."""
        headers = {"parse_mode": "HTML"}
        if keyboard:
            headers["reply_markup"] = keyboard
        no = change.ticket["no"]
        event_key = str(record.get("hash") or f"{no}:{record.get('seq')}")[:40]
        seen: set[int] = set()
        queued = 0
        for person in people:
            chat = person.telegram_id
            if chat is None or chat in seen:
                continue
            seen.add(chat)
            dedupe = f"{about}:{person.id}:{CHANNEL}" if about else f"tg:{event_key}:{chat}"
            queued += tx.enqueue(
                CHANNEL,
                str(chat),
                f"{format_ticket_id(no)} {record.get('type')}",
                body,
                at=change.at,
                headers=headers,
                ticket_no=no,
                dedupe=dedupe,
            )
        return queued


def _component(ticket: Ticket) -> str:
    code = ticket["component"]
    return f"\nSystem: {COMPONENT_LABELS_PL.get(code, code)}" if code else ""


def telegram_listener(texts: Texts) -> EventListener:
    """The listener to add to the event recorder's listeners."""
    return TelegramNotifier(texts)

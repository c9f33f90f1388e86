"""E-mail notices: what happens to a ticket is mailed to the people it concerns, through the outbox.

A listener of the event recorder (services/events.py), called inside the write transaction of
every change, so a change and its mail commit together (nothing is lost, nothing is sent for a
change that was rolled back). Who hears what:

- the author: the acknowledgement of a ticket opened by mail (with the knowledge-base article that
  may help and how to reach a person), replies of leaders and agents, status changes;
- the office's leaders: new tickets, the author's comments;
- the contractor's agents: escalations, the author's comments on escalated tickets;
- SLA warnings and breaches, first-line alerts: the people services/notify/sla_notices.py names,
  with the clock, the deadline in local time, the time used of the target, contract, priority
  and office.

Every mail has `[T-000042]` in the subject, a Message-ID that names the ticket, In-Reply-To and
References pointing at the ticket's thread (so mail clients group them), a plain-text and an HTML
part, and `Auto-Submitted: auto-generated` so well-behaved responders do not answer it.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from helpdesk.domain import events as ev
from helpdesk.domain.people import Person
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
)
from helpdesk.services.ports import Change, DirectoryRepo, EventRecord, EventRepo, Ticket
from helpdesk.services.tickets import Upload

SIGNATURE = "Helpdesk e-Urząd"


@dataclass
class InboundMailContext:
    """The mail being processed right now (set by the intake around one ticket call)."""

    raw_id: int
    message_id: str | None
    person: Person
    kb: Mapping[str, Any] | None = None
    attachments: list[Upload] = field(default_factory=list)
    status: str = "ticket"
    note: str | None = None
    consumed: bool = False


CURRENT_MAIL: ContextVar[InboundMailContext | None] = ContextVar("helpdesk_current_mail", default=None)


def root_message_id(ticket_no: int, domain: str) -> str:
    """The stable thread id of a ticket (every notice references it)."""
    return f"<hd.{ticket_no}.thread@{domain}>"


def new_message_id(ticket_no: int, seq: int, domain: str) -> str:
    """A fresh Message-ID that names the ticket and the event it reports."""
    return f"<hd.{ticket_no}.{seq}.{secrets.token_hex(6)}@{domain}>"


@dataclass(frozen=True)
class Notice:
    """One mail to one person."""

    recipient: Person
    subject: str
    intro: str
    text: str | None = None
    extra: tuple[str, ...] = ()
    reply_to_origin: bool = False
    even_to_actor: bool = False  # the acknowledgement goes to the author who acted
    about: str | None = None  # once-only key of what it is about (SLA notices); else the event
    unverified: bool = False  # about mail whose sender is unconfirmed: no title, no text, a warning


UNVERIFIED_SUBJECT = "Niepotwierdzony nadawca e-maila"


def unverified_intro(address: str, what: str) -> str:
    """The warning that replaces a relay of mail whose sender could not be confirmed."""
    return (
        f"Wiadomość e-mail z adresu {address} {what}, ale nie udało się potwierdzić, że wysłała ją ta "
        "osoba (brak pozytywnej weryfikacji DKIM/SPF/DMARC). Nie przekazujemy jej treści ani tytułu: "
        "przeczytaj ją w help-desku i upewnij się u nadawcy, zanim zaczniesz działać."
    )


STATUS_INTRO: dict[str, str] = {
    ev.ASSIGNED: "Twoim zgłoszeniem zajął się lider urzędu ({actor}).",
    ev.PAUSED: "Zgłoszenie czeka na informacje od urzędu. Odpowiedz na tę wiadomość, aby je przekazać.",
    ev.RESUMED: "Prace nad zgłoszeniem zostały wznowione.",
    ev.ESCALATED: "Zgłoszenie zostało przekazane Wykonawcy (kategoria: {priority}).",
    ev.ACKNOWLEDGED: "Wykonawca potwierdził przyjęcie zgłoszenia i rozpoczął prace.",
    ev.WORKAROUND: "Wykonawca udostępnił obejście problemu — możesz wrócić do pracy.",
    ev.RESOLVED: "Zgłoszenie zostało rozwiązane. Jeśli problem nadal występuje, odpowiedz na tę wiadomość.",
    ev.REOPENED: "Zgłoszenie zostało ponownie otwarte.",
    ev.CLOSED: "Zgłoszenie zostało zamknięte. Dziękujemy!",
    ev.PRIORITY_CHANGED: "Zmieniono kategorię zgłoszenia na: {priority}.",
}
STATUS_SUBJECT: dict[str, str] = {
    ev.ASSIGNED: "Zgłoszenie w realizacji",
    ev.PAUSED: "Potrzebujemy informacji",
    ev.RESUMED: "Wznowiono prace",
    ev.ESCALATED: "Przekazano Wykonawcy",
    ev.ACKNOWLEDGED: "Wykonawca przyjął zgłoszenie",
    ev.WORKAROUND: "Obejście problemu",
    ev.RESOLVED: "Zgłoszenie rozwiązane",
    ev.REOPENED: "Zgłoszenie ponownie otwarte",
    ev.CLOSED: "Zgłoszenie zamknięte",
    ev.PRIORITY_CHANGED: "Zmiana kategorii",
}


class MailNotifier:
    """The TicketService listener that writes e-mail notices into the outbox."""

    def __init__(self, mail_from: str, public_url: str, tz: tzinfo) -> None:
        self.domain = mail_from.rsplit("@", 1)[-1].strip(">") or "localhost"
        self.public_url = public_url.rstrip("/")
        self.tz = tz

    def __call__(self, repo: EventRepo, change: Change) -> int:
        """Enqueue the mails the new events call for; how many were queued."""
        ticket = change.ticket
        author = repo.person_by_id(ticket["author_id"])
        # Only a ticket opened by mail has an opening message to thread under.
        origin = repo.mail_ticket_origin(ticket["no"]) if ticket["channel"] == "email" else None
        # The same words go to several people (the office's leaders): rendered once per change.
        bodies: dict[tuple[Any, ...], tuple[str, str]] = {}
        # The once-only keys of this change's notices about its own events: the events were
        # appended in this transaction, so such a key is new unless this very loop used it.
        used: set[str] = set()
        queued = 0
        for record in change.records:
            for notice in self.notices(repo, change, record, author):
                key = (notice.intro, notice.text, notice.extra)
                if key not in bodies:
                    bodies[key] = self.render(ticket, notice)
                queued += self._enqueue(repo, change, record, notice, origin, bodies[key], used)
        return queued

    # --- who hears what -------------------------------------------------------------------
    def notices(
        self, tx: EventRepo, change: Change, record: EventRecord, author: Person | None
    ) -> list[Notice]:
        """The notices one event calls for, to people with an e-mail other than the one who acted."""
        ticket = change.ticket
        type_ = str(record.get("type"))
        actor_login = record.get("actor")
        if author is not None and actor_login == author.login:
            actor: Person | None = author
        else:
            actor = tx.person_by("login", actor_login) if actor_login else None
        actor_name = actor.name if actor else (actor_login or "system")
        text = record.get("text")
        out: list[Notice] = []
        author_wants = (
            author is not None
            and bool(author.email)
            and (ticket["channel"] == "email" or author.telegram_id is None)
        )
        by_author = author is not None and actor_login == author.login
        unverified = bool(record.get("unverified"))
        address = (actor.email if actor else None) or str(actor_login or "?")
        if type_ == ev.CREATED and unverified:
            if author is not None and author.email and ticket["channel"] == "email":
                out.append(self._acknowledgement(author, ticket, unverified=True))
            for leader in tx.people_of_office(ticket["office"], "leader"):
                intro = unverified_intro(address, "otworzyła zgłoszenie w Twoim urzędzie")
                out.append(Notice(leader, UNVERIFIED_SUBJECT, intro, unverified=True))
        elif type_ == ev.COMMENTED and unverified:
            if by_author:
                for person in self._office_side(tx, ticket):
                    intro = unverified_intro(address, "dopisała coś do zgłoszenia")
                    out.append(Notice(person, UNVERIFIED_SUBJECT, intro, unverified=True))
        elif type_ == ev.CREATED:
            if author is not None and author.email and ticket["channel"] == "email":
                out.append(self._acknowledgement(author, ticket))
            for leader in tx.people_of_office(ticket["office"], "leader"):
                out.append(
                    Notice(
                        leader,
                        "Nowe zgłoszenie",
                        f"{actor_name} zgłasza nową sprawę w Twoim urzędzie.",
                        ticket["description"] or None,
                    )
                )
        elif type_ == ev.COMMENTED and by_author:
            for person in self._office_side(tx, ticket):
                out.append(
                    Notice(
                        person,
                        "Nowa informacja od zgłaszającego",
                        f"{actor_name} dopisał(a) do zgłoszenia:",
                        text,
                    )
                )
        elif type_ == ev.REPLIED and author is not None and author_wants:
            out.append(Notice(author, "Odpowiedź w sprawie zgłoszenia", f"{actor_name} odpowiada:", text))
        elif type_ in STATUS_INTRO:
            intro = STATUS_INTRO[type_].format(
                actor=actor_name, priority=priority_label(record.get("priority"))
            )
            if author is not None and author_wants:
                out.append(Notice(author, STATUS_SUBJECT[type_], intro, text))
            if type_ in (ev.ESCALATED, ev.REOPENED) and ticket["escalated"] and ticket["contractor"]:
                for agent in tx.people_by_role("agent", ticket["contractor"]):
                    out.append(
                        Notice(
                            agent,
                            "Zgłoszenie dla Wykonawcy" if type_ == ev.ESCALATED else STATUS_SUBJECT[type_],
                            f"{actor_name} przekazuje zgłoszenie – {office_label(tx, ticket)} "
                            f"(kategoria: {priority_label(ticket['priority'])}).",
                            text or ticket["description"] or None,
                        )
                    )
            if type_ == ev.RESUMED and ticket["escalated"] and ticket["contractor"]:
                # The office answered (or someone resumed): the contractor's clocks run again.
                for agent in tx.people_by_role("agent", ticket["contractor"]):
                    out.append(
                        Notice(
                            agent,
                            "Urząd odpowiedział — czas umowny znów biegnie",
                            f"{actor_name} wznawia zgłoszenie – {office_label(tx, ticket)}: "
                            "oczekiwanie na urząd zakończyło się, czas reakcji i naprawy liczy się dalej.",
                            None,
                        )
                    )
        elif type_ in SLA_EVENTS:
            out += self._sla_notices(tx, change, record)
        elif type_ == ev.FIRST_LINE_ALERT:
            out += self._first_line_notices(tx, ticket, record)
        return [n for n in out if n.recipient.email and (n.even_to_actor or n.recipient.login != actor_login)]

    def _sla_notices(self, tx: DirectoryRepo, change: Change, record: EventRecord) -> list[Notice]:
        facts = sla_facts(change, record, self.tz)
        tid = format_ticket_id(change.ticket["no"])
        if facts.warning:
            intro = f"Zgłoszenie {tid}: zbliża się termin umowny ({facts.metric})."
        else:
            intro = f"Zgłoszenie {tid} przekroczyło czas umowny ({facts.metric})."
        extra = tuple(facts.lines(office_label(tx, change.ticket)))
        about = dedupe_key(change.ticket, record)
        return [
            Notice(p, facts.headline, intro, None, extra, about=about)
            for p in sla_audience(tx, change.ticket)
        ]

    def _first_line_notices(self, tx: DirectoryRepo, ticket: Ticket, record: EventRecord) -> list[Notice]:
        tid = format_ticket_id(ticket["no"])
        level = int(record.get("level") or 1)
        if level <= 1:
            subject = "Zgłoszenie czeka na podjęcie przez lidera"
            intro = (
                f"Zgłoszenie {tid} nie zostało podjęte w czasie wewnętrznym pierwszej linii. "
                "Prosimy o jego podjęcie."
            )
        else:
            subject = "Zgłoszenie nadal nie jest podjęte — eskalacja"
            intro = (
                f"Zgłoszenie {tid} mimo przypomnienia liderom wciąż nie zostało podjęte. "
                "Przekazujemy je przedstawicielowi urzędu i koordynatorom."
            )
        extra = tuple(first_line_lines(ticket, office_label(tx, ticket), self.tz))
        about = dedupe_key(ticket, record)
        return [
            Notice(p, subject, intro, None, extra, about=about)
            for p in first_line_audience(tx, ticket, level)
        ]

    def _office_side(self, tx: DirectoryRepo, ticket: Ticket) -> list[Person]:
        """Who works on the ticket: the assignee (or the office's leaders), and agents once escalated."""
        people: list[Person] = []
        assignee = tx.person_by("login", ticket["assignee"]) if ticket["assignee"] else None
        people += [assignee] if assignee else tx.people_of_office(ticket["office"], "leader")
        if ticket["escalated"] and ticket["contractor"]:
            people += tx.people_by_role("agent", ticket["contractor"])
        return people

    def _acknowledgement(self, author: Person, ticket: Ticket, *, unverified: bool = False) -> Notice:
        ctx = CURRENT_MAIL.get()
        tid = format_ticket_id(ticket["no"])
        extra: list[str] = []
        if unverified:  # it goes to the real owner of the address, who learns if someone posed as them
            extra.append(
                "Nie udało się potwierdzić, że tę wiadomość wysłałeś(-aś) Ty. Jeśli to nie Ty, "
                "powiadom lidera swojego urzędu: ktoś mógł podszyć się pod Twój adres."
            )
        kb = ctx.kb if ctx is not None else None
        article = kb.get("article") if kb and kb.get("answered") else None
        if article:
            extra.append(
                f"Być może od razu pomoże artykuł z bazy wiedzy: „{article['title']}” — {article['url']}"
            )
        elif kb and kb.get("suggestions"):
            extra.append(
                "Może chodzi o… " + "; ".join(f"„{s['title']}” — {s['url']}" for s in kb["suggestions"])
            )
        extra.append(
            "Jeśli potrzebujesz kontaktu z osobą, nic więcej nie musisz robić: zgłoszenie trafiło "
            "do lidera Twojego urzędu. Aby coś dopisać, odpowiedz na tę wiadomość "
            f"(zachowaj [{tid}] w temacie)."
        )
        if ctx is not None and ctx.attachments:
            extra.append("Zapisane załączniki: " + ", ".join(a.filename for a in ctx.attachments) + ".")
        return Notice(
            author,
            "Przyjęliśmy zgłoszenie",
            f"Dzień dobry, przyjęliśmy Twoje zgłoszenie {tid}.",
            None,
            tuple(extra),
            reply_to_origin=True,
            even_to_actor=True,
            unverified=unverified,
        )

    # --- the message ----------------------------------------------------------------------
    def _enqueue(
        self,
        tx: EventRepo,
        change: Change,
        record: EventRecord,
        notice: Notice,
        origin: str | None,
        bodies: tuple[str, str],
        used: set[str],
    ) -> int:
        ticket = change.ticket
        no = ticket["no"]
        tid = format_ticket_id(no)
        seq = int(record.get("seq") or 0)
        root = root_message_id(no, self.domain)
        references = [mid for mid in (origin, root) if mid]
        ctx = CURRENT_MAIL.get()
        in_reply_to = root
        if notice.reply_to_origin and ctx is not None and ctx.message_id:
            in_reply_to = ctx.message_id
            if ctx.message_id not in references:
                references.insert(0, ctx.message_id)
        elif origin:
            in_reply_to = origin
        headers = {
            "Message-ID": new_message_id(no, seq, self.domain),
            "In-Reply-To": in_reply_to,
            "References": " ".join(references),
            "X-Helpdesk-Ticket": tid,
            "Auto-Submitted": "auto-generated",
        }
        subject = f"[{tid}] {notice.subject}" + ("" if notice.unverified else f": {ticket['title']}")
        text, markup = bodies
        assert notice.recipient.email is not None
        about = notice.about or f"mail:{no}:{seq}"
        dedupe = f"{about}:{notice.recipient.id}" + (":email" if notice.about else "")
        # A notice about one of the change's events (no `about`) is fresh the first time its key
        # comes up here; an SLA notice's key may have been used by an earlier sweep: the store checks.
        fresh = notice.about is None and dedupe not in used
        if fresh:
            used.add(dedupe)
        elif notice.about is None:
            return 0  # the same event to the same person twice in one change: once is enough
        return int(
            tx.enqueue(
                "email",
                notice.recipient.email,
                subject,
                text,
                at=change.at,
                html=markup,
                headers=headers,
                ticket_no=no,
                dedupe=dedupe,
                fresh=fresh,
            )
        )

    def render(self, ticket: Ticket, notice: Notice) -> tuple[str, str]:
        """The plain-text and HTML bodies of a notice (every value escaped in the HTML)."""
        tid = format_ticket_id(ticket["no"])
        link = f"{self.public_url}/tickets/{tid}"
        state = STATE_LABELS_PL.get(State(ticket["state"]), ticket["state"])
        lines = [notice.intro, ""]
        if notice.text:
            lines += [*("> " + line if line else ">" for line in notice.text.splitlines()), ""]
        lines += [*notice.extra, ""] if notice.extra else []
        lines += [
            f"Zgłoszenie: {tid}" + ("" if notice.unverified else f" — {ticket['title']}"),
            f"Stan: {state}",
            f"Podgląd: {link}",
            "",
            "-- ",
            SIGNATURE,
        ]
        text = "\n".join(lines)
        esc = html.escape
        parts = [f"<p>{esc(notice.intro)}</p>"]
        if notice.text:
            parts.append(
                '<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:1em">'
                + "<br>".join(esc(line) for line in notice.text.splitlines())
                + "</blockquote>"
            )
        parts += [f"<p>{esc(line)}</p>" for line in notice.extra]
        parts.append(
            f"<p>Zgłoszenie: <b>{esc(tid)}</b>"
            + ("" if notice.unverified else f" — {esc(str(ticket['title']))}")
            + "<br>"
            f'Stan: {esc(str(state))}<br><a href="{esc(link, quote=True)}">{esc(link)}</a></p>'
        )
        parts.append(f'<p style="color:#666">— {esc(SIGNATURE)}</p>')
        markup = (
            '<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"></head><body>'
            + "".join(parts)
            + "</body></html>"
        )
        return text, markup

"""Inbound mail use case: store raw → parse → who → thread → comment or new ticket (+ attachments).

The raw message is stored first (`store_raw`), in its own transaction, so nothing is lost when
parsing or the ticket step fails; `process` then decides, and records the outcome on the raw row
in the same transaction as the ticket change, so a crash leaves the row `new` to be tried again.

- Strangers (no active person with that e-mail), auto-replies, bulk mail, bounces, duplicates and
  senders over the rate limit open nothing and get nothing: status `ignored` with the reason.
- A reply (In-Reply-To / References to a mail of the ticket, or `[T-000042]` in the subject) lands
  on its ticket: the author's text as a comment, a leader's or agent's as a reply to the author.
- Anything else opens a ticket after the knowledge base had its chance: the acknowledgement
  (services/notify/mail.py) carries the best article.

A mail's files are attached to its ticket with the comment or the new ticket, in the same change;
`intake_listener` records the raw mail's outcome in that change's transaction too.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any, Protocol

from helpdesk.domain.errors import Conflict, Forbidden, HelpdeskError, NotFound, Unavailable
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.kb.answers import KbService
from helpdesk.services.notify.mail import CURRENT_MAIL, InboundMailContext
from helpdesk.services.ports import Change, Clock, Database, EventRepo
from helpdesk.services.tickets import MAX_TEXT, NewTicket, TicketService, Upload

log = logging.getLogger(__name__)

RATE_LIMIT = 20
RATE_WINDOW = timedelta(minutes=10)
KB_QUESTION_CHARS = 1000


class InboundMail(Protocol):
    """What the parser (adapters/email/parser.py) tells the intake."""

    @property
    def message_id(self) -> str | None:
        """The Message-ID, angle brackets included."""
        ...

    @property
    def from_addr(self) -> str:
        """The sender's address, lower-case."""
        ...

    @property
    def subject(self) -> str:
        """The decoded subject."""
        ...

    @property
    def title(self) -> str:
        """The subject cleaned for a ticket title."""
        ...

    @property
    def body(self) -> str:
        """The new text, quoted history stripped."""
        ...

    @property
    def auto(self) -> str | None:
        """Why the mail is automatic, or None."""
        ...

    @property
    def ticket_ref(self) -> int | None:
        """`[T-…]` from the subject."""
        ...

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs it answers, nearest first."""
        ...

    @property
    def attachments(self) -> Sequence[Upload]:
        """Its files."""
        ...


Parser = Callable[[bytes, str | None], InboundMail]


@dataclass(frozen=True)
class MailAuth:
    """Whether a message is really from its `From:` address (adapters/email/auth.py decides)."""

    authenticated: bool
    how: str  # what proved it, or why not (for the raw mail's note and the logs)


Authenticator = Callable[[bytes, str, str], MailAuth]
"""(raw message, From address, envelope sender) → the verdict."""


@dataclass(frozen=True)
class MailLimits:
    """How many mails one person, and one sending domain, may send within `window`."""

    per_person: int = RATE_LIMIT
    per_domain: int = 200
    window: timedelta = RATE_WINDOW


def _nobody_authenticated(_raw: bytes, _from: str, _envelope: str) -> MailAuth:
    return MailAuth(False, "nie sprawdzano nadawców (brak HELPDESK_MAIL_AUTHSERV_ID i sprawdzania DKIM)")


@dataclass(frozen=True)
class Outcome:
    """What became of one inbound message."""

    raw_id: int
    status: str  # ticket | comment | ignored | error | new (not processed yet)
    ticket: str | None = None
    note: str | None = None


class MailIntake:
    """The e-mail intake shared by the SMTP listener and the IMAP poller."""

    def __init__(
        self,
        db: Database[EventRepo],
        clock: Clock,
        tickets: TicketService,
        kb: KbService | None,
        parse: Parser,
        *,
        authenticate: Authenticator | None = None,
        limits: MailLimits | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.tickets = tickets
        self.kb = kb
        self.parse = parse
        self.authenticate = authenticate or _nobody_authenticated
        self.limits = limits or MailLimits()

    # --- the two steps --------------------------------------------------------------------
    def store_raw(
        self,
        data: bytes,
        *,
        source: str,
        envelope_from: str = "",
        envelope_to: str = "",
        message_id: str | None = None,
    ) -> int:
        """Keep the message exactly as received; Unavailable when the database does not answer."""
        values = {
            "received_at": self.clock.now(),
            "source": source,
            "envelope_from": envelope_from.lower()[:320],
            "envelope_to": envelope_to[:1000],
            "message_id": (message_id or None) and message_id[:998],
            "data": data,
            "status": "new",
        }
        return self.db.write(lambda tx: tx.mail_store_raw(values))

    def receive(
        self, data: bytes, *, source: str, envelope_from: str | None = None, envelope_to: str = ""
    ) -> Outcome:
        """Store then process one message; only the storing step may raise (Unavailable)."""
        sender = envelope_from if envelope_from is not None else ""
        raw_id = self.store_raw(
            data,
            source=source,
            envelope_from=sender,
            envelope_to=envelope_to,
            message_id=quick_message_id(data),
        )
        return self.process(raw_id, envelope_from=envelope_from)

    def process_pending(self, limit: int = 100) -> list[Outcome]:
        """Process messages stored but never processed (after a crash or a database outage)."""
        ids = self.db.read(lambda tx: tx.mail_pending(limit))
        return [self.process(raw_id) for raw_id in ids]

    def process(self, raw_id: int, *, envelope_from: str | None = None) -> Outcome:
        """Parse and act on one stored message; errors are recorded on the message, never raised."""
        try:
            return self._process(raw_id, envelope_from)
        except AlreadyProcessed:
            # Another processing of the same message (the gateway and the pending-mail retry at
            # once, or two workers) recorded its outcome first; ours was rolled back with its ticket.
            return self._recorded_outcome(raw_id)
        except Unavailable as err:
            log.warning("mail %s left for later: %s", raw_id, err)
            return Outcome(raw_id, "new", note=str(err))
        except Exception as err:  # a bug or a broken message must not lose the mail: keep it as error
            log.exception("mail %s could not be processed", raw_id)
            note = f"{type(err).__name__}: {err}"
            with contextlib.suppress(HelpdeskError):
                self.db.write(lambda tx: tx.mail_mark(raw_id, "error", None, note))
            with contextlib.suppress(Exception):
                self._answer_unreadable(raw_id)
            return Outcome(raw_id, "error", note=note)

    def _answer_unreadable(self, raw_id: int) -> None:
        """Tell an authenticated sender that their mail could not be read (it stays stored)."""
        row = self.db.read(lambda tx: tx.mail_raw(raw_id))
        if row is None:
            return
        data = bytes(row["data"])
        sender = quick_from(data)
        person = self.db.read(lambda tx: tx.person_by("email", sender)) if sender else None
        if (
            person is None
            or not person.email
            or not self.authenticate(data, sender, row["envelope_from"]).authenticated
        ):
            return
        body = (
            "Dzień dobry,\n\nnie udało się odczytać Twojej wiadomości"
            + (f" „{row['message_id']}”" if row["message_id"] else "")
            + f" (nr {raw_id}). Zachowaliśmy ją bez zmian; administrator help-desku może ją obejrzeć. "
            "Jeśli sprawa jest pilna, napisz ją jeszcze raz zwykłym tekstem albo skorzystaj z bota "
            "lub strony help-desku.\n\n-- \nHelpdesk e-Urząd\n"
        )
        address = person.email
        self.db.write(
            lambda tx: tx.enqueue(
                "email",
                address,
                "Nie udało się odczytać Twojej wiadomości",
                body,
                at=self.clock.now(),
                headers={"Auto-Submitted": "auto-replied"},
                dedupe=f"unreadable:{raw_id}",
            )
        )

    # --- deciding -------------------------------------------------------------------------
    def _ignore(self, raw_id: int, reason: str) -> Outcome:
        if not self.db.write(lambda tx: tx.mail_mark(raw_id, "ignored", None, reason, only_if_new=True)):
            return self._recorded_outcome(raw_id)
        log.info("mail %s ignored: %s", raw_id, reason)
        return Outcome(raw_id, "ignored", note=reason)

    def _recorded_outcome(self, raw_id: int) -> Outcome:
        """What the stored row says became of a message."""
        row = self.db.read(lambda tx: tx.mail_raw(raw_id))
        if row is None:
            raise NotFound(f"no raw mail {raw_id}")
        ticket = format_ticket_id(row["ticket_no"]) if row["ticket_no"] else None
        return Outcome(raw_id, row["status"], ticket, row["note"])

    def _process(self, raw_id: int, envelope_from: str | None) -> Outcome:
        row = self.db.read(lambda tx: tx.mail_raw(raw_id))
        if row is None:
            raise NotFound(f"no raw mail {raw_id}")
        if row["status"] != "new":
            return self._recorded_outcome(raw_id)
        if envelope_from is None and row["source"] == "smtp":
            envelope_from = row["envelope_from"]
        mail = self.parse(bytes(row["data"]), envelope_from)
        if mail.auto:
            return self._ignore(raw_id, f"automatic mail ({mail.auto})")
        sender = mail.from_addr
        person = self.db.read(lambda tx: tx.person_by("email", sender)) if sender else None
        auth = self.authenticate(bytes(row["data"]), sender, row["envelope_from"] or "")
        domain = sender.rpartition("@")[2][:255] or None
        person_id = person.id if person else None
        self.db.write(lambda tx: tx.mail_sender(raw_id, person_id, domain, auth.authenticated))
        if person is None:
            return self._ignore(raw_id, f"unknown sender {mail.from_addr or '(none)'}")
        limits, since = self.limits, self.clock.now() - self.limits.window
        recent = self.db.read(lambda tx: tx.mail_recent_count_by(person_id, None, since, raw_id))
        if recent >= limits.per_person:
            return self._ignore(raw_id, f"rate limit: {recent} mails from {person.login} in {limits.window}")
        if domain is not None:
            recent = self.db.read(lambda tx: tx.mail_recent_count_by(None, domain, since, raw_id))
            if recent >= limits.per_domain:
                return self._ignore(
                    raw_id, f"rate limit: {recent} mails from domain {domain} in {limits.window}"
                )
        if not auth.authenticated:
            log.info("mail %s from %s is not authenticated: %s", raw_id, sender, auth.how)
        if mail.message_id:
            mid = mail.message_id
            if self.db.read(lambda tx: tx.mail_already_processed(mid, raw_id)):
                return self._ignore(raw_id, f"duplicate of an already processed {mid}")
        ticket_no = self._thread(mail)
        verified = auth.authenticated
        if ticket_no is not None:
            outcome = self._add_to_ticket(raw_id, mail, person, ticket_no, verified)
            if outcome is not None:
                return outcome
        return self._open_ticket(raw_id, mail, person, verified)

    def _thread(self, mail: InboundMail) -> int | None:
        ids = mail.thread_ids
        found = self.db.read(lambda tx: tx.mail_thread_ticket(ids)) if ids else None
        return found if found is not None else mail.ticket_ref

    def _add_to_ticket(
        self, raw_id: int, mail: InboundMail, person: Person, no: int, verified: bool
    ) -> Outcome | None:
        """Comment (author) or reply (leader, agent) on ticket `no`; None when it must be a new ticket.

        A mail that is not authenticated never acts in a leader's or agent's name: it is kept as a
        comment marked unverified, which nobody is told about in that person's name.
        """
        tid = format_ticket_id(no)
        text = (mail.body or "(pusta wiadomość)")[:MAX_TEXT]
        replies = person.role not in (Role.OFFICIAL, Role.REPRESENTATIVE)
        action = "reply" if replies and verified else "comment"
        ctx = InboundMailContext(
            raw_id, mail.message_id, person, attachments=list(mail.attachments), status="comment"
        )
        files = list(mail.attachments)
        token = CURRENT_MAIL.set(ctx)
        try:
            try:
                self.tickets.act(person, tid, action, text=text, attachments=files, unverified=not verified)
            except (Forbidden, Conflict):
                if action == "comment":
                    raise
                self.tickets.act(person, tid, "comment", text=text, attachments=files)
        except NotFound:
            return None  # not theirs to see (or gone): their mail is still worth a ticket of its own
        except Conflict:
            return None  # closed: a new ticket it is
        except Forbidden as err:
            return self._ignore(raw_id, f"{person.login} may not act on {tid}: {err}")
        finally:
            CURRENT_MAIL.reset(token)
        # A verified answer of the office ended any waiting in the same action (services/tickets.py).
        return Outcome(raw_id, "comment", tid)

    def _open_ticket(self, raw_id: int, mail: InboundMail, person: Person, verified: bool) -> Outcome:
        question = f"{mail.title}\n{mail.body}"[:KB_QUESTION_CHARS]
        kb: dict[str, Any] | None = None
        try:
            kb = self.kb.answer(question, person, channel="email") if self.kb is not None else None
        except HelpdeskError as err:
            log.info("no KB answer for mail %s: %s", raw_id, err)
        ctx = InboundMailContext(raw_id, mail.message_id, person, kb=kb, attachments=list(mail.attachments))
        token = CURRENT_MAIL.set(ctx)
        try:
            request = NewTicket(
                title=mail.title,
                description=mail.body[:MAX_TEXT],
                channel="email",
                attachments=list(mail.attachments),
                unverified=not verified,
            )
            ticket = self.tickets.create(person, request)
        except Forbidden as err:
            return self._ignore(raw_id, f"{person.login} may not open tickets: {err}")
        finally:
            CURRENT_MAIL.reset(token)
        tid = str(ticket["id"])
        if self.kb is not None and kb and kb.get("query_id"):
            try:
                self.kb.link_ticket(int(kb["query_id"]), int(tid.split("-")[1]))
            except HelpdeskError as err:
                log.info("KB query not linked to %s: %s", tid, err)
        return Outcome(raw_id, "ticket", tid)


class AlreadyProcessed(Exception):
    """A stored message got its outcome from another processing while this one was under way."""


def intake_listener(repo: EventRepo, change: Change) -> int:
    """Event listener: record the outcome of the mail being processed in its ticket's transaction."""
    ctx = CURRENT_MAIL.get()
    if ctx is None or ctx.consumed:
        return 0
    ctx.consumed = True
    if not repo.mail_mark(ctx.raw_id, ctx.status, change.ticket["no"], ctx.note, only_if_new=True):
        raise AlreadyProcessed(ctx.raw_id)  # rolls back this ticket change: the mail was handled already
    return 0


def quick_from(data: bytes) -> str:
    """The From address of a message too broken to parse (to tell its sender), or ''."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(data[: 256 * 1024])
        return parseaddr(str(headers.get("From", "")))[1].strip().lower()
    except Exception:  # nothing readable: nobody to tell
        return ""


def quick_message_id(data: bytes) -> str | None:
    """The Message-ID from the header block without a full parse (for the raw row)."""
    head = data[: 64 * 1024].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    for i, line in enumerate(lines):
        if line[:11].lower() == b"message-id:":
            value = line[11:]
            j = i + 1
            while j < len(lines) and lines[j][:1] in (b" ", b"\t"):
                value += lines[j]
                j += 1
            text = value.decode("ascii", "replace").strip()
            start, end = text.find("<"), text.find(">")
            return text[start : end + 1] if 0 <= start < end else None
    return None

"""Personal data (mixed into tx.Tx): removing it after retention, and gathering one person's.

Removing a ticket's personal content touches every table that holds some: the events' `personal`
column (the chain keeps each event's digest), attachments, the ticket's title and description, the
raw mail it came from, the notices about it in the outbox and the questions that led to it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, select, update

from helpdesk.adapters.db.tables import (
    AttachmentRow,
    CredentialRow,
    EventRow,
    KbQueryRow,
    OutboxRow,
    RawMailRow,
    TelegramUpdateRow,
    TicketRow,
)
from helpdesk.domain.events import CLOSED, PERSONAL_DATA_REMOVED

_event = EventRow.__table__  # type: ignore[attr-defined]
_ticket = TicketRow.__table__  # type: ignore[attr-defined]
_attachment = AttachmentRow.__table__  # type: ignore[attr-defined]
_raw = RawMailRow.__table__  # type: ignore[attr-defined]
_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
_query = KbQueryRow.__table__  # type: ignore[attr-defined]
_update = TelegramUpdateRow.__table__  # type: ignore[attr-defined]
_credential = CredentialRow.__table__  # type: ignore[attr-defined]


class PrivacyTxMixin:
    """Retention and personal-data export methods of the repository."""

    conn: Connection
    postgres: bool

    # --- retention --------------------------------------------------------------------------
    def retention_due(self, cutoff: datetime, limit: int) -> list[int]:
        """Closed tickets whose last `closed` event is before `cutoff` and that were not cleared yet."""
        closed = (
            select(
                _event.c.ticket_no, func.max(_event.c.at_utc, type_=_event.c.at_utc.type).label("closed_at")
            )
            .where(_event.c.type == CLOSED)
            .group_by(_event.c.ticket_no)
            .subquery()
        )
        cleared = exists(
            select(_event.c.id).where(
                _event.c.ticket_no == _ticket.c.no, _event.c.type == PERSONAL_DATA_REMOVED
            )
        )
        q = (
            select(_ticket.c.no)
            .join(closed, closed.c.ticket_no == _ticket.c.no)
            .where(_ticket.c.state == "closed", closed.c.closed_at < cutoff, ~cleared)
            .order_by(_ticket.c.no)
            .limit(limit)
        )
        return [int(n) for n in self.conn.execute(q).scalars()]

    def redact_ticket(self, no: int, title: str, text: str) -> dict[str, int]:
        """Remove a ticket's personal content everywhere; how much of each kind."""
        if not self.postgres:  # SQLite: overwrite what is deleted, so the old text is not left in free pages
            self.conn.exec_driver_sql("PRAGMA secure_delete = ON")
        counts = {
            "events": self.conn.execute(
                update(_event)
                .where(_event.c.ticket_no == no, _event.c.personal.is_not(None))
                .values(personal=None)
            ).rowcount,
            "attachments": self.conn.execute(
                delete(_attachment).where(_attachment.c.ticket_no == no)
            ).rowcount,
            "mails": self.conn.execute(
                update(_raw)
                .where(_raw.c.ticket_no == no)
                .values(data=b"", envelope_from="", envelope_to="", message_id=None, note=text[:200])
            ).rowcount,
            "notices": self.conn.execute(
                update(_outbox)
                .where(_outbox.c.ticket_no == no)
                .values(recipient="-", subject=text[:200], body=text, html=None, headers="{}")
            ).rowcount,
            "questions": self.conn.execute(
                update(_query).where(_query.c.ticket_no == no).values(text=text)
            ).rowcount,
        }
        self.conn.execute(update(_ticket).where(_ticket.c.no == no).values(title=title, description=text))
        return {k: int(v or 0) for k, v in counts.items()}

    def telegram_updates_redact(self, cutoff: datetime) -> int:
        """Forget the content of Telegram updates received before `cutoff`; how many."""
        return int(
            self.conn.execute(
                update(_update)
                .where(and_(_update.c.received_at < cutoff, _update.c.data != "{}"))
                .values(data="{}")
            ).rowcount
            or 0
        )

    # --- one person's data ------------------------------------------------------------------
    def person_data(
        self, person_id: int, login: str, email: str | None, telegram_id: int | None
    ) -> dict[str, Any]:
        """Rows about one person outside the event log: credentials, mail, notices, questions."""

        def rows(q: Any) -> list[dict[str, Any]]:
            return [dict(r._mapping) for r in self.conn.execute(q)]

        credentials = rows(
            select(
                _credential.c.kind,
                func.substr(_credential.c.digest, 1, 12).label("id"),
                _credential.c.created_at,
                _credential.c.expires_at,
                _credential.c.used_at,
                _credential.c.last_used_at,
            ).where(_credential.c.person_id == person_id)
        )
        mail_from = [_raw.c.person_id == person_id]
        if email:
            mail_from.append(func.lower(_raw.c.envelope_from) == email.lower())
        mails = rows(
            select(_raw)
            .where(mail_from[0] if len(mail_from) == 1 else (mail_from[0] | mail_from[1]))
            .order_by(_raw.c.id)
        )
        for mail in mails:
            data = mail.pop("data", b"") or b""
            mail["raw"] = bytes(data).decode("utf-8", "replace")
        recipients = [r for r in (email, str(telegram_id) if telegram_id is not None else None) if r]
        notices = (
            rows(
                select(
                    _outbox.c.channel,
                    _outbox.c.recipient,
                    _outbox.c.subject,
                    _outbox.c.body,
                    _outbox.c.ticket_no,
                    _outbox.c.created_at,
                    _outbox.c.sent_at,
                )
                .where(_outbox.c.recipient.in_(recipients))
                .order_by(_outbox.c.id)
            )
            if recipients
            else []
        )
        questions = rows(
            select(
                _query.c.at,
                _query.c.channel,
                _query.c.text,
                _query.c.answered,
                _query.c.article_id,
                _query.c.ticket_no,
            )
            .where(_query.c.person_id == person_id)
            .order_by(_query.c.id)
        )
        authored = [
            int(n)
            for n in self.conn.execute(select(_ticket.c.no).where(_ticket.c.author_id == person_id)).scalars()
        ]
        acted = [
            int(n)
            for n in self.conn.execute(
                select(_event.c.ticket_no)
                .where(_event.c.actor == login)
                .distinct()
                .order_by(_event.c.ticket_no)
            ).scalars()
        ]
        return {
            "credentials": credentials,
            "mails": mails,
            "notices": notices,
            "questions": questions,
            "authored": authored,
            "acted": acted,
        }

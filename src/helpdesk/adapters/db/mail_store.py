"""Raw inbound mail (mixed into tx.Tx): kept before parsing, its outcome, its threading."""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from helpdesk.adapters.db.tables import OutboxRow, RawMailRow
from helpdesk.services.ports import Row

raw_t = RawMailRow.__table__  # type: ignore[attr-defined]
mail_outbox_t = OutboxRow.__table__  # type: ignore[attr-defined]

_OUR_ID = re.compile(r"^<hd\.(\d+)\.")


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class MailTxMixin:
    """Mail methods of the repository (services.ports.MailRepo)."""

    conn: Connection
    postgres: bool

    def mail_store_raw(self, values: Mapping[str, Any]) -> int:
        """Keep an inbound message exactly as received; return its id."""
        new_id = self.conn.execute(insert(raw_t).values(**values).returning(raw_t.c.id)).scalar_one()
        return int(new_id)

    def mail_raw(self, raw_id: int, *, lock: bool = False) -> Row | None:
        """One stored raw message as a dict, or None."""
        q = select(raw_t).where(raw_t.c.id == raw_id)
        if lock and self.postgres:
            q = q.with_for_update()
        row = self.conn.execute(q).first()
        return dict(row._mapping) if row else None

    def mail_mark(
        self,
        raw_id: int,
        status: str,
        ticket_no: int | None = None,
        note: str | None = None,
        *,
        only_if_new: bool = False,
    ) -> bool:
        """Record what became of a raw message; with `only_if_new`, only while it is still `new`."""
        where = [raw_t.c.id == raw_id]
        if only_if_new:
            where.append(raw_t.c.status == "new")
        result = self.conn.execute(
            update(raw_t)
            .where(*where)
            .values(status=status, ticket_no=ticket_no, note=(note or None) and note[:1000])
        )
        return bool(result.rowcount)

    def mail_pending(self, limit: int = 100) -> list[int]:
        """Ids of raw messages stored but not processed yet, oldest first."""
        rows = self.conn.execute(
            select(raw_t.c.id).where(raw_t.c.status == "new").order_by(raw_t.c.id).limit(limit)
        )
        return [int(r.id) for r in rows]

    def mail_recent_count(self, sender: str, since: datetime, exclude_id: int | None = None) -> int:
        """How many messages `sender` sent us since `since` (for the rate limit)."""
        q = (
            select(func.count())
            .select_from(raw_t)
            .where(func.lower(raw_t.c.envelope_from) == sender.lower(), raw_t.c.received_at >= since)
        )
        if exclude_id is not None:
            q = q.where(raw_t.c.id != exclude_id)
        return int(self.conn.execute(q).scalar_one())

    def mail_sender(
        self, raw_id: int, person_id: int | None, domain: str | None, authenticated: bool
    ) -> None:
        """Record who a message is from, as far as it could be told (the rate limits count these)."""
        self.conn.execute(
            update(raw_t)
            .where(raw_t.c.id == raw_id)
            .values(person_id=person_id, sender_domain=domain, authenticated=authenticated)
        )

    def mail_recent_count_by(
        self, person_id: int | None, domain: str | None, since: datetime, exclude_id: int | None = None
    ) -> int:
        """How many messages one person (or one sending domain) sent us since `since`."""
        q = select(func.count()).select_from(raw_t).where(raw_t.c.received_at >= since)
        if person_id is not None:
            q = q.where(raw_t.c.person_id == person_id)
        if domain is not None:
            q = q.where(raw_t.c.sender_domain == domain)
        if exclude_id is not None:
            q = q.where(raw_t.c.id != exclude_id)
        return int(self.conn.execute(q).scalar_one())

    def mail_already_processed(self, message_id: str, exclude_id: int) -> bool:
        """True when another raw message with this Message-ID already became a ticket or comment."""
        row = self.conn.execute(
            select(raw_t.c.id).where(
                raw_t.c.message_id == message_id,
                raw_t.c.id != exclude_id,
                raw_t.c.status.in_(["ticket", "comment"]),
            )
        ).first()
        return row is not None

    def mail_thread_ticket(self, message_ids: list[str]) -> int | None:
        """The ticket a reply belongs to: Message-IDs we sent (outbox headers) or received for it."""
        for mid in message_ids:
            row = self.conn.execute(
                select(raw_t.c.ticket_no).where(raw_t.c.message_id == mid, raw_t.c.ticket_no.is_not(None))
            ).first()
            if row is not None:
                return int(row.ticket_no)
            q = select(mail_outbox_t.c.ticket_no).where(
                mail_outbox_t.c.channel == "email",
                mail_outbox_t.c.ticket_no.is_not(None),
                mail_outbox_t.c.headers.like(f"%{_like_escape(mid)}%", escape="\\"),
            )
            ours = _OUR_ID.match(mid)
            if ours:  # our own ids carry the ticket number: look only at that ticket's mail
                q = q.where(mail_outbox_t.c.ticket_no == int(ours.group(1)))
            found = self.conn.execute(q.limit(1)).first()
            if found is not None:
                return int(found.ticket_no)
        return None

    def mail_ticket_origin(self, ticket_no: int) -> str | None:
        """The Message-ID of the mail that opened the ticket, if it came by mail."""
        row = self.conn.execute(
            select(raw_t.c.message_id)
            .where(raw_t.c.ticket_no == ticket_no, raw_t.c.status == "ticket")
            .order_by(raw_t.c.id)
        ).first()
        return str(row.message_id) if row and row.message_id else None

    def mail_raw_list(self, limit: int = 1000) -> list[Row]:
        """Stored raw messages without their bytes, oldest first (tests and the admin view)."""
        cols = [c for c in raw_t.c if c.name != "data"]
        rows = self.conn.execute(select(*cols).order_by(raw_t.c.id).limit(limit))
        return [dict(r._mapping) for r in rows]

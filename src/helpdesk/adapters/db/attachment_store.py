"""Files attached to tickets, whichever channel brought them (mixed into tx.Tx)."""

import hashlib
from datetime import datetime

from sqlalchemy import Connection, insert, select

from helpdesk.adapters.db.tables import AttachmentRow
from helpdesk.services.ports import Row

attachment_t = AttachmentRow.__table__  # type: ignore[attr-defined]


class AttachmentTxMixin:
    """Attachment methods of the repository (services.ports.AttachmentRepo)."""

    conn: Connection

    def add_attachment(
        self, ticket_no: int, filename: str, content_type: str, data: bytes, at: datetime
    ) -> Row:
        """Store a file attached to a ticket; returns its id, filename (as stored), size and SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        name = filename[:255]
        new_id = self.conn.execute(
            insert(attachment_t)
            .values(
                ticket_no=ticket_no,
                filename=name,
                content_type=content_type[:128],
                size=len(data),
                sha256=sha,
                data=data,
                created_at=at,
            )
            .returning(attachment_t.c.id)
        ).scalar_one()
        return {"id": int(new_id), "filename": name, "size": len(data), "sha256": sha}

    def attachments_of(self, ticket_no: int) -> list[Row]:
        """Attachments of a ticket without their bytes."""
        rows = self.conn.execute(
            select(
                attachment_t.c.id,
                attachment_t.c.filename,
                attachment_t.c.content_type,
                attachment_t.c.size,
                attachment_t.c.sha256,
            )
            .where(attachment_t.c.ticket_no == ticket_no)
            .order_by(attachment_t.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def mail_attachments(self, ticket_no: int) -> list[Row]:
        """The files of a ticket with their bytes."""
        rows = self.conn.execute(
            select(attachment_t).where(attachment_t.c.ticket_no == ticket_no).order_by(attachment_t.c.id)
        )
        return [dict(r._mapping) for r in rows]

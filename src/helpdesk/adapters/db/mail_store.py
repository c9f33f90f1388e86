"""Repository methods for the mail part (mixed into store.Tx)."""

from sqlalchemy import Connection


class MailTxMixin:
    """Mail methods of the repository."""

    conn: Connection
    postgres: bool

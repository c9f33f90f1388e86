"""Repository methods for the telegram part (mixed into store.Tx)."""

from sqlalchemy import Connection


class TelegramTxMixin:
    """Telegram methods of the repository."""

    conn: Connection
    postgres: bool

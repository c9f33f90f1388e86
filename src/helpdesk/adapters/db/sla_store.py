"""Repository methods for the sla part (mixed into store.Tx)."""

from sqlalchemy import Connection


class SlaTxMixin:
    """Sla methods of the repository."""

    conn: Connection
    postgres: bool

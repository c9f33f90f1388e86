"""Leases (mixed into tx.Tx): which process holds something that must run exactly once, until when.

Taking a lease is one conditional UPDATE (held by nobody alive: expired, or already ours) or, the
first time, one INSERT; both are atomic on SQLite and PostgreSQL, so two processes asking at once
never both get it. Times come from the caller's clock, so tests move them with a manual clock.
"""

from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk.adapters.db.tables import LeaseRow

lease_t = LeaseRow.__table__  # type: ignore[attr-defined]


class LeaseTxMixin:
    """Lease methods of the repository (services.ports.LeaseRepo)."""

    conn: Connection

    def lease_take(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew lease `name` for `holder` until now + ttl; False when another live holder has it."""
        taken = self.conn.execute(
            update(lease_t)
            .where(lease_t.c.name == name, or_(lease_t.c.holder == holder, lease_t.c.expires_at <= now))
            .values(holder=holder, expires_at=now + ttl)
        ).rowcount
        if taken:
            return True
        if self.conn.execute(select(lease_t.c.name).where(lease_t.c.name == name)).first() is not None:
            return False
        nested = self.conn.begin_nested()
        try:
            self.conn.execute(
                insert(lease_t).values(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
            )
            nested.commit()
        except IntegrityError:  # another process inserted it first
            nested.rollback()
            return False
        return True

    def lease_release(self, name: str, holder: str, now: datetime) -> None:
        """Give the lease up at once (a clean stop), so another process need not wait for it to expire."""
        self.conn.execute(
            update(lease_t).where(lease_t.c.name == name, lease_t.c.holder == holder).values(expires_at=now)
        )

    def lease_holders(self, now: datetime) -> dict[str, tuple[str, datetime, bool]]:
        """Every lease: name → (holder, expires_at, still held at `now`)."""
        return {
            r.name: (r.holder, r.expires_at, r.expires_at > now)
            for r in self.conn.execute(select(lease_t.c.name, lease_t.c.holder, lease_t.c.expires_at))
        }

"""Telegram updates and dialogue states (mixed into tx.Tx).

Two kinds of rows: processed Telegram updates (idempotency on `update_id`) and the state of each
conversation of the channel-agnostic dialogue (so a restart loses nothing).
"""

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, Text, bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.tables import TelegramUpdateRow


class DialogueStateRow(SQLModel, table=True):
    """Where one conversation (`telegram:<chat>`, `email:<address>`, `web:<session>`) stands."""

    __tablename__ = "dialogue_state"
    key: str = Field(primary_key=True, max_length=128)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime


update_t = TelegramUpdateRow.__table__  # type: ignore[attr-defined]
state_t = DialogueStateRow.__table__  # type: ignore[attr-defined]

# A claim older than this whose processing never finished (the process died) may be taken again.
STALE_CLAIM = timedelta(minutes=2)
# Every message a person sends the bot reads and writes its conversation's state and claims its
# update: fixed statements on the prepared path (adapters/db/prepared.py).
_UPDATE_SEEN = select(update_t.c.update_id).where(update_t.c.update_id == bindparam("update_id"))
_STATE_LOAD = select(state_t.c.data).where(state_t.c.key == bindparam("key_"))
# A state is saved with one upsert whose outcome nobody reads, so on PostgreSQL it is deferred and
# costs no round trip of its own (an UPDATE, then an INSERT when it found no row, cost one).
_STATE_UPSERT = {
    dialect: statement.on_conflict_do_update(
        index_elements=[state_t.c.key],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
    )
    for dialect, statement in (("postgresql", pg_insert(state_t)), ("sqlite", sqlite_insert(state_t)))
}
_STATE_DELETE = delete(state_t).where(state_t.c.key == bindparam("key_"))


class TelegramTxMixin:
    """Telegram and dialogue methods of the repository (services.ports.TelegramRepo, DialogueRepo)."""

    conn: Connection
    postgres: bool
    fast: PreparedRunner

    # --- updates ------------------------------------------------------------------------
    def tg_claim_update(self, update_id: int, now: datetime, owner: str = "") -> bool:
        """Claim an update for processing; False if it was processed or another live worker has it.

        An unfinished claim is taken over when it belongs to another `owner` (an earlier run of the
        bot that stopped mid-way) or is older than STALE_CLAIM.
        """
        exists = self.fast.first(_UPDATE_SEEN, {"update_id": update_id})
        if exists is not None:
            # Taken again only when an earlier claim never finished (its process died).
            retaken = self.conn.execute(
                update(update_t)
                .where(
                    update_t.c.update_id == update_id,
                    update_t.c.processed_at.is_(None),
                    or_(update_t.c.data != owner, update_t.c.received_at < now - STALE_CLAIM),
                )
                .values(received_at=now, data=owner)
            ).rowcount
            return bool(retaken)
        nested = self.conn.begin_nested()
        try:
            self.conn.execute(insert(update_t).values(update_id=update_id, received_at=now, data=owner))
            nested.commit()
        except IntegrityError:
            nested.rollback()
            return False
        return True

    def tg_claim_updates(self, update_ids: list[int], now: datetime, owner: str = "") -> set[int]:
        """Claim many updates at once (one transaction for a whole getUpdates batch); returns those claimed."""
        ids = sorted(set(update_ids))
        if not ids:
            return set()
        existing = {
            r.update_id
            for r in self.conn.execute(select(update_t.c.update_id).where(update_t.c.update_id.in_(ids)))
        }
        fresh = [i for i in ids if i not in existing]
        if fresh:
            self.conn.execute(
                insert(update_t), [{"update_id": i, "received_at": now, "data": owner} for i in fresh]
            )
        claimed = set(fresh)
        if existing:
            # Those seen before (a webhook stores each update before it is claimed) are taken in one
            # statement, on the same terms as `tg_claim_update`: unfinished, and another owner's or stale.
            retaken = self.conn.execute(
                update(update_t)
                .where(
                    update_t.c.update_id.in_(sorted(existing)),
                    update_t.c.processed_at.is_(None),
                    or_(update_t.c.data != owner, update_t.c.received_at < now - STALE_CLAIM),
                )
                .values(received_at=now, data=owner)
                .returning(update_t.c.update_id)
            )
            claimed.update(r.update_id for r in retaken)
        return claimed

    def tg_updates_done(self, update_ids: list[int], now: datetime) -> None:
        """Mark claimed updates as processed."""
        if update_ids:
            self.conn.execute(
                update(update_t).where(update_t.c.update_id.in_(update_ids)).values(processed_at=now)
            )

    def tg_store_updates(self, updates: list[tuple[int, str]], now: datetime, owner: str = "") -> set[int]:
        """Store webhook updates (id, payload as received) not seen before; returns the ids stored now.

        With an `owner` each row stored is that worker's claim at once (the webhook worker that
        stores an update processes it, so a second write to claim it would be waste); without one,
        the worker that processes it claims it like any other update.
        """
        wanted = dict(updates)
        if not wanted:
            return set()
        # One statement: the rows not there yet are inserted and named back. A row another worker
        # is inserting at the same moment makes this one wait and then skip it (no unique
        # violation failing the whole batch, as a SELECT then an INSERT could).
        insert_ = pg_insert if self.postgres else sqlite_insert
        statement = (
            insert_(update_t)
            .values(
                [
                    {"update_id": i, "received_at": now, "data": owner, "payload": wanted[i]}
                    for i in sorted(wanted)
                ]
            )
            .on_conflict_do_nothing(index_elements=[update_t.c.update_id])
            .returning(update_t.c.update_id)
        )
        return {r.update_id for r in self.conn.execute(statement)}

    def tg_unprocessed(self, older_than: datetime, limit: int) -> list[tuple[int, str]]:
        """Stored webhook updates never processed whose last claim is older than `older_than`."""
        rows = self.conn.execute(
            select(update_t.c.update_id, update_t.c.payload)
            .where(
                update_t.c.processed_at.is_(None),
                update_t.c.payload.is_not(None),
                update_t.c.received_at < older_than,
            )
            .order_by(update_t.c.update_id)
            .limit(limit)
        )
        return [(r.update_id, r.payload) for r in rows]

    def tg_updates_seen(self) -> int:
        """How many updates were ever claimed (tests, metrics)."""
        return len(self.conn.execute(select(update_t.c.update_id)).all())

    # --- dialogue state -----------------------------------------------------------------
    def dialogue_load(self, key: str) -> dict[str, Any]:
        """The stored state of a conversation ({} when new)."""
        if self.fast.deferring:
            self.fast.flush()  # a state saved earlier in this transaction waits (held) until then
        row = self.fast.first(_STATE_LOAD, {"key_": key})
        return dict(json.loads(row.data)) if row is not None and row.data else {}

    def dialogue_save(self, key: str, data: Mapping[str, Any], now: datetime) -> None:
        """Store the state of a conversation (an empty state deletes the row)."""
        # Held to the end of the transaction and sent in key order (PreparedRunner.defer_latest):
        # two workers answering the same people never deadlock on their states.
        slot = f"dialogue_state:{key}"
        if not data:
            self.fast.defer_latest(slot, _STATE_DELETE, {"key_": key}, held=True)
            return
        payload = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
        upsert = _STATE_UPSERT["postgresql" if self.postgres else "sqlite"]
        self.fast.defer_latest(
            slot, upsert, {"key": key, "data": payload, "updated_at": now}, keyed=True, held=True
        )

"""trust: personal content apart from the hash chain (re-anchored), token use, throttles, mail senders,
access log

Revision ID: 0008_trust
Revises: 0009_kb_proposals

- event.personal: the personal content of each event (texts, titles, file names) with a random
  salt; the chain hashes its SHA-256 (`personal_sha256`) instead of the content, so the content can
  be removed when its retention period ends while every hash still verifies.
- The existing chain is migrated honestly: the old chain is verified first (a broken one stops the
  migration, naming the event: re-anchoring must never launder an altered log); every event is
  hashed again in the new form, and one event of the log itself (`T-000000`, `log_reanchored`) is
  appended that names the old head and event count and the new head, so an auditor holding the
  old head can still prove the log extends it (`helpdesk audit verify --head OLD`).
- credential.last_used_at; raw_mail.person_id, sender_domain, authenticated; the `throttle` and
  `access_log` tables.

The hashing rules are written out here rather than imported, so this migration keeps doing what
it did when the code around it changes.
"""
import hashlib
import json
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from helpdesk.domain.errors import Conflict

revision = '0008_trust'
down_revision = '0009_kb_proposals'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
PERSONAL_KEYS = ("title", "description", "text", "filename", "from_name", "from_addr")
BATCH = 2000


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(row: sa.Row) -> dict:  # type: ignore[type-arg]
    record = {"ticket": f"T-{row.ticket_no:06d}", "seq": row.seq, "at": row.at, "type": row.type}
    if row.actor is not None:
        record["actor"] = row.actor
    record.update({k: v for k, v in json.loads(row.data).items() if v is not None})
    return record


def _reanchor(conn: sa.Connection) -> None:
    event = sa.table(
        'event',
        sa.column('id', sa.Integer), sa.column('ticket_no', sa.Integer), sa.column('seq', sa.Integer),
        sa.column('at', sa.String), sa.column('at_utc', sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column('type', sa.String), sa.column('actor', sa.String), sa.column('data', sa.Text),
        sa.column('personal', sa.Text), sa.column('prev', sa.String), sa.column('hash', sa.String),
    )
    head = sa.table(
        'log_head', sa.column('id', sa.Integer), sa.column('last_hash', sa.String),
        sa.column('event_count', sa.Integer),
    )
    stored = conn.execute(sa.select(head.c.last_hash, head.c.event_count).where(head.c.id == 1)).first()
    if stored is None or stored.event_count == 0:
        return
    # 1. The old chain must hold, row by row, before anything is hashed again.
    legacy_prev, new_prev, position = GENESIS, GENESIS, 0
    updates: list[dict] = []  # type: ignore[type-arg]
    last_id = None
    while True:
        q = sa.select(event).order_by(event.c.id).limit(BATCH)
        if last_id is not None:
            q = q.where(event.c.id > last_id)
        rows = conn.execute(q).all()
        if not rows:
            break
        for row in rows:
            position += 1
            where = f"zdarzenie nr {position} (T-{row.ticket_no:06d}, seq {row.seq})"
            if row.id != position:
                raise Conflict(
                    f"migracja 0008 wstrzymana: {where} ma identyfikator {row.id}; dziennik naruszony — "
                    "przywróć go z kopii przed aktualizacją"
                )
            try:
                record = _record(row)
            except (ValueError, TypeError) as err:
                raise Conflict(f"migracja 0008 wstrzymana: {where} jest uszkodzone ({err})") from None
            if row.prev != legacy_prev or _sha(legacy_prev + _dumps(record)) != row.hash:
                raise Conflict(
                    f"migracja 0008 wstrzymana: {where} nie zgadza się z łańcuchem skrótów; dziennik "
                    "naruszony — przywróć go z kopii przed aktualizacją"
                )
            legacy_prev = row.hash
            # 2. The new form: personal content apart, under its salted digest.
            personal = {k: record.pop(k) for k in PERSONAL_KEYS if k in record}
            sealed = None
            if personal:
                sealed = {"salt": secrets.token_hex(16), **personal}
                record["personal_sha256"] = _sha(_dumps(sealed))
            digest = _sha(new_prev + _dumps(record))
            data = {k: v for k, v in record.items() if k not in ("ticket", "seq", "at", "type", "actor")}
            updates.append(
                {
                    "b_id": row.id,
                    "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
                    "personal": json.dumps(sealed, ensure_ascii=False, sort_keys=True) if sealed else None,
                    "prev": new_prev,
                    "hash": digest,
                }
            )
            new_prev = digest
        last_id = rows[-1].id
    if position != stored.event_count or legacy_prev != stored.last_hash:
        raise Conflict(
            f"migracja 0008 wstrzymana: dziennik ma {position} zdarzeń, a nagłówek wskazuje "
            f"{stored.event_count}; dziennik naruszony — przywróć go z kopii przed aktualizacją"
        )
    statement = (
        sa.update(event)
        .where(event.c.id == sa.bindparam("b_id"))
        .values(
            data=sa.bindparam("data"),
            personal=sa.bindparam("personal"),
            prev=sa.bindparam("prev"),
            hash=sa.bindparam("hash"),
        )
    )
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start : start + BATCH])
    # 3. The re-anchoring event: the old head and count, the new head, in the new chain.
    now = datetime.now(UTC).replace(microsecond=0)
    seq = (conn.execute(sa.select(sa.func.max(event.c.seq)).where(event.c.ticket_no == 0)).scalar() or 0) + 1
    data = {
        "legacy_head": stored.last_hash,
        "legacy_events": position,
        "head": new_prev,
        "reason": "dane osobowe zdarzeń poza łańcuchem (skrót personal_sha256); łańcuch przeliczony",
    }
    record = {"ticket": "T-000000", "seq": seq, "at": now.isoformat(), "type": "log_reanchored", **data}
    digest = _sha(new_prev + _dumps(record))
    conn.execute(
        sa.insert(event).values(
            id=position + 1, ticket_no=0, seq=seq, at=now.isoformat(), at_utc=now, type="log_reanchored",
            actor=None, data=json.dumps(data, ensure_ascii=False, sort_keys=True), personal=None,
            prev=new_prev, hash=digest,
        )
    )
    conn.execute(sa.update(head).where(head.c.id == 1).values(last_hash=digest, event_count=position + 1))


def upgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('personal', sa.Text(), nullable=True))
    with op.batch_alter_table('credential') as batch:
        batch.add_column(sa.Column('last_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('raw_mail') as batch:
        batch.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('sender_domain', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch.add_column(sa.Column('authenticated', sa.Boolean(), nullable=True))
        batch.create_index('ix_raw_mail_person_id', ['person_id'], unique=False)
        batch.create_index('ix_raw_mail_sender_domain', ['sender_domain'], unique=False)
    op.create_table(
        'throttle',
        sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('blocked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('scope', 'key'),
    )
    op.create_table(
        'access_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('login', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('ticket_no', sa.Integer(), nullable=False),
        sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('access_log') as batch:
        batch.create_index('ix_access_log_at', ['at'], unique=False)
        batch.create_index('ix_access_log_person_id', ['person_id'], unique=False)
        batch.create_index('ix_access_log_ticket_no', ['ticket_no'], unique=False)
    _reanchor(op.get_bind())


def _back_to_flat(conn: sa.Connection) -> None:
    """Going back: the chain verified in its new form, then hashed again in the old flat form."""
    event = sa.table(
        'event', sa.column('id', sa.Integer), sa.column('ticket_no', sa.Integer), sa.column('seq', sa.Integer),
        sa.column('at', sa.String), sa.column('type', sa.String), sa.column('actor', sa.String),
        sa.column('data', sa.Text), sa.column('personal', sa.Text), sa.column('prev', sa.String),
        sa.column('hash', sa.String),
    )
    head = sa.table('log_head', sa.column('id', sa.Integer), sa.column('last_hash', sa.String))
    new_prev = old_prev = GENESIS
    updates: list[dict] = []  # type: ignore[type-arg]
    for position, row in enumerate(conn.execute(sa.select(event).order_by(event.c.id)), start=1):
        record = _record(row)
        where = f"zdarzenie nr {position} (T-{row.ticket_no:06d}, seq {row.seq})"
        if row.id != position or row.prev != new_prev or _sha(new_prev + _dumps(record)) != row.hash:
            raise Conflict(f"cofnięcie migracji 0008 wstrzymane: {where} nie zgadza się z łańcuchem skrótów")
        digest = record.pop("personal_sha256", None)
        if digest is not None:
            if row.personal is None:
                raise Conflict(
                    f"cofnięcie migracji 0008 niemożliwe: dane osobowe zdarzenia {where} usunięto "
                    "(stara postać łańcucha ich wymaga)"
                )
            sealed = json.loads(row.personal)
            if _sha(_dumps(sealed)) != digest:
                raise Conflict(f"cofnięcie migracji 0008 wstrzymane: dane osobowe {where} nie zgadzają się ze skrótem")
            record.update({k: v for k, v in sealed.items() if k != "salt"})
        new_prev = row.hash
        old = _sha(old_prev + _dumps(record))
        data = {k: v for k, v in record.items() if k not in ("ticket", "seq", "at", "type", "actor")}
        updates.append({"b_id": row.id, "data": json.dumps(data, ensure_ascii=False, sort_keys=True), "prev": old_prev, "hash": old})
        old_prev = old
    statement = (
        sa.update(event)
        .where(event.c.id == sa.bindparam("b_id"))
        .values(data=sa.bindparam("data"), prev=sa.bindparam("prev"), hash=sa.bindparam("hash"))
    )
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start : start + BATCH])
    if updates:
        conn.execute(sa.update(head).where(head.c.id == 1).values(last_hash=old_prev))


def downgrade() -> None:
    _back_to_flat(op.get_bind())
    op.drop_table('access_log')
    op.drop_table('throttle')
    with op.batch_alter_table('raw_mail') as batch:
        batch.drop_index('ix_raw_mail_sender_domain')
        batch.drop_index('ix_raw_mail_person_id')
        batch.drop_column('authenticated')
        batch.drop_column('sender_domain')
        batch.drop_column('person_id')
    with op.batch_alter_table('credential') as batch:
        batch.drop_column('last_used_at')
    with op.batch_alter_table('event') as batch:
        batch.drop_column('personal')

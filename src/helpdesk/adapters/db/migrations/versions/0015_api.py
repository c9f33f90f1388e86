"""api: fewer index entries per new ticket — redundant indexes dropped, one partial index for the outbox

Revision ID: 0015_api
Revises: 0014_web2

Every new ticket writes a ticket row, an event and (usually) two outbox rows while its batch holds
the chain head's lock, so each index entry they cost is paid under that lock (README "Production").

- ticket: `ix_ticket_state` and `ix_ticket_contractor` are the first columns of
  `ix_ticket_state_office` and `ix_ticket_contractor_deadline`, which serve the same queries;
- event: `ix_event_ticket_no` is the first column of the unique (ticket_no, seq);
- outbox: `channel`, `next_attempt_at` and `sent_at` had an index each, while every query that
  searches the outbox asks for unsent messages (the sender's claim, the backlog by channel and
  state, the oldest waiting message): one index of the unsent ones, (channel, next_attempt_at, id),
  serves them all, and a message leaves it once sent.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_api'
down_revision = '0014_web2'
branch_labels = None
depends_on = None

UNSENT = sa.text('sent_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch:
        batch.drop_index('ix_ticket_state')
        batch.drop_index('ix_ticket_contractor')
    with op.batch_alter_table('event', schema=None) as batch:
        batch.drop_index('ix_event_ticket_no')
    with op.batch_alter_table('outbox', schema=None) as batch:
        batch.drop_index('ix_outbox_channel')
        batch.drop_index('ix_outbox_next_attempt_at')
        batch.drop_index('ix_outbox_sent_at')
    op.create_index(
        'ix_outbox_unsent',
        'outbox',
        ['channel', 'next_attempt_at', 'id'],
        unique=False,
        postgresql_where=UNSENT,
        sqlite_where=UNSENT,
    )


def downgrade() -> None:
    op.drop_index('ix_outbox_unsent', table_name='outbox')
    with op.batch_alter_table('outbox', schema=None) as batch:
        batch.create_index('ix_outbox_sent_at', ['sent_at'], unique=False)
        batch.create_index('ix_outbox_next_attempt_at', ['next_attempt_at'], unique=False)
        batch.create_index('ix_outbox_channel', ['channel'], unique=False)
    with op.batch_alter_table('event', schema=None) as batch:
        batch.create_index('ix_event_ticket_no', ['ticket_no'], unique=False)
    with op.batch_alter_table('ticket', schema=None) as batch:
        batch.create_index('ix_ticket_contractor', ['contractor'], unique=False)
        batch.create_index('ix_ticket_state', ['state'], unique=False)

"""web: indexes for the web queues and the region overview

Revision ID: 0011_web
Revises: 0008_trust

- ticket (state, office, escalated, assignee, created_at): the region overview counts open tickets
  per office from this index alone (only the open states are read).
- ticket (contractor, state, escalated): the contractor's queue and its count without reading
  the closed tickets' rows.
"""
from alembic import op

revision = '0011_web'
down_revision = '0008_trust'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch:
        batch.create_index(
            'ix_ticket_state_office', ['state', 'office', 'escalated', 'assignee', 'created_at'], unique=False
        )
        batch.create_index('ix_ticket_contractor_state', ['contractor', 'state', 'escalated'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch:
        batch.drop_index('ix_ticket_contractor_state')
        batch.drop_index('ix_ticket_state_office')

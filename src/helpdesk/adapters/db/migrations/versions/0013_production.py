"""production: the lease table (singletons run once among several workers) and webhook payloads

Revision ID: 0013_production
Revises: 0008_trust

- `lease`: one row per thing that must run in exactly one process (the singletons of
  `helpdesk serve`), naming the holder and until when it holds it.
- telegram_update.payload: the update as the webhook received it, stored before the 200.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013_production'
down_revision = '0011_web'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lease',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('acquired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('telegram_update') as batch:
        batch.add_column(sa.Column('payload', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('telegram_update') as batch:
        batch.drop_column('payload')
    op.drop_table('lease')

"""telegram: dialogue state per conversation

Revision ID: 0004
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dialogue_state',
                    sa.Column('key', sa.String(length=128), nullable=False),
                    sa.Column('data', sa.Text(), nullable=False),
                    sa.Column('updated_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('key'))


def downgrade() -> None:
    op.drop_table('dialogue_state')

"""kb_proposal: phrasings and counter-examples learned from tickets, reviewed by coordinators

Revision ID: 0009_kb_proposals
Revises: 0006

A question the bot could not answer, whose ticket a leader answered by pointing to an article,
becomes a proposed new phrasing of that article; "Nie pomogło" on an answer becomes a proposed
counter-example. A coordinator accepts or rejects each; the row keeps who proposed and who
decided, and when.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009_kb_proposals'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kb_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('article_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('query_id', sa.Integer(), nullable=True),
        sa.Column('ticket_no', sa.Integer(), nullable=True),
        sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('proposed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('proposed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('kb_proposal') as batch:
        batch.create_index('ix_kb_proposal_article_id', ['article_id'], unique=False)
        batch.create_index('ix_kb_proposal_query_id', ['query_id'], unique=False)
        batch.create_index('ix_kb_proposal_status', ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('kb_proposal')

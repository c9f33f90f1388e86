"""kb_article: the ticket an article was drafted from (kept when a draft is published under a new id)

Revision ID: 0006
Revises: 0005

Until now the link between a ticket and its draft was the draft's id (`szkic-t-000042`); a draft is
now published under an id of its own, so the link is stored. Existing articles whose id is a draft id
(drafts, discarded drafts, drafts published under that id) get the ticket number from it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

DRAFT_PREFIX = 'szkic-t-'


def _ticket_of(article_id: str) -> int | None:
    """The ticket number of a draft id in its one written form (`szkic-t-000042`), else None."""
    rest = article_id[len(DRAFT_PREFIX):]
    if not (article_id.startswith(DRAFT_PREFIX) and rest.isdigit() and len(rest) <= 12):
        return None
    number = int(rest)
    return number if article_id == f"{DRAFT_PREFIX}{number:06d}" else None


def upgrade() -> None:
    with op.batch_alter_table('kb_article') as batch:
        batch.add_column(sa.Column('source_ticket', sa.Integer(), nullable=True))
    article = sa.table('kb_article', sa.column('id', sa.String), sa.column('source_ticket', sa.Integer))
    conn = op.get_bind()
    ids = conn.execute(sa.select(article.c.id).where(article.c.id.like(f"{DRAFT_PREFIX}%"))).scalars().all()
    for article_id in ids:
        number = _ticket_of(article_id)
        if number is not None:
            conn.execute(sa.update(article).where(article.c.id == article_id).values(source_ticket=number))
    with op.batch_alter_table('kb_article') as batch:
        batch.create_index('ix_kb_article_source_ticket', ['source_ticket'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('kb_article') as batch:
        batch.drop_index('ix_kb_article_source_ticket')
        batch.drop_column('source_ticket')

"""the rollout: office profiles, stand-ins, milestones and their waiting on the office, trainings and
attendance, partners' domain systems; the domain system a ticket is about

Revision ID: 0012_rollout
Revises: 0008_trust
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012_rollout'
down_revision = '0013_production'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('system', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index('ix_ticket_system', ['system'], unique=False)
    op.create_table(
        'office_profile',
        sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('computerisation', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('previous_system', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('workstations', sa.Integer(), nullable=True),
        sa.Column('needs', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(['office'], ['office.code']),
        sa.PrimaryKeyConstraint('office'),
    )
    op.create_table(
        'office_standin',
        sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('login', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('standin', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['office'], ['office.code']),
        sa.PrimaryKeyConstraint('office', 'login'),
    )
    op.create_table(
        'milestone',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('planned', sa.Date(), nullable=True),
        sa.Column('done', sa.Date(), nullable=True),
        sa.Column('office_note', sa.Text(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['office'], ['office.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('office', 'kind', name='uq_milestone_office_kind'),
    )
    with op.batch_alter_table('milestone') as batch:
        batch.create_index('ix_milestone_office', ['office'], unique=False)
    op.create_table(
        'milestone_wait',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('milestone_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('milestone_wait') as batch:
        batch.create_index('ix_milestone_wait_milestone_id', ['milestone_id'], unique=False)
    op.create_table(
        'training',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('component', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'training_attendance',
        sa.Column('training_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('login', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('completed_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['training_id'], ['training.id']),
        sa.PrimaryKeyConstraint('training_id', 'login'),
    )
    with op.batch_alter_table('training_attendance') as batch:
        batch.create_index('ix_training_attendance_login', ['login'], unique=False)
    op.create_table(
        'domain_system',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('supplier', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('supporter', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('contract', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('offices', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('bus_services', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    for table in ('domain_system', 'training_attendance', 'training', 'milestone_wait', 'milestone',
                  'office_standin', 'office_profile'):
        op.drop_table(table)
    with op.batch_alter_table('ticket') as batch:
        batch.drop_index('ix_ticket_system')
        batch.drop_column('system')

"""risk engine: projects queued for a run after a payroll or bank import, an answer or a complaint;
reminders sent (unsigned contracts, pay day without a wage sheet)

Revision ID: c11b2c3d4e02
Revises: c11a1b2c3d01
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c11b2c3d4e02'
down_revision = 'c11a1b2c3d01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('risk_pending_project',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_risk_pending_project_project_id_project')),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_risk_pending_project'))
    )
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subject', sa.String(length=48), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('kind', 'subject', 'stage', name=op.f('uq_reminder_sent_kind'))
    )


def downgrade():
    op.drop_table('reminder_sent')
    op.drop_table('risk_pending_project')

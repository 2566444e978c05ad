"""the inspectors' flag workflow: each step with its note, and who works on a flag

Revision ID: c13b2c3d4e02
Revises: c13a1b2c3d01
Create Date: 2026-12-06 05:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c13b2c3d4e02'
down_revision = 'c13a1b2c3d01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('risk_flag_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('ledger_entry_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_risk_flag_action_actor_id_staff_user')),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_user.id'], name=op.f('fk_risk_flag_action_assignee_id_staff_user')),
    sa.ForeignKeyConstraint(['finding_id'], ['risk_finding.id'], name=op.f('fk_risk_flag_action_finding_id_risk_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag_action'))
    )
    with op.batch_alter_table('risk_flag_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flag_action_finding_id'), ['finding_id'], unique=False)

    op.create_table('risk_flag_assignment',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_user.id'], name=op.f('fk_risk_flag_assignment_assignee_id_staff_user')),
    sa.ForeignKeyConstraint(['finding_id'], ['risk_finding.id'], name=op.f('fk_risk_flag_assignment_finding_id_risk_finding')),
    sa.PrimaryKeyConstraint('finding_id', name=op.f('pk_risk_flag_assignment'))
    )
    with op.batch_alter_table('risk_flag_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flag_assignment_assignee_id'), ['assignee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('risk_flag_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_flag_assignment_assignee_id'))
    op.drop_table('risk_flag_assignment')
    with op.batch_alter_table('risk_flag_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_flag_action_finding_id'))
    op.drop_table('risk_flag_action')

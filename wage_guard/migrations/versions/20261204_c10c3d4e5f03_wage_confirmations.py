"""wage confirmations

Revision ID: c10c3d4e5f03
Revises: c10b2c3d4e02
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c10c3d4e5f03'
down_revision = 'c10b2c3d4e02'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payroll_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmations_requested_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_settlement_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_settlement_recorded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement'))
    )
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('wage_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('monthly', 'settlement', name='kind', native_enum=False, length=16), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'held', 'answered', 'superseded', name='status', native_enum=False, length=16), nullable=False),
    sa.Column('is_correction', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('received', 'not_received', 'wrong_amount', 'settled', 'settlement_disputed', name='answer', native_enum=False, length=24), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('answered_via', sa.String(length=16), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(line_id IS NULL) <> (settlement_id IS NULL)', name=op.f('ck_wage_confirmation_one_subject')),
    sa.ForeignKeyConstraint(['line_id'], ['payroll_line.id'], name=op.f('fk_wage_confirmation_line_id_payroll_line')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_wage_confirmation_project_id_project')),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlement.id'], name=op.f('fk_wage_confirmation_settlement_id_settlement')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_wage_confirmation_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wage_confirmation'))
    )
    with op.batch_alter_table('wage_confirmation', schema=None) as batch_op:
        batch_op.create_index('ix_wage_confirmation_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wage_confirmation_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wage_confirmation_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wage_confirmation_settlement_id'), ['settlement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wage_confirmation_worker_id'), ['worker_id'], unique=False)

    op.create_table('confirmation_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('confirmation_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmation_id'], ['wage_confirmation.id'], name=op.f('fk_confirmation_link_confirmation_id_wage_confirmation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confirmation_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_confirmation_link_token_hash'))
    )
    with op.batch_alter_table('confirmation_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_link_confirmation_id'), ['confirmation_id'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.LargeBinary(), nullable=False),
    sa.Column('phone', sa.LargeBinary(), nullable=False),
    sa.Column('months', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('unverified', 'open', 'closed', name='complaintstatus', native_enum=False, length=16), nullable=False),
    sa.Column('handle_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff_user.id'], name=op.f('fk_complaint_closed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_complaint_project_id_project')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_complaint_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('handle_hash', name=op.f('uq_complaint_handle_hash'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_worker_id'), ['worker_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payroll_import', schema=None) as batch_op:
        batch_op.drop_column('confirmations_requested_at')
    op.drop_table('complaint')
    op.drop_table('confirmation_link')
    op.drop_table('wage_confirmation')
    op.drop_table('settlement')

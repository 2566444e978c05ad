"""identity protection: identity checks, shared-phone approvals, code unlocks, code event signals

Revision ID: c7a1d3e7f001
Revises: f85a74a45333
Create Date: 2026-11-23 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7a1d3e7f001'
down_revision = 'f85a74a45333'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('phone_change', 'shared_phone_enrolment', 'shared_phone_signing', name='checkkind', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('awaiting_foreman', 'on_hold', 'done', 'rejected', 'cancelled', 'lapsed', name='checkstatus', native_enum=False, length=24), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.LargeBinary(), nullable=True),
    sa.Column('id_number', sa.LargeBinary(), nullable=True),
    sa.Column('trade', sa.String(length=32), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('phone_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_token_hash', sa.String(length=64), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['link_id'], ['enrollment_link.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cancel_token_hash')
    )
    with op.batch_alter_table('identity_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_check_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_check_effective_at'), ['effective_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_check_phone_index'), ['phone_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_check_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_check_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_check_worker_id'), ['worker_id'], unique=False)

    op.create_table('shared_phone_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['check_id'], ['identity_check.id'], ),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('worker_id', 'phone_index')
    )
    with op.batch_alter_table('shared_phone_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_phone_approval_phone_index'), ['phone_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_phone_approval_worker_id'), ['worker_id'], unique=False)

    op.create_table('code_unlock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=True),
    sa.Column('person_key', sa.String(length=80), nullable=True),
    sa.Column('unlocked_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unlocked_by_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('code_unlock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_unlock_person_key'), ['person_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_unlock_phone_index'), ['phone_index'], unique=False)

    with op.batch_alter_table('code_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('device_hash', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('ip_hash', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_code_event_person_key'), ['person_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_event_device_hash'), ['device_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_event_ip_hash'), ['ip_hash'], unique=False)
        batch_op.create_index('ix_code_event_kind_created', ['kind', 'created_at'], unique=False)

    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.create_index('ix_verification_code_phone_created', ['phone_index', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_code_phone_created')

    with op.batch_alter_table('code_event', schema=None) as batch_op:
        batch_op.drop_index('ix_code_event_kind_created')
        batch_op.drop_index(batch_op.f('ix_code_event_ip_hash'))
        batch_op.drop_index(batch_op.f('ix_code_event_device_hash'))
        batch_op.drop_index(batch_op.f('ix_code_event_person_key'))
        batch_op.drop_column('ip_hash')
        batch_op.drop_column('device_hash')
        batch_op.drop_column('person_key')

    with op.batch_alter_table('code_unlock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_unlock_phone_index'))
        batch_op.drop_index(batch_op.f('ix_code_unlock_person_key'))
    op.drop_table('code_unlock')

    with op.batch_alter_table('shared_phone_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_phone_approval_worker_id'))
        batch_op.drop_index(batch_op.f('ix_shared_phone_approval_phone_index'))
    op.drop_table('shared_phone_approval')

    with op.batch_alter_table('identity_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_check_worker_id'))
        batch_op.drop_index(batch_op.f('ix_identity_check_status'))
        batch_op.drop_index(batch_op.f('ix_identity_check_project_id'))
        batch_op.drop_index(batch_op.f('ix_identity_check_phone_index'))
        batch_op.drop_index(batch_op.f('ix_identity_check_effective_at'))
        batch_op.drop_index(batch_op.f('ix_identity_check_contract_id'))
    op.drop_table('identity_check')

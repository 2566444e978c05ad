"""filing records pushed to the employment-filing system, and their delivery log

Revision ID: c13a1b2c3d01
Revises: c12d4e5f6a04
Create Date: 2026-12-06 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c13a1b2c3d01'
down_revision = 'c12d4e5f6a04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('filing_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=256), nullable=True),
    sa.Column('resend_requested_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_filing_record_contract_id_contract')),
    sa.ForeignKeyConstraint(['document_id'], ['contract.id'], name=op.f('fk_filing_record_document_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_record'))
    )
    with op.batch_alter_table('filing_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_record_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_record_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_record_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('filing_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=256), nullable=True),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('requested_by', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['filing_record.id'], name=op.f('fk_filing_attempt_record_id_filing_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_attempt'))
    )
    with op.batch_alter_table('filing_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_attempt_record_id'), ['record_id'], unique=False)


def downgrade():
    with op.batch_alter_table('filing_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_attempt_record_id'))
    op.drop_table('filing_attempt')
    with op.batch_alter_table('filing_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_record_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_filing_record_delivered_at'))
        batch_op.drop_index(batch_op.f('ix_filing_record_contract_id'))
    op.drop_table('filing_record')

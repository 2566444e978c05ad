"""signed contracts waiting for their long-term validation data (B-LTA), completed by a job after the request

Revision ID: c12a1b2c3d01
Revises: c11d4e5f6a04
Create Date: 2026-12-05 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12a1b2c3d01'
down_revision = 'c11d4e5f6a04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('long_term_upgrade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=256), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_long_term_upgrade_contract_id_contract')),
    sa.ForeignKeyConstraint(['document_id'], ['contract_document.id'], name=op.f('fk_long_term_upgrade_document_id_contract_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_long_term_upgrade')),
    sa.UniqueConstraint('document_id', name=op.f('uq_long_term_upgrade_document_id'))
    )
    with op.batch_alter_table('long_term_upgrade', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_long_term_upgrade_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_long_term_upgrade_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_long_term_upgrade_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('long_term_upgrade', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_long_term_upgrade_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_long_term_upgrade_done_at'))
        batch_op.drop_index(batch_op.f('ix_long_term_upgrade_contract_id'))
    op.drop_table('long_term_upgrade')

"""batch work (issuing and sealing many contracts) done by the scheduler, one contract at a time

Revision ID: c12d4e5f6a04
Revises: c12c3d4e5f03
Create Date: 2026-12-06 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12d4e5f6a04'
down_revision = 'c12c3d4e5f03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('batch_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('contract_batch_id', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_batch_id'], ['contract_batch.id'], name=op.f('fk_batch_run_contract_batch_id_contract_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_run'))
    )
    with op.batch_alter_table('batch_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_run_contract_batch_id'), ['contract_batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_batch_run_finished_at'), ['finished_at'], unique=False)

    op.create_table('batch_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_batch_item_contract_id_contract')),
    sa.ForeignKeyConstraint(['run_id'], ['batch_run.id'], name=op.f('fk_batch_item_run_id_batch_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_item')),
    sa.UniqueConstraint('run_id', 'position', name=op.f('uq_batch_item_run_id'))
    )
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_item_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_batch_item_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('batch_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_item_state'))
        batch_op.drop_index(batch_op.f('ix_batch_item_run_id'))
    op.drop_table('batch_item')
    with op.batch_alter_table('batch_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_run_finished_at'))
        batch_op.drop_index(batch_op.f('ix_batch_run_contract_batch_id'))
    op.drop_table('batch_run')

"""payroll lines carry the contract-derived bounds and the answer state the risk engine's shared pass reads, and
contract facts the first month without a line (``wage_guard.risk.line_bounds``); every existing row starts
stale and is computed by the next cross-check

Revision ID: c11a1b2c3d03
Revises: c12b2c3d4e02
Create Date: 2026-12-05 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c11a1b2c3d03'
down_revision = 'c12b2c3d4e02'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payroll_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bounds_stale', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('covered', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('earliest_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('promised_max', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('piece_rate', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('answered', sa.Boolean(), nullable=True))
        batch_op.create_index(
            'ix_payroll_line_bounds_stale',
            ['import_id'],
            unique=False,
            postgresql_where=sa.text('bounds_stale'),
            sqlite_where=sa.text('bounds_stale'),
        )
    with op.batch_alter_table('risk_contract_fact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unlined_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lines_stale', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('risk_contract_fact', schema=None) as batch_op:
        batch_op.drop_column('lines_stale')
        batch_op.drop_column('unlined_from')
    with op.batch_alter_table('payroll_line', schema=None) as batch_op:
        batch_op.drop_index('ix_payroll_line_bounds_stale', postgresql_where=sa.text('bounds_stale'), sqlite_where=sa.text('bounds_stale'))
        batch_op.drop_column('answered')
        batch_op.drop_column('piece_rate')
        batch_op.drop_column('promised_max')
        batch_op.drop_column('earliest_due')
        batch_op.drop_column('covered')
        batch_op.drop_column('bounds_stale')

"""risk roll-up figures: amount owed per finding, county amounts owed, complaints, closures, monthly trend

Revision ID: c11c3d4e5f03
Revises: c11b2c3d4e02
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c11c3d4e5f03'
down_revision = 'c11b2c3d4e02'
branch_labels = None
depends_on = None


def upgrade():
    # The shortfall of an R03/R05/R06 violation, summed per county; existing findings get it on the next run.
    with op.batch_alter_table('risk_finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_owed', sa.Numeric(precision=12, scale=2), nullable=True))
    with op.batch_alter_table('risk_county_rollup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_owed', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('open_complaints', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('closed_this_month', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('median_days_to_close', sa.Numeric(precision=6, scale=1), nullable=True))
    op.create_table('risk_county_trend',
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('opened', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('amount_owed_opened', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_risk_county_trend_county_code_county')),
    sa.PrimaryKeyConstraint('county_code', 'month', name=op.f('pk_risk_county_trend'))
    )


def downgrade():
    op.drop_table('risk_county_trend')
    with op.batch_alter_table('risk_county_rollup', schema=None) as batch_op:
        batch_op.drop_column('median_days_to_close')
        batch_op.drop_column('closed_this_month')
        batch_op.drop_column('open_complaints')
        batch_op.drop_column('amount_owed')
    with op.batch_alter_table('risk_finding', schema=None) as batch_op:
        batch_op.drop_column('amount_owed')

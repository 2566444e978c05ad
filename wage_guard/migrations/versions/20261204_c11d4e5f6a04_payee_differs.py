"""payroll lines: whether the payee's account name differs from the worker's, compared at import (rule R08);
one line per person and sheet (unique on blind index and import, which replaces the index on the blind index)

Revision ID: c11d4e5f6a04
Revises: c11c3d4e5f03
Create Date: 2026-12-04 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c11d4e5f6a04'
down_revision = 'c11c3d4e5f03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payroll_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payee_differs', sa.Boolean(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_payroll_line_id_number_index'))
        batch_op.create_unique_constraint(batch_op.f('uq_payroll_line_id_number_index'), ['id_number_index', 'import_id'])


def downgrade():
    with op.batch_alter_table('payroll_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payroll_line_id_number_index'), type_='unique')
        batch_op.create_index(batch_op.f('ix_payroll_line_id_number_index'), ['id_number_index'], unique=False)
        batch_op.drop_column('payee_differs')

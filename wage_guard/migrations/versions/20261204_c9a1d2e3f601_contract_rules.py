"""contract rules

Revision ID: c9a1d2e3f601
Revises: c8c3b2d4e503
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9a1d2e3f601'
down_revision = 'c8c3b2d4e503'
branch_labels = None
depends_on = None


def upgrade():
    # The checks a contract was issued without (R02 inconclusive when no minimum wage was known on the start date).
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_quality', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('data_quality')

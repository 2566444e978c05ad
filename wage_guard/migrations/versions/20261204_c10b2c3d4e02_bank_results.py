"""bank results

Revision ID: c10b2c3d4e02
Revises: c10a1b2c3d01
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c10b2c3d4e02'
down_revision = 'c10a1b2c3d01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

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
    pass


def downgrade():
    pass

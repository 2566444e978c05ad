"""verification versions

Revision ID: c8c3b2d4e503
Revises: c8b2a1c3d402
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8c3b2d4e503'
down_revision = 'c8b2a1c3d402'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

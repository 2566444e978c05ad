"""offline root and hsm keys

Revision ID: c8b2a1c3d402
Revises: c8a1f0e2b301
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8b2a1c3d402'
down_revision = 'c8a1f0e2b301'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

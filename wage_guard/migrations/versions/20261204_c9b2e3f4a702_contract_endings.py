"""contract endings

Revision ID: c9b2e3f4a702
Revises: c9a1d2e3f601
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9b2e3f4a702'
down_revision = 'c9a1d2e3f601'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

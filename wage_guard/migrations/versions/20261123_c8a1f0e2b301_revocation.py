"""revocation

Revision ID: c8a1f0e2b301
Revises: c7b2e4f8a002
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8a1f0e2b301'
down_revision = 'c7b2e4f8a002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

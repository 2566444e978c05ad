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
    # Notices the employer serves alone (termination at expiry, rescission under Art. 39-41) and the worker's
    # acknowledgement of receipt. The new statuses ("expired", "served") and kinds fit the existing VARCHAR(24).
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ending_ground', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('ending_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ending_details', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('receipt_acknowledged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('receipt_acknowledged_at')
        batch_op.drop_column('ending_details')
        batch_op.drop_column('ending_reason')
        batch_op.drop_column('ending_ground')

"""contract PDFs and page previews move to the document store: the blob columns become optional (legacy rows
keep theirs until ``flask contracts move-documents``) and previews record their SHA-256, their key in the store

Revision ID: c12b2c3d4e02
Revises: c12a1b2c3d01
Create Date: 2026-12-05 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12b2c3d4e02'
down_revision = 'c12a1b2c3d01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contract_document', schema=None) as batch_op:
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
    with op.batch_alter_table('page_preview', schema=None) as batch_op:
        batch_op.alter_column('webp', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('page_preview', schema=None) as batch_op:
        batch_op.drop_column('sha256')
        batch_op.alter_column('webp', existing_type=sa.LargeBinary(), nullable=False)
    with op.batch_alter_table('contract_document', schema=None) as batch_op:
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)

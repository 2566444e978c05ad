"""The dates the retention periods of the roster and the wage records run from (project completed, wages settled),
and the marks an erasure leaves on a worker and on a contract document

Revision ID: c14a1b2c3d04
Revises: c13c3d4e5f03
Create Date: 2026-12-06 11:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c14a1b2c3d04'
down_revision = 'c13c3d4e5f03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project') as batch:
        batch.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('wages_settled_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('wages_settled_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_project_wages_settled_by', 'staff_user', ['wages_settled_by_id'], ['id'])
    with op.batch_alter_table('worker') as batch:
        batch.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('contract_document') as batch:
        batch.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('contract_document') as batch:
        batch.drop_column('erased_at')
    with op.batch_alter_table('worker') as batch:
        batch.drop_column('erased_at')
    with op.batch_alter_table('project') as batch:
        batch.drop_constraint('fk_project_wages_settled_by', type_='foreignkey')
        batch.drop_column('wages_settled_by_id')
        batch.drop_column('wages_settled_on')
        batch.drop_column('completed_on')

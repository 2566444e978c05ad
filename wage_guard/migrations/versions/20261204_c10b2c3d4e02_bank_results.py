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
    op.create_table('bank_result_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payroll_import_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['staff_user.id'], name=op.f('fk_bank_result_import_imported_by_id_staff_user')),
    sa.ForeignKeyConstraint(['payroll_import_id'], ['payroll_import.id'], name=op.f('fk_bank_result_import_payroll_import_id_payroll_import')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_bank_result_import_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_result_import')),
    sa.UniqueConstraint('project_id', 'month', 'version', name=op.f('uq_bank_result_import_project_id'))
    )
    with op.batch_alter_table('bank_result_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_result_import_payroll_import_id'), ['payroll_import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_result_import_project_id'), ['project_id'], unique=False)

    op.create_table('bank_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('payee_name', sa.LargeBinary(), nullable=False),
    sa.Column('account_tail', sa.String(length=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('transfer_date', sa.Date(), nullable=False),
    sa.Column('payroll_line_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['bank_result_import.id'], name=op.f('fk_bank_transfer_import_id_bank_result_import')),
    sa.ForeignKeyConstraint(['payroll_line_id'], ['payroll_line.id'], name=op.f('fk_bank_transfer_payroll_line_id_payroll_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_transfer'))
    )
    with op.batch_alter_table('bank_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_transfer_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_transfer_payroll_line_id'), ['payroll_line_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bank_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_transfer_payroll_line_id'))
        batch_op.drop_index(batch_op.f('ix_bank_transfer_import_id'))

    op.drop_table('bank_transfer')
    with op.batch_alter_table('bank_result_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_result_import_project_id'))
        batch_op.drop_index(batch_op.f('ix_bank_result_import_payroll_import_id'))

    op.drop_table('bank_result_import')

"""API tokens for /api/v1: held by a staff account, narrowed to one employer or one county, stored hashed

Revision ID: c13c3d4e5f03
Revises: c13b2c3d4e02
Create Date: 2026-12-06 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c13c3d4e5f03'
down_revision = 'c13b2c3d4e02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(employer_id IS NULL) <> (county_code IS NULL)', name=op.f('ck_api_token_one_scope')),
    sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_api_token_county_code_county')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_api_token_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_api_token_employer_id_employer')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_api_token_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
    op.drop_table('api_token')

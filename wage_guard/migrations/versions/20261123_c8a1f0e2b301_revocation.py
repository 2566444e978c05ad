"""revocation

A signer's certificate can be revoked (time, RFC 5280 reason, who reported it); the owner then gets a new
identity, so "one identity per owner" becomes "one identity in use per owner" (a partial unique index). The
issuing CA's current CRL is stored to be published at /pki/crl/issuing.crl.

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

IN_USE = sa.text('revoked_at IS NULL')


def upgrade():
    with op.batch_alter_table('signing_authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuing_crl_pem', sa.Text(), nullable=True))

    with op.batch_alter_table('signing_identity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revocation_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.String(length=32), nullable=True))
        batch_op.drop_constraint('uq_signing_identity_owner_kind', type_='unique')
        batch_op.create_index(
            'uq_signing_identity_in_use',
            ['owner_kind', 'owner_id', 'key_store'],
            unique=True,
            sqlite_where=IN_USE,
            postgresql_where=IN_USE,
        )


def downgrade():
    # Fails if an owner has a revoked identity beside the one in use: drop the revoked rows first, knowingly.
    with op.batch_alter_table('signing_identity', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_identity_in_use')
        batch_op.create_unique_constraint('uq_signing_identity_owner_kind', ['owner_kind', 'owner_id', 'key_store'])
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('revocation_reason')
        batch_op.drop_column('revoked_at')

    with op.batch_alter_table('signing_authority', schema=None) as batch_op:
        batch_op.drop_column('issuing_crl_pem')

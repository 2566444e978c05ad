"""offline root and hsm keys

Record where the platform's online keys live (``key_store``: ``encrypted`` under the KEK, or ``pkcs11``, a key
ID on the HSM token) for the CA and the evidence-log key. Existing rows are ``encrypted``, which is what they
are. The legacy ``signing_authority.root_key`` column stays: an upgraded installation still holds its wrapped
root key there until ``flask signing export-root-key`` moves it to an offline file and empties the column.

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
    with op.batch_alter_table('signing_authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_store', sa.String(length=16), server_default='encrypted', nullable=False))
    with op.batch_alter_table('log_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_store', sa.String(length=16), server_default='encrypted', nullable=False))


def downgrade():
    # Keys in the HSM cannot be described by the older schema: refuse rather than silently mislabel them.
    connection = op.get_bind()
    for table in ('signing_authority', 'log_key'):
        in_hsm = connection.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE key_store <> 'encrypted'")).scalar()
        if in_hsm:
            raise RuntimeError(f"{table} has keys in the HSM; the older schema cannot refer to them")
    with op.batch_alter_table('log_key', schema=None) as batch_op:
        batch_op.drop_column('key_store')
    with op.batch_alter_table('signing_authority', schema=None) as batch_op:
        batch_op.drop_column('key_store')

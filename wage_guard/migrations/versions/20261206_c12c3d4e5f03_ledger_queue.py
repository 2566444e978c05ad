"""evidence-log steps are queued by the requests and moved into the log by a sequencer (``ledger.services``):
the queue table, each entry's ``entry_id`` (its id in the queue; seq + 1 for the entries logged before), and
the risk findings' history referring to entries by that id

Revision ID: c12c3d4e5f03
Revises: c11e5f6a7b05
Create Date: 2026-12-06 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12c3d4e5f03'
down_revision = 'c11e5f6a7b05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_queue',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_queue')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_id', sa.BigInteger(), nullable=True))
    op.execute("UPDATE ledger_entry SET entry_id = seq + 1")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.alter_column('entry_id', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entry_entry_id'), ['entry_id'])
    with op.batch_alter_table('risk_finding_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ledger_entry_id', sa.BigInteger(), nullable=True))
    op.execute("UPDATE risk_finding_event SET ledger_entry_id = ledger_seq + 1 WHERE ledger_seq IS NOT NULL")
    with op.batch_alter_table('risk_finding_event', schema=None) as batch_op:
        batch_op.drop_column('ledger_seq')
    # The queue's ids continue after the entries logged before (an id is never given twice).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('ledger_queue', 'id'), "
            "(SELECT coalesce(max(entry_id), 0) + 1 FROM ledger_entry), false)"
        )
    else:
        op.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'ledger_queue', coalesce(max(entry_id), 0) FROM ledger_entry"
        )


def downgrade():
    # Steps still queued are moved into the log by the sequencer before downgrading; a queue that is not empty
    # would be lost, so refuse.
    pending = op.get_bind().scalar(sa.text("SELECT count(*) FROM ledger_queue"))
    if pending:
        raise RuntimeError(f"{pending} evidence-log steps are still queued: run the sequencer first")
    with op.batch_alter_table('risk_finding_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ledger_seq', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE risk_finding_event SET ledger_seq = "
        "(SELECT e.seq FROM ledger_entry e WHERE e.entry_id = risk_finding_event.ledger_entry_id)"
    )
    with op.batch_alter_table('risk_finding_event', schema=None) as batch_op:
        batch_op.drop_column('ledger_entry_id')
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ledger_entry_entry_id'), type_='unique')
        batch_op.drop_column('entry_id')
    op.drop_table('ledger_queue')

"""payroll lines carry their sheet's month; on PostgreSQL they are partitioned by it (a default partition plus one
per month that has lines), with the primary key (id, month) and the rows that refer to a line (wage
confirmations, bank transfers) referring to (id, month) (``wage_guard.partitioning``)

Revision ID: c11e5f6a7b05
Revises: c11a1b2c3d03
Create Date: 2026-12-06 01:10:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c11e5f6a7b05'
down_revision = 'c11a1b2c3d03'
branch_labels = None
depends_on = None

_MONTH = "UPDATE payroll_line SET month = (SELECT i.month FROM payroll_import i WHERE i.id = payroll_line.import_id)"
_TRANSFER_MONTH = (
    "UPDATE bank_transfer SET payroll_line_month = "
    "(SELECT l.month FROM payroll_line l WHERE l.id = bank_transfer.payroll_line_id)"
)
_REFERENCES = (
    ("wage_confirmation", "fk_wage_confirmation_line_id_payroll_line", "line_id", "month"),
    ("bank_transfer", "fk_bank_transfer_payroll_line_id_payroll_line", "payroll_line_id", "payroll_line_month"),
)


def _both(table, column, _month):
    """The name of the foreign key on (id, month) (``payroll.models.line_reference``)."""
    return f"fk_{table}_{column}_month"


def upgrade():
    with op.batch_alter_table('bank_transfer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payroll_line_month', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _partition()
        return
    with op.batch_alter_table('payroll_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('month', sa.Date(), nullable=True))
    op.execute(_MONTH)
    op.execute(_TRANSFER_MONTH)
    with op.batch_alter_table('payroll_line', schema=None) as batch_op:
        batch_op.alter_column('month', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint('uq_payroll_line_id_number_index', type_='unique')
        batch_op.create_unique_constraint('uq_payroll_line_id_number_index', ['id_number_index', 'import_id', 'month'])


def _partition():
    """Rebuild ``payroll_line`` as a table partitioned by month and move the lines into it."""
    for table, name, _column, _month in _REFERENCES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    op.execute("ALTER TABLE payroll_line ADD COLUMN month DATE")
    op.execute(_MONTH)
    _set_aside("payroll_line_unpartitioned")
    op.execute("ALTER SEQUENCE payroll_line_id_seq OWNED BY NONE")
    op.execute(
        "CREATE TABLE payroll_line (LIKE payroll_line_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (month)"
    )
    op.execute("ALTER TABLE payroll_line ALTER COLUMN month SET NOT NULL")
    op.execute("ALTER SEQUENCE payroll_line_id_seq OWNED BY payroll_line.id")
    _keys_and_indexes("id, month", "id_number_index, import_id, month")
    op.execute("CREATE TABLE payroll_line_default PARTITION OF payroll_line DEFAULT")
    months = set(op.get_bind().scalars(sa.text("SELECT DISTINCT month FROM payroll_line_unpartitioned")))
    for month in sorted(months | _ahead(date.today())):
        upper = f"{month.year + month.month // 12}-{month.month % 12 + 1:02d}-01"
        op.execute(
            f"CREATE TABLE payroll_line_{month:%Y_%m} PARTITION OF payroll_line "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{upper}')"
        )
    op.execute("INSERT INTO payroll_line SELECT * FROM payroll_line_unpartitioned")
    op.execute("DROP TABLE payroll_line_unpartitioned")
    op.execute(_TRANSFER_MONTH)
    for table, _name, column, month in _REFERENCES:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {_both(table, column, month)} FOREIGN KEY ({column}, {month}) "
            "REFERENCES payroll_line (id, month)"
        )


_CONSTRAINTS = ("pk_payroll_line", "uq_payroll_line_id_number_index", "fk_payroll_line_import_id_payroll_import",
                "fk_payroll_line_worker_id_worker")
_INDEXES = ("ix_payroll_line_import_id", "ix_payroll_line_worker_id", "ix_payroll_line_bounds_stale")


def _set_aside(name):
    """Rename the lines' table to ``name`` and free the names of its keys and indexes for the new table."""
    op.execute(f"ALTER TABLE payroll_line RENAME TO {name}")
    for constraint in _CONSTRAINTS:
        op.execute(f"ALTER TABLE {name} DROP CONSTRAINT {constraint}")
    for index in _INDEXES:
        op.execute(f"DROP INDEX {index}")


def _keys_and_indexes(primary_key, unique):
    """The new ``payroll_line``'s keys and indexes, with the names the models give them."""
    op.execute(f"ALTER TABLE payroll_line ADD CONSTRAINT pk_payroll_line PRIMARY KEY ({primary_key})")
    op.execute(f"ALTER TABLE payroll_line ADD CONSTRAINT uq_payroll_line_id_number_index UNIQUE ({unique})")
    op.execute(
        "ALTER TABLE payroll_line ADD CONSTRAINT fk_payroll_line_import_id_payroll_import "
        "FOREIGN KEY (import_id) REFERENCES payroll_import (id)"
    )
    op.execute(
        "ALTER TABLE payroll_line ADD CONSTRAINT fk_payroll_line_worker_id_worker "
        "FOREIGN KEY (worker_id) REFERENCES worker (id)"
    )
    op.execute("CREATE INDEX ix_payroll_line_import_id ON payroll_line (import_id)")
    op.execute("CREATE INDEX ix_payroll_line_worker_id ON payroll_line (worker_id)")
    op.execute("CREATE INDEX ix_payroll_line_bounds_stale ON payroll_line (import_id) WHERE bounds_stale")


def _ahead(today):
    """Last month to three months ahead, as the scheduled job keeps them (``payroll.partitions``)."""
    index = today.year * 12 + today.month - 1
    return {date((index + offset) // 12, (index + offset) % 12 + 1, 1) for offset in range(-1, 4)}


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _unpartition()
    else:
        with op.batch_alter_table('payroll_line', schema=None) as batch_op:
            batch_op.drop_constraint('uq_payroll_line_id_number_index', type_='unique')
            batch_op.create_unique_constraint('uq_payroll_line_id_number_index', ['id_number_index', 'import_id'])
            batch_op.drop_column('month')
    with op.batch_alter_table('bank_transfer', schema=None) as batch_op:
        batch_op.drop_column('payroll_line_month')


def _unpartition():
    """Back to one plain table (the lines copied out of the partitions)."""
    for table, _name, column, month in _REFERENCES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_both(table, column, month)}")
    op.execute("ALTER SEQUENCE payroll_line_id_seq OWNED BY NONE")
    _set_aside("payroll_line_partitioned")
    op.execute("CREATE TABLE payroll_line (LIKE payroll_line_partitioned INCLUDING DEFAULTS)")
    op.execute("INSERT INTO payroll_line SELECT * FROM payroll_line_partitioned")
    op.execute("DROP TABLE payroll_line_partitioned")
    op.execute("ALTER TABLE payroll_line DROP COLUMN month")
    op.execute("ALTER SEQUENCE payroll_line_id_seq OWNED BY payroll_line.id")
    _keys_and_indexes("id", "id_number_index, import_id")
    for table, name, column, _month in _REFERENCES:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES payroll_line (id)")

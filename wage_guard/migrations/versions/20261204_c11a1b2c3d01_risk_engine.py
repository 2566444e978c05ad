"""risk engine: minimum wages by tier, findings and their history, contract facts, roll-up

Revision ID: c11a1b2c3d01
Revises: c10c3d4e5f03
Create Date: 2026-12-04 20:00:00

"""
from datetime import date
from decimal import Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c11a1b2c3d01'
down_revision = 'c10c3d4e5f03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tier_minimum_wage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('tier', sa.String(length=32), nullable=False),
    sa.Column('monthly', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('hourly', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_minimum_wage')),
    sa.UniqueConstraint('province_code', 'tier', 'effective_from', name=op.f('uq_tier_minimum_wage_province_code'))
    )
    # Confirmed figures (risk-rules.md; legal.md L-56). Counties are placed in tiers by `flask organisations import-divisions`.
    tiers = sa.table(
        'tier_minimum_wage',
        sa.column('province_code', sa.String), sa.column('tier', sa.String), sa.column('monthly', sa.Numeric),
        sa.column('hourly', sa.Numeric), sa.column('effective_from', sa.Date), sa.column('source', sa.Text),
    )
    shandong, beijing = '鲁政字〔2025〕140号', '京人社劳发〔2025〕7号'
    op.bulk_insert(tiers, [
        {'province_code': '37', 'tier': '一档', 'monthly': 2400, 'hourly': 24, 'effective_from': date(2025, 10, 1), 'source': shandong},
        {'province_code': '37', 'tier': '二档', 'monthly': 2210, 'hourly': 22, 'effective_from': date(2025, 10, 1), 'source': shandong},
        {'province_code': '37', 'tier': '三档', 'monthly': 2020, 'hourly': 20, 'effective_from': date(2025, 10, 1), 'source': shandong},
        {'province_code': '11', 'tier': '全市统一', 'monthly': 2540, 'hourly': Decimal('14.6'), 'effective_from': date(2025, 9, 1), 'source': beijing},
    ])
    op.create_table('county_wage_tier',
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('tier', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_county_wage_tier_county_code_county')),
    sa.PrimaryKeyConstraint('county_code', name=op.f('pk_county_wage_tier'))
    )
    op.create_table('risk_county_rollup',
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('projects_red', sa.Integer(), nullable=False),
    sa.Column('projects_orange', sa.Integer(), nullable=False),
    sa.Column('projects_yellow', sa.Integer(), nullable=False),
    sa.Column('projects_clear', sa.Integer(), nullable=False),
    sa.Column('projects_priority', sa.Integer(), nullable=False),
    sa.Column('roster_workers', sa.Integer(), nullable=False),
    sa.Column('covered_workers', sa.Integer(), nullable=False),
    sa.Column('coverage_pct', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('open_flags', sa.Integer(), nullable=False),
    sa.Column('inconclusive', sa.Integer(), nullable=False),
    sa.Column('workers_affected', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_risk_county_rollup_county_code_county')),
    sa.PrimaryKeyConstraint('county_code', name=op.f('pk_risk_county_rollup'))
    )
    op.create_table('risk_county_rule_count',
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('rule_code', sa.String(length=8), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_risk_county_rule_count_county_code_county')),
    sa.PrimaryKeyConstraint('county_code', 'rule_code', 'severity', name=op.f('pk_risk_county_rule_count'))
    )
    op.create_table('risk_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_code', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=48), nullable=False),
    sa.Column('period', sa.String(length=48), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('violation', 'compliant', 'inconclusive', name='outcome', native_enum=False, length=16), nullable=False),
    sa.Column('severity', sa.Enum('red', 'orange', 'yellow', name='severity', native_enum=False, length=16), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='findingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('workflow_status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('first_opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_risk_finding_project_id_project')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_risk_finding_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_finding')),
    sa.UniqueConstraint('rule_code', 'subject', 'period', name='uq_risk_finding_key')
    )
    op.create_index(op.f('ix_risk_finding_county_code'), 'risk_finding', ['county_code'], unique=False)
    op.create_index('ix_risk_finding_county_status', 'risk_finding', ['county_code', 'status', 'rule_code'], unique=False)
    op.create_index(op.f('ix_risk_finding_project_id'), 'risk_finding', ['project_id'], unique=False)
    op.create_index(op.f('ix_risk_finding_worker_id'), 'risk_finding', ['worker_id'], unique=False)
    op.create_table('risk_project_rollup',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('tier', sa.Enum('red', 'orange', 'yellow', name='severity', native_enum=False, length=16), nullable=True),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('reds', sa.Integer(), nullable=False),
    sa.Column('oranges', sa.Integer(), nullable=False),
    sa.Column('yellows', sa.Integer(), nullable=False),
    sa.Column('inconclusive', sa.Integer(), nullable=False),
    sa.Column('workers_affected', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_risk_project_rollup_project_id_project')),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_risk_project_rollup'))
    )
    op.create_index(op.f('ix_risk_project_rollup_county_code'), 'risk_project_rollup', ['county_code'], unique=False)
    op.create_table('risk_finding_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('opened', 'closed', 'reopened', 'changed', name='transition', native_enum=False, length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.Enum('violation', 'compliant', 'inconclusive', name='outcome', native_enum=False, length=16), nullable=False),
    sa.Column('severity', sa.Enum('red', 'orange', 'yellow', name='severity', native_enum=False, length=16), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['risk_finding.id'], name=op.f('fk_risk_finding_event_finding_id_risk_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_finding_event'))
    )
    op.create_index(op.f('ix_risk_finding_event_finding_id'), 'risk_finding_event', ['finding_id'], unique=False)
    op.create_table('risk_contract_fact',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('readable', sa.Boolean(), nullable=False),
    sa.Column('term_type', sa.String(length=16), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('pay_form', sa.String(length=16), nullable=True),
    sa.Column('pay_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('probation_months', sa.Integer(), nullable=False),
    sa.Column('probation_pay', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('pay_day', sa.Integer(), nullable=True),
    sa.Column('cover_from', sa.Date(), nullable=True),
    sa.Column('cover_to', sa.Date(), nullable=True),
    sa.Column('cover_after', sa.Date(), nullable=True),
    sa.Column('source_updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_risk_contract_fact_contract_id_contract')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_risk_contract_fact_project_id_project')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_risk_contract_fact_worker_id_worker')),
    sa.PrimaryKeyConstraint('contract_id', name=op.f('pk_risk_contract_fact'))
    )
    op.create_index(op.f('ix_risk_contract_fact_county_code'), 'risk_contract_fact', ['county_code'], unique=False)
    op.create_index(op.f('ix_risk_contract_fact_project_id'), 'risk_contract_fact', ['project_id'], unique=False)
    op.create_index('ix_risk_contract_fact_project_worker', 'risk_contract_fact', ['project_id', 'worker_id'], unique=False)
    op.create_index(op.f('ix_risk_contract_fact_worker_id'), 'risk_contract_fact', ['worker_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_risk_contract_fact_worker_id'), table_name='risk_contract_fact')
    op.drop_index('ix_risk_contract_fact_project_worker', table_name='risk_contract_fact')
    op.drop_index(op.f('ix_risk_contract_fact_project_id'), table_name='risk_contract_fact')
    op.drop_index(op.f('ix_risk_contract_fact_county_code'), table_name='risk_contract_fact')
    op.drop_table('risk_contract_fact')
    op.drop_index(op.f('ix_risk_finding_event_finding_id'), table_name='risk_finding_event')
    op.drop_table('risk_finding_event')
    op.drop_index(op.f('ix_risk_project_rollup_county_code'), table_name='risk_project_rollup')
    op.drop_table('risk_project_rollup')
    op.drop_index(op.f('ix_risk_finding_worker_id'), table_name='risk_finding')
    op.drop_index(op.f('ix_risk_finding_project_id'), table_name='risk_finding')
    op.drop_index('ix_risk_finding_county_status', table_name='risk_finding')
    op.drop_index(op.f('ix_risk_finding_county_code'), table_name='risk_finding')
    op.drop_table('risk_finding')
    op.drop_table('risk_county_rule_count')
    op.drop_table('risk_county_rollup')
    op.drop_table('county_wage_tier')
    op.drop_table('tier_minimum_wage')

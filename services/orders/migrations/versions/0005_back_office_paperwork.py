"""orders: the back office's paperwork: contract review, promised delivery date, loans, insurance, invoices, plates

The back office now reviews (审核) every contract before a manager approves one over the discount limit, so the
order keeps who reviewed it, when, the verdict and the notes. Every order carries its promised delivery date
(约定交车日期): orders placed before this revision get their placing day (in UTC, the stored time) plus 30 days,
the default the service gives a new order that names none. Four new tables hold the loan applications (贷款),
insurance policies (保险), invoices (发票, numbers unique for ever, voided ones kept) and the registration (上牌,
one per order, plates unique).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:00:00.000000
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

DEFAULT_PROMISE = timedelta(days=30)


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_reviewed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('contract_reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contract_review_passed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('contract_review_notes', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('promised_delivery_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_promised_delivery_on'), ['promised_delivery_on'], unique=False)
    _promise_existing_orders()
    _create_paperwork_tables()


def _promise_existing_orders() -> None:
    """Existing orders get the default promise, placing day + 30 days, so none is left without one."""
    bind = op.get_bind()
    orders = sa.table('orders', sa.column('id', sa.String), sa.column('placed_at', sa.DateTime(timezone=True)),
                      sa.column('promised_delivery_on', sa.Date))
    for order_id, placed_at in bind.execute(sa.select(orders.c.id, orders.c.placed_at)).all():
        placed = placed_at if isinstance(placed_at, datetime) else datetime.fromisoformat(str(placed_at))
        bind.execute(orders.update().where(orders.c.id == order_id)
                     .values(promised_delivery_on=placed.date() + DEFAULT_PROMISE))


def _create_paperwork_tables() -> None:
    op.create_table('loans',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('lender', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('annual_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('applied_by', sa.String(length=64), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disbursed_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('disbursed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loans_order_id'), ['order_id'], unique=False)
    op.create_table('insurance_policies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('insurer', sa.String(length=100), nullable=False),
    sa.Column('policy_no', sa.String(length=40), nullable=False),
    sa.Column('premium', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('insurer', 'policy_no', name='uq_insurance_policies_insurer_policy_no')
    )
    with op.batch_alter_table('insurance_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_policies_order_id'), ['order_id'], unique=False)
    op.create_table('invoices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('invoice_no', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('tax', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_by', sa.String(length=64), nullable=True),
    sa.Column('void_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_no')
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_order_id'), ['order_id'], unique=False)
    op.create_table('registrations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('plate_no', sa.String(length=10), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=10), nullable=False),
    sa.Column('power_of_attorney', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id'),
    sa.UniqueConstraint('plate_no')
    )


def downgrade() -> None:
    op.drop_table('registrations')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_order_id'))
    op.drop_table('invoices')
    with op.batch_alter_table('insurance_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_policies_order_id'))
    op.drop_table('insurance_policies')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loans_order_id'))
    op.drop_table('loans')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_promised_delivery_on'))
        for column in ('promised_delivery_on', 'contract_review_notes', 'contract_review_passed',
                       'contract_reviewed_at', 'contract_reviewed_by'):
            batch_op.drop_column(column)

"""reporting: the back office's paperwork and after-sales for every car, as figures (DOMAIN.md round 2)

The sales report gains revenue net of VAT and loan and insurance penetration: an order's row says whether a loan
was disbursed and which policies the store arranged (``paperwork_facts``). The after-sales report gains reminder
call outcomes (``reminder_call_facts``), service appointments made, kept, missed and cancelled
(``service_appointment_facts``), the return-visit questionnaire's CSI and NPS per month and per consultant who sold
the car (``questionnaire_facts``), customer files by source and their grades (``customer_facts``) and notices sent
(``notice_facts``). All are projections: one row per order, call, appointment, questionnaire, customer, notice.

None of this can be read from the rows already there: it is all in the event store. When the store holds events,
a rebuild is queued for the worker here (as 0005 and 0007 do), which fills the new tables; until it has run, the
new figures read as zeros.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from reporting.rebuild.from_migration import queue_rebuild

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

DAY_INDEXED = {'reminder_call_facts': 'day', 'service_appointment_facts': 'booked_day', 'questionnaire_facts': 'day',
               'customer_facts': 'filed_day', 'notice_facts': 'sent_day'}


def upgrade() -> None:
    op.create_table('paperwork_facts',
                    sa.Column('order_id', sa.String(length=36), nullable=False),
                    sa.Column('loan_disbursed', sa.Boolean(), nullable=False),
                    sa.Column('compulsory_insurance', sa.Boolean(), nullable=False),
                    sa.Column('commercial_insurance', sa.Boolean(), nullable=False),
                    sa.PrimaryKeyConstraint('order_id'))
    op.create_table('reminder_call_facts',
                    sa.Column('call_key', sa.String(length=80), nullable=False),
                    sa.Column('day', sa.Date(), nullable=True),
                    sa.Column('outcome', sa.String(length=20), nullable=True),
                    sa.Column('called_by', sa.String(length=64), nullable=True),
                    sa.PrimaryKeyConstraint('call_key'))
    op.create_table('service_appointment_facts',
                    sa.Column('appointment_id', sa.String(length=36), nullable=False),
                    sa.Column('booked_day', sa.Date(), nullable=True),
                    sa.Column('scheduled_day', sa.Date(), nullable=True),
                    sa.Column('kind', sa.String(length=20), nullable=True),
                    sa.Column('kept', sa.Boolean(), nullable=False),
                    sa.Column('missed', sa.Boolean(), nullable=False),
                    sa.Column('cancelled', sa.Boolean(), nullable=False),
                    sa.PrimaryKeyConstraint('appointment_id'))
    op.create_table('questionnaire_facts',
                    sa.Column('return_visit_id', sa.String(length=36), nullable=False),
                    sa.Column('day', sa.Date(), nullable=True),
                    sa.Column('consultant_id', sa.String(length=64), nullable=True),
                    sa.Column('sales_process', sa.Integer(), nullable=True),
                    sa.Column('delivery', sa.Integer(), nullable=True),
                    sa.Column('facility', sa.Integer(), nullable=True),
                    sa.Column('recommend', sa.Integer(), nullable=True),
                    sa.PrimaryKeyConstraint('return_visit_id'))
    op.create_table('customer_facts',
                    sa.Column('customer_id', sa.String(length=36), nullable=False),
                    sa.Column('source', sa.String(length=10), nullable=True),
                    sa.Column('filed_day', sa.Date(), nullable=True),
                    sa.Column('grade', sa.String(length=10), nullable=True),
                    sa.Column('graded_on', sa.Date(), nullable=True),
                    sa.Column('graded_at', sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint('customer_id'))
    op.create_table('notice_facts',
                    sa.Column('notice_id', sa.String(length=36), nullable=False),
                    sa.Column('sent_day', sa.Date(), nullable=True),
                    sa.Column('recipients', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('notice_id'))
    for table, column in DAY_INDEXED.items():
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)
    queue_rebuild('migration 0009')


def downgrade() -> None:
    for table, column in DAY_INDEXED.items():
        op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
    for table in ('notice_facts', 'customer_facts', 'questionnaire_facts', 'service_appointment_facts',
                  'reminder_call_facts', 'paperwork_facts'):
        op.drop_table(table)

"""reporting: a lead's visit and test-drive days on its row, and the pair counters of the funnel's rates

再回展厅率 and 试乘试驾率 are summed from counters (``day_pair_counts`` and day counts) instead of
scanning every lead of the range; ``lead_days`` is no longer needed. The new counters are filled by
a rebuild from the event store: when the store holds events, one is queued for the worker here.
The sales report's breakdowns of a month read the deliveries' index alone (PostgreSQL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:00:00.000000
"""
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

COUNT = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('lead_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_days', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('test_drive_days', sa.Text(), nullable=False, server_default=''))
    op.create_table('day_pair_counts',
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('other_day', sa.Date(), nullable=False),
    sa.Column('value', COUNT, nullable=False),
    sa.PrimaryKeyConstraint('metric', 'day', 'other_day')
    )
    with op.batch_alter_table('lead_days', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_days_day_lead')
    op.drop_table('lead_days')
    with op.batch_alter_table('sale_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_sale_facts_day')
        batch_op.create_index('ix_sale_facts_day_sales', ['day'], unique=False,
                              postgresql_include=['model', 'color', 'consultant_id', 'lead_id', 'price'])
    _queue_rebuild()


def _queue_rebuild() -> None:
    """Ask the worker for a rebuild when there are events to rebuild from (a new database has none)."""
    runs = sa.table('rebuild_runs', sa.column('id', sa.String), sa.column('status', sa.String),
                    sa.column('processed', COUNT), sa.column('total', COUNT), sa.column('requested_by', sa.String),
                    sa.column('requested_at', sa.DateTime(timezone=True)))
    stored = op.get_bind().execute(sa.text('SELECT count(*) FROM event_store')).scalar_one()
    if stored:
        op.execute(runs.insert().values(id=str(uuid.uuid4()), status='pending', processed=0, total=stored,
                                        requested_by='migration 0002', requested_at=datetime.now(UTC)))


def downgrade() -> None:
    with op.batch_alter_table('sale_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_sale_facts_day_sales')
        batch_op.create_index('ix_sale_facts_day', ['day'], unique=False)
    op.create_table('lead_days',
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('test_drives', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('lead_id', 'day')
    )
    with op.batch_alter_table('lead_days', schema=None) as batch_op:
        batch_op.create_index('ix_lead_days_day_lead', ['day', 'lead_id', 'visits', 'test_drives'], unique=False)
    op.drop_table('day_pair_counts')
    with op.batch_alter_table('lead_facts', schema=None) as batch_op:
        batch_op.drop_column('test_drive_days')
        batch_op.drop_column('visit_days')

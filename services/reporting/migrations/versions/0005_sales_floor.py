"""reporting: the sales floor's day: no-shows, lost reasons, campaigns, merged duplicates, per-consultant rates

Appointments remember a no-show (爽约) and a cancellation (neither is kept); a lead remembers its
latest loss (战败) and reopening, and the survivor it was merged into (合并); losses are counted per
day, reason, competitor's brand and owner (``lost_reason_counts``); orders placed and campaigns (市场活动)
with their leads get rows of their own. The rates' counters are now kept per consultant too, beside
the team's (``consultant_day_counts``, ``consultant_day_pair_counts``, keyed by the consultant first).

None of this can be read from the rows already there: it is all in the event store. When the store
holds events, a rebuild is queued for the worker here (as 0002 does), which fills every new column,
table and counter; until it has run, the new figures read as zeros.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from reporting.rebuild.from_migration import queue_rebuild

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COUNT = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('appointment_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_show', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('cancelled', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('lead_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('lost_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lost_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lost_reason_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('competitor_brand', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('lost_owner_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_lead_facts_merged_into'), ['merged_into'], unique=False)
    op.create_table('consultant_day_counts',
    sa.Column('consultant_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('value', COUNT, nullable=False),
    sa.PrimaryKeyConstraint('consultant_id', 'day', 'metric')
    )
    op.create_table('consultant_day_pair_counts',
    sa.Column('consultant_id', sa.String(length=64), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('other_day', sa.Date(), nullable=False),
    sa.Column('value', COUNT, nullable=False),
    sa.PrimaryKeyConstraint('consultant_id', 'metric', 'day', 'other_day')
    )
    op.create_table('lost_reason_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason_code', sa.String(length=20), nullable=False),
    sa.Column('competitor_brand', sa.String(length=50), nullable=False),
    sa.Column('consultant_id', sa.String(length=64), nullable=False),
    sa.Column('value', COUNT, nullable=False),
    sa.PrimaryKeyConstraint('day', 'reason_code', 'competitor_brand', 'consultant_id')
    )
    op.create_table('order_facts',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=True),
    sa.Column('placed_day', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('order_id')
    )
    with op.batch_alter_table('order_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_facts_lead_id'), ['lead_id'], unique=False)
    op.create_table('campaign_facts',
    sa.Column('campaign_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('campaign_id')
    )
    with op.batch_alter_table('campaign_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_facts_starts_on'), ['starts_on'], unique=False)
    op.create_table('campaign_lead_facts',
    sa.Column('campaign_lead', sa.String(length=80), nullable=False),
    sa.Column('campaign_id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('invited', sa.Boolean(), nullable=False),
    sa.Column('arrived_day', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('campaign_lead')
    )
    with op.batch_alter_table('campaign_lead_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_lead_facts_campaign_id'), ['campaign_id'], unique=False)
    queue_rebuild('migration 0005')


def downgrade() -> None:
    with op.batch_alter_table('campaign_lead_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_lead_facts_campaign_id'))
    op.drop_table('campaign_lead_facts')
    with op.batch_alter_table('campaign_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_facts_starts_on'))
    op.drop_table('campaign_facts')
    with op.batch_alter_table('order_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_facts_lead_id'))
    op.drop_table('order_facts')
    op.drop_table('lost_reason_counts')
    op.drop_table('consultant_day_pair_counts')
    op.drop_table('consultant_day_counts')
    with op.batch_alter_table('lead_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_facts_merged_into'))
        batch_op.drop_column('reopened_at')
        batch_op.drop_column('lost_owner_id')
        batch_op.drop_column('competitor_brand')
        batch_op.drop_column('lost_reason_code')
        batch_op.drop_column('lost_day')
        batch_op.drop_column('lost_at')
        batch_op.drop_column('merged_into')
    with op.batch_alter_table('appointment_facts', schema=None) as batch_op:
        batch_op.drop_column('cancelled')
        batch_op.drop_column('no_show')

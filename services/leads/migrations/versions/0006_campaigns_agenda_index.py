"""leads: campaigns and their invitations; visits may name a campaign; follow-ups indexed for the agenda

Campaigns (市场活动) and the leads invited to them (one invitation per lead and campaign: a unique
constraint). A visit may name the campaign it attended; visits recorded before this revision name
none, which is what they were. Follow-ups get an index on (lead_id, at), which the agenda reads each
lead's latest follow-up from; it replaces the index on lead_id alone, which it covers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 06:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_campaigns_starts_on'), 'campaigns', ['starts_on'], unique=False)
    op.create_table('campaign_invitations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('campaign_id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('invited_by', sa.String(length=64), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'lead_id', name='uq_campaign_invitations_campaign_lead')
    )
    op.create_index(op.f('ix_campaign_invitations_lead_id'), 'campaign_invitations', ['lead_id'], unique=False)
    # Not in batch: SQLite adds a nullable column in place, where a batch would copy the table.
    op.add_column('visits', sa.Column('campaign_id', sa.String(length=36), nullable=True))
    op.create_index(op.f('ix_visits_campaign_id'), 'visits', ['campaign_id'], unique=False)
    op.create_index('ix_follow_ups_lead_id_at', 'follow_ups', ['lead_id', 'at'], unique=False)
    op.drop_index(op.f('ix_follow_ups_lead_id'), table_name='follow_ups')


def downgrade() -> None:
    op.create_index(op.f('ix_follow_ups_lead_id'), 'follow_ups', ['lead_id'], unique=False)
    op.drop_index('ix_follow_ups_lead_id_at', table_name='follow_ups')
    op.drop_index(op.f('ix_visits_campaign_id'), table_name='visits')
    op.drop_column('visits', 'campaign_id')
    op.drop_index(op.f('ix_campaign_invitations_lead_id'), table_name='campaign_invitations')
    op.drop_table('campaign_invitations')
    op.drop_index(op.f('ix_campaigns_starts_on'), table_name='campaigns')
    op.drop_table('campaigns')

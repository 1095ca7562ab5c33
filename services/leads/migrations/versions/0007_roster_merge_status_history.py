"""leads: the duty roster, merged duplicates and the history of a lead's status and owner

The duty roster (值班表): the consultants on duty on each local day and the turn counter the DCC's leads
are handed out by. A lead merged as a duplicate points at the lead that survives it (``merged_into``);
no lead before this revision was merged.

The status history (``lead_status_changes``) keeps each loss, reopening, owner change, merge and
conversion from now on. It is backfilled only with what the tables already know exactly: the owner
changes the ownership rule made on visits (each visit row holds the owners before and after, the time,
the receiving consultant and the rule). Nothing else is made up: the time of a loss, of a reopening and
of a conversion by an order, and a manager's reassignments were never kept, so leads lost before this
revision show their loss without a time (as before), and earlier reassignments, reopenings and
conversions are not in the history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duty_rosters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('consultant_ids', sa.JSON(), nullable=False),
    sa.Column('turn', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('lead_status_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=True),
    sa.Column('status_before', sa.String(length=12), nullable=True),
    sa.Column('status_after', sa.String(length=12), nullable=True),
    sa.Column('owner_before', sa.String(length=64), nullable=True),
    sa.Column('owner_after', sa.String(length=64), nullable=True),
    sa.Column('rule', sa.String(length=60), nullable=True),
    sa.Column('reason_code', sa.String(length=20), nullable=True),
    sa.Column('competitor_brand', sa.String(length=50), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('order_id', sa.String(length=36), nullable=True),
    sa.Column('other_lead_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lead_status_changes_lead_id'), 'lead_status_changes', ['lead_id'], unique=False)
    # Not in batch: SQLite adds a nullable column in place, where a batch would copy leads, which other tables
    # reference.
    op.add_column('leads', sa.Column('merged_into', sa.String(length=36), nullable=True))
    op.execute("INSERT INTO lead_status_changes (lead_id, kind, at, by, owner_before, owner_after, rule) "
               "SELECT lead_id, 'owner_changed', visited_at, consultant_id, owner_before, owner_after, "
               "ownership_rule FROM visits WHERE owner_before <> owner_after ORDER BY visited_at, id")


def downgrade() -> None:
    op.drop_column('leads', 'merged_into')
    op.drop_index(op.f('ix_lead_status_changes_lead_id'), table_name='lead_status_changes')
    op.drop_table('lead_status_changes')
    op.drop_table('duty_rosters')

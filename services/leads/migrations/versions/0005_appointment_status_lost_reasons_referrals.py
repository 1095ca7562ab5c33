"""leads: appointments rescheduled, cancelled and missed; lost reasons and reopening; referrals

Appointments gain a status (booked, kept, cancelled, no_show), the cancellation's reason and when it was
closed; those booked before this revision are kept when a visit named them, else booked (the worker's
no-show job then marks the ones whose day is over). Leads gain the lost reason's code and competitor
brand, the stage a lost lead goes back to when reopened, and the referring customer's phone. Leads lost
before this revision keep their free-text reason and have no code; reopened, they go back to potential.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lost_reason_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('competitor_brand', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('status_before_lost', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('referrer_phone', sa.String(length=11), nullable=True))
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='booked'))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE appointments SET status = 'kept' WHERE kept_visit_id IS NOT NULL")
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.create_index(batch_op.f('ix_appointments_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_status'))
        batch_op.drop_column('closed_at')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('status')
    # Not in batch: SQLite (3.35+) drops a plain column in place, where a batch would copy leads, which
    # other tables reference, and fail their foreign keys.
    for column in ('referrer_phone', 'status_before_lost', 'competitor_brand', 'lost_reason_code'):
        op.drop_column('leads', column)

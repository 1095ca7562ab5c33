"""leads: the call register (来电客户登记表) on each inquiry: name, model of interest, budget, purchase timeframe

All four are optional (a caller may give none of them); inquiries logged before this revision keep them empty.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('model_interest', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('budget', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('purchase_timeframe', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_column('purchase_timeframe')
        batch_op.drop_column('budget')
        batch_op.drop_column('model_interest')
        batch_op.drop_column('name')

"""inventory: the stock desk's index on first arrival (库龄 lists, oldest first)

The car list answers oldest arrival first and the stock desk filters it by stock age, which is a
range on ``arrived_at`` (the first arrival at the group). Without an index on it, every page of
``GET /vehicles`` sorted the whole table (20,000 cars in the benchmark) and every age filter read
it all; ``(arrived_at, vin)`` is the list's own order, so a page is read off the index in order.
No column is added: ``arrived_at`` already is the first arrival at the group, kept through transfers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:00:00.000000
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_vehicles_arrival", "vehicles", ["arrived_at", "vin"])


def downgrade() -> None:
    op.drop_index("ix_vehicles_arrival", table_name="vehicles")

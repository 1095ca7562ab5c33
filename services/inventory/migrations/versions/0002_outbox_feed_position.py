"""inventory: the event feed's cursor follows commit order (outbox.feed_position)

The feed (GET /api/v1/events?after=) used to count outbox positions, taken before commit: a
transaction committing late could land below a cursor a reader held and be skipped. Existing
rows keep their position as feed position, so cursors already held keep their meaning.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00.000000
"""
from shared.migrations import add_outbox_feed_position, drop_outbox_feed_position

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_feed_position()


def downgrade() -> None:
    drop_outbox_feed_position()

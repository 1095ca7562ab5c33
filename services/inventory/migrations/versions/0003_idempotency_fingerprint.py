"""inventory: the request body's fingerprint on each idempotency key

The same Idempotency-Key sent with another body answers 422 (shared/web/idempotency.py); keys stored
before this revision have no fingerprint and are replayed as before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00.000000
"""

from shared.migrations import add_idempotency_fingerprint, drop_idempotency_fingerprint

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_idempotency_fingerprint()


def downgrade() -> None:
    drop_idempotency_fingerprint()

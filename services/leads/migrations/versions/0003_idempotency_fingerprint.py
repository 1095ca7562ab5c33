"""leads: the request body's fingerprint on each idempotency key

The same Idempotency-Key sent with another body answers 422 (shared/web/idempotency.py); keys stored
before this revision have no fingerprint and are replayed as before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')

"""A rebuild asked for by a schema migration that changes how the projections count.

Such a migration cannot recount the rows itself (the counting lives in the projections), so it leaves a
pending run for the worker; one already pending (an earlier migration's, on an upgrade across several)
rebuilds everything, so no second is queued. A new database has no events and needs none.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def queue_rebuild(requested_by: str) -> None:
    """Leave a pending rebuild run when there are stored events to rebuild from and none is pending yet."""
    runs = sa.table("rebuild_runs", sa.column("id", sa.String), sa.column("status", sa.String),
                    sa.column("processed", COUNT), sa.column("total", COUNT), sa.column("requested_by", sa.String),
                    sa.column("requested_at", sa.DateTime(timezone=True)))
    stored = op.get_bind().execute(sa.text("SELECT count(*) FROM event_store")).scalar_one()
    active = op.get_bind().execute(
        sa.text("SELECT count(*) FROM rebuild_runs WHERE status = 'pending'")).scalar_one()
    if stored and not active:
        op.execute(runs.insert().values(id=str(uuid.uuid4()), status="pending", processed=0, total=stored,
                                        requested_by=requested_by, requested_at=datetime.now(UTC)))

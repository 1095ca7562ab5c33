"""What code outside the service may call, beside its HTTP API and the ``dealer reporting`` commands.

The benchmarks (``bench/``) and checks use these names and no other module of the service, so the
rest can move without breaking them. Each is the function the service itself runs:

- ``mask_event``, ``stored_row``: an event as the event store keeps it (masked), and its row;
- ``rebuild_projections``: the rebuild the worker and ``dealer reporting rebuild`` run, in the caller's transaction;
- ``stored_count``, ``distinct_events_stored``: how many events the store holds, and how many distinct;
- ``projection_rows``: every projection row in the database;
- ``expected_projections``: the same rows worked out in memory from the events, to compare with.
"""
from __future__ import annotations

from reporting.domain import mask_event
from reporting.eventstore import stored_count, stored_row
from reporting.projections.reference import expected_projections
from reporting.queries import distinct_events_stored, projection_rows
from reporting.rebuild.replay import rebuild_projections

__all__ = ["distinct_events_stored", "expected_projections", "mask_event", "projection_rows", "rebuild_projections",
           "stored_count", "stored_row"]

"""Getting the figures back: every projection recomputed from the event store (``replay``, with its
``facts`` and ``writers``), and the event store refilled from the departments' feeds (``backfill``)."""

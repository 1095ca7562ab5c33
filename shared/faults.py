"""Failpoints: named places where a test can make the process die on purpose.

``DEALER_FAILPOINTS=relay.after_publish`` makes the relay exit right after the
broker confirmed a batch and before the rows are marked sent, so the fault tests
can prove that no event is lost or applied twice across such a crash. Unset in
production: each check is one dictionary lookup.
"""
from __future__ import annotations

import os
import random

_ARMED = {name.strip() for name in os.environ.get("DEALER_FAILPOINTS", "").split(",") if name.strip()}
_CHANCE = float(os.environ.get("DEALER_FAILPOINT_CHANCE", "1.0"))


def failpoint(name: str) -> None:
    """Exit the process at once (like SIGKILL: no clean-up) when ``name`` is armed."""
    if name in _ARMED and random.random() < _CHANCE:
        os._exit(137)

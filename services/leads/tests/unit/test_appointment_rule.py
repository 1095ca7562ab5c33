"""An invitation (邀约) is for a time after its booking: never in the past, with a minute's grace for clocks."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leads.domain import check_scheduled_after_booking
from shared.domain import InvalidInput

BOOKED = datetime(2027, 1, 5, 6, 0, tzinfo=UTC)  # 14:00 in the store


def test_an_appointment_before_its_booking_is_refused_naming_scheduled_at() -> None:
    with pytest.raises(InvalidInput) as err:
        check_scheduled_after_booking(BOOKED - timedelta(minutes=1, seconds=1), BOOKED)
    assert err.value.field == "scheduled_at" and "occurred_at" in err.value.detail


def test_an_appointment_within_a_minute_of_its_booking_is_a_clock_a_little_behind() -> None:
    check_scheduled_after_booking(BOOKED - timedelta(minutes=1), BOOKED)
    check_scheduled_after_booking(BOOKED + timedelta(days=2), BOOKED)

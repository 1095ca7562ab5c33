"""The time fields every service uses: answers in the store's zone with its offset, naive input is store time."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import marshmallow as ma
import pytest

from shared.web.fields import AwareDateTime, OccurredAt, StoreTime

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Answer(ma.Schema):
    at = StoreTime(allow_none=True)


class Question(ma.Schema):
    at = AwareDateTime(required=True)


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def test_a_naive_time_read_back_from_sqlite_is_utc_and_answers_in_store_time() -> None:
    assert Answer().dump({"at": datetime(2027, 1, 5, 6, 0)}) == {"at": "2027-01-05T14:00:00+08:00"}


def test_an_aware_time_answers_in_store_time_whatever_its_zone() -> None:
    assert Answer().dump({"at": datetime(2027, 1, 5, 6, 0, tzinfo=UTC)}) == {"at": "2027-01-05T14:00:00+08:00"}
    assert Answer().dump({"at": None}) == {"at": None}


def test_the_zone_is_the_one_dealer_tz_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Europe/London")  # winter: +00:00, summer: +01:00
    assert Answer().dump({"at": datetime(2027, 1, 5, 6, 0)}) == {"at": "2027-01-05T06:00:00+00:00"}
    assert Answer().dump({"at": datetime(2027, 7, 5, 6, 0)}) == {"at": "2027-07-05T07:00:00+01:00"}


def test_a_time_sent_without_an_offset_is_store_time_and_kept_as_utc() -> None:
    assert Question().load({"at": "2027-01-05T14:00:00"}) == {"at": datetime(2027, 1, 5, 6, 0, tzinfo=UTC)}
    assert Question().load({"at": "2027-01-05T14:00:00-05:00"}) == {"at": datetime(2027, 1, 5, 19, 0, tzinfo=UTC)}


@pytest.mark.parametrize("sent", ["1999-12-31T23:00:00", "2101-01-01T00:00:00+08:00", "tomorrow", "2027-13-01T10:00"])
def test_a_time_out_of_bounds_or_unreadable_is_refused_naming_the_field(sent: str) -> None:
    with pytest.raises(ma.ValidationError) as refused:
        Question().load({"at": sent})
    assert list(refused.value.messages) == ["at"]


def test_a_business_time_without_an_offset_is_store_time_and_keeps_its_bounds() -> None:
    class Record(ma.Schema):
        occurred_at = OccurredAt()

    an_hour_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    typed_at_the_store = an_hour_ago.astimezone(SHANGHAI).replace(tzinfo=None).isoformat()  # as UTC: 7 hours ahead
    assert Record().load({"occurred_at": typed_at_the_store}) == {"occurred_at": an_hour_ago}
    in_an_hour = (an_hour_ago + timedelta(hours=2)).astimezone(SHANGHAI).replace(tzinfo=None).isoformat()
    with pytest.raises(ma.ValidationError) as refused:
        Record().load({"occurred_at": in_an_hour})
    assert refused.value.messages == {"occurred_at": ["Must not be in the future."]}

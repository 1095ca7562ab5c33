"""Lost reasons, reopening, referrers and the no-show cutoff, as the store's rules state them."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leads.domain import check_lost_reason, check_referrer, no_show_cutoff, reopen
from shared.domain import DomainError, InvalidInput


def test_the_competitors_brand_goes_with_and_only_with_a_loss_to_a_competitor() -> None:
    check_lost_reason("competitor", "Brand X")
    check_lost_reason("price", None)
    for code, brand in [("competitor", None), ("competitor", " "), ("price", "Brand X")]:
        with pytest.raises(InvalidInput) as err:
            check_lost_reason(code, brand)
        assert err.value.field == "competitor_brand"


def test_a_reopened_lead_returns_to_its_stage_and_an_unknown_stage_to_potential() -> None:
    assert reopen("lost", "intention") == "intention"
    assert reopen("lost", "potential") == "potential"
    assert reopen("lost", None) == "potential"  # lost before the stage was remembered
    with pytest.raises(DomainError):
        reopen("intention", None)


def test_only_a_referral_names_a_referrer_and_never_the_customer_themselves() -> None:
    check_referrer("referral", "13912345678", "13812345678")
    check_referrer("walk_in", None, "13812345678")
    for source, referrer in [("referral", None), ("online", "13912345678"), ("referral", "13812345678")]:
        with pytest.raises(InvalidInput) as err:
            check_referrer(source, referrer, "13812345678")
        assert err.value.field == "referrer_phone"


def test_the_no_show_cutoff_is_the_start_of_the_stores_day() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    # 2030-11-24 01:00 at the store is 2030-11-23 17:00 UTC; the store's day began at 2030-11-23 16:00 UTC.
    assert no_show_cutoff(datetime(2030, 11, 23, 17, 0, tzinfo=UTC), shanghai) == datetime(2030, 11, 23, 16, 0,
                                                                                             tzinfo=UTC)
    # 2030-11-23 23:00 at the store (15:00 UTC): the 23rd began at 2030-11-22 16:00 UTC.
    assert no_show_cutoff(datetime(2030, 11, 23, 15, 0, tzinfo=UTC), shanghai) == datetime(2030, 11, 22, 16, 0,
                                                                                             tzinfo=UTC)

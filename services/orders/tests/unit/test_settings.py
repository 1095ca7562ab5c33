"""The consultant's discount limit comes from the environment, as an exact amount."""
from __future__ import annotations

from decimal import Decimal

import pytest

from orders.app import consultant_discount_limit


def test_the_limit_defaults_to_5000(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERS_CONSULTANT_DISCOUNT_LIMIT", raising=False)
    assert consultant_discount_limit(None) == Decimal("5000.00")


def test_the_limit_is_read_from_the_environment_and_a_config_overrides_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_CONSULTANT_DISCOUNT_LIMIT", "8000")
    assert consultant_discount_limit(None) == Decimal("8000.00")
    assert consultant_discount_limit({"CONSULTANT_DISCOUNT_LIMIT": "3000.50"}) == Decimal("3000.50")


@pytest.mark.parametrize("raw", ["lots", "-1", "NaN"])
def test_a_limit_that_is_not_an_amount_stops_the_service_at_start(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("ORDERS_CONSULTANT_DISCOUNT_LIMIT", raw)
    with pytest.raises(ValueError, match="ORDERS_CONSULTANT_DISCOUNT_LIMIT"):
        consultant_discount_limit(None)

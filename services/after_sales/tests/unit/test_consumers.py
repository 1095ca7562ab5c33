"""Reading ``orders.order.delivered`` into the typed value the delivery use case takes, without a database."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from after_sales.consumers import delivery_from_event
from after_sales.customers.services import Delivery

BEIJING = timezone(timedelta(hours=8))


def envelope(**data_changes: object) -> dict[str, object]:
    """A delivery envelope carrying fields after-sales does not read (``msrp``, ``lead_id``, ``nickname``)."""
    data = {"order_id": "o-7", "lead_id": "l-3", "consultant_id": "c9", "msrp": "199900.00",
            "customer": {"name": "  Li Na ", "phone": "138-1234-5678", "id_number": None, "nickname": "Nana"},
            "vin": " lsvau2182n2183290 ", "model": "Aurora", "trim": "2.0T Luxury", "color": "white",
            "price": "189900", "delivered_at": "2026-11-22T01:30:00+08:00", "loyalty_tier": "gold"}
    data.update(data_changes)
    return {"subject": "o-7", "data": data}


def test_a_delivery_reads_only_the_fields_a_file_needs_and_ignores_the_rest() -> None:
    assert delivery_from_event(envelope()) == Delivery(
        order_id="o-7", consultant_id="c9", name="Li Na", phone="13812345678", id_number=None,
        vin="LSVAU2182N2183290", model="Aurora", trim="2.0T Luxury", color="white",
        price=Decimal("189900.00"), delivered_at=datetime(2026, 11, 22, 1, 30, tzinfo=BEIJING))


def test_a_delivery_without_an_order_id_in_its_data_takes_the_envelope_subject() -> None:
    assert delivery_from_event(envelope(order_id=None)).order_id == "o-7"


def test_a_read_delivery_cannot_be_changed_on_its_way_to_the_use_case() -> None:
    delivery = delivery_from_event(envelope())
    with pytest.raises(dataclasses.FrozenInstanceError):
        delivery.vin = "LSVTEST0000000001"  # type: ignore[misc]

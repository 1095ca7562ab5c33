"""Inventory reads order events into small typed values, and the day a delivered car left stock."""
from __future__ import annotations

from datetime import UTC, datetime

from inventory.consumers import OrderClosed, OrderPlaced
from inventory.domain import delivery_time
from shared.envelope import make_event

NOW = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)


def test_an_order_placed_is_read_with_its_vin_normalised_and_unknown_fields_ignored() -> None:
    data = {"order_id": "o-1", "model": "Aurora", "trim": "2.0T", "color": "white", "vin": " lsvau2182n2183290 ",
            "placed_at": "2024-03-01T09:00:00+08:00", "price": "150000.00"}
    assert OrderPlaced.from_event(make_event("orders", "orders.order.placed", "o-1", data)) == OrderPlaced(
        order_id="o-1", model="Aurora", trim="2.0T", color="white", requested_vin="LSVAU2182N2183290",
        placed_at=datetime(2024, 3, 1, 1, 0, tzinfo=UTC))


def test_an_order_placed_without_details_takes_its_id_from_the_subject_and_its_time_from_the_envelope() -> None:
    envelope = make_event("orders", "orders.order.placed", "o-9", {"vin": ""})
    order = OrderPlaced.from_event(envelope)
    assert (order.order_id, order.model, order.requested_vin) == ("o-9", "", None)
    assert order.placed_at == datetime.fromisoformat(envelope["time"])


def test_a_closed_order_is_read_with_the_time_field_it_names() -> None:
    data = {"order_id": "o-3", "vin": "LSVAU2182N2183290", "delivered_at": "2024-03-09T08:00:00",
            "cancelled_at": "not a time"}
    envelope = make_event("orders", "orders.order.delivered", "o-3", data)
    assert OrderClosed.from_event(envelope, "delivered_at") == OrderClosed(
        order_id="o-3", vin="LSVAU2182N2183290", at=datetime(2024, 3, 9, 8, 0, tzinfo=UTC))
    assert OrderClosed.from_event(envelope, "cancelled_at").at is None


def test_a_delivered_car_leaves_stock_on_the_delivery_day_never_in_the_future_nor_before_its_reservation() -> None:
    reserved = datetime(2024, 3, 5, tzinfo=UTC)
    assert delivery_time(datetime(2024, 3, 8, tzinfo=UTC), reserved, NOW) == datetime(2024, 3, 8, tzinfo=UTC)
    assert delivery_time(datetime(2024, 3, 1, tzinfo=UTC), reserved, NOW) == reserved
    assert delivery_time(datetime(2024, 4, 1, tzinfo=UTC), reserved, NOW) == NOW
    assert delivery_time(None, None, NOW) == NOW

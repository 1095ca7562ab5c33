"""Orders reads inventory's answers into small typed values, and when a reserved car counts as held."""
from __future__ import annotations

from datetime import UTC, datetime

from orders.consumers import CarReserved, ReservationFailed
from orders.domain import reservation_time
from shared.envelope import make_event

PLACED = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)


def test_a_reserved_car_is_read_with_its_vehicle_and_a_naive_time_taken_as_utc() -> None:
    data = {"order_id": "o-1", "vin": "LSVAU2182N2183290", "model": "Aurora", "trim": "2.0T", "color": "white",
            "at": "2024-03-02T10:30:00", "stock_age_days": 12}
    assert CarReserved.from_event(make_event("inventory", "inventory.vehicle.reserved", "V", data)) == CarReserved(
        order_id="o-1", vin="LSVAU2182N2183290", model="Aurora", trim="2.0T", color="white",
        at=datetime(2024, 3, 2, 10, 30, tzinfo=UTC))


def test_a_reserved_car_without_details_or_a_readable_time_reads_empty() -> None:
    answer = CarReserved.from_event(make_event("inventory", "inventory.vehicle.reserved", "V", {"at": "soon"}))
    assert answer == CarReserved(order_id=None, vin="", model="", trim="", color="", at=None)


def test_a_reserved_cars_model_class_is_read_and_a_missing_or_blank_one_is_none() -> None:
    def read(**extra: object) -> str | None:
        data = {"order_id": "o-1", "vin": "LSVAU2182N2183290", "at": "2024-03-02T10:30:00+00:00", **extra}
        return CarReserved.from_event(make_event("inventory", "inventory.vehicle.reserved", "V", data)).model_class
    assert read(model_class="SUV") == "SUV"
    assert read() is None and read(model_class=None) is None and read(model_class="  ") is None
    assert read(model_class=7) is None


def test_a_failed_reservation_is_read_for_its_order_and_reason() -> None:
    envelope = make_event("inventory", "inventory.reservation.failed", "o-2", {"order_id": "o-2", "reason": None})
    assert ReservationFailed.from_event(envelope) == ReservationFailed(order_id="o-2", reason="")


def test_a_reservation_counts_from_inventorys_time_kept_between_the_order_and_now() -> None:
    assert reservation_time(PLACED, datetime(2024, 3, 3, tzinfo=UTC), NOW) == datetime(2024, 3, 3, tzinfo=UTC)
    assert reservation_time(PLACED, datetime(2024, 2, 1, tzinfo=UTC), NOW) == PLACED
    assert reservation_time(PLACED, datetime(2024, 4, 1, tzinfo=UTC), NOW) == NOW
    assert reservation_time(PLACED, None, NOW) == NOW

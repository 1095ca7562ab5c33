from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from inventory import domain
from shared.domain import DomainError, InvalidInput

T0 = datetime(2024, 1, 1, 9, 0)


@dataclass
class FakeVehicle:
    vin: str = "LSVAU2182N2183290"
    model: str = "Lavida"
    trim: str = "Comfort"
    color: str = "white"
    kind: str = "stock"
    status: str = "available"
    arrived_at: datetime = T0
    location: str = "Shanghai North"
    reserved_for_order_id: str | None = None


def reserved_car(order_id: str = "O-1") -> FakeVehicle:
    return FakeVehicle(status="reserved", reserved_for_order_id=order_id)


# inspection (接车检验)


@pytest.mark.parametrize("status", ["pending_inspection", "on_hold"])
def test_car_that_passes_inspection_becomes_available(status: str) -> None:
    car = FakeVehicle(status=status)
    assert domain.inspect(car, passed=True, notes="") == "available"
    assert car.status == "available"


def test_car_that_fails_inspection_is_on_hold_until_fixed() -> None:
    car = FakeVehicle(status="pending_inspection")
    assert domain.inspect(car, passed=False, notes="scratch on rear door") == "on_hold"
    assert car.status == "on_hold"


def test_car_on_hold_can_fail_reinspection_again() -> None:
    car = FakeVehicle(status="on_hold")
    assert domain.inspect(car, passed=False, notes="still scratched") == "on_hold"


def test_failed_inspection_must_say_what_needs_fixing() -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.inspect(
            FakeVehicle(status="pending_inspection"), passed=False, notes="  "
        )
    assert caught.value.field == "notes"


@pytest.mark.parametrize("status", ["in_transit", "available", "reserved", "delivered"])
def test_only_cars_pending_inspection_or_on_hold_can_be_inspected(status: str) -> None:
    car = FakeVehicle(status=status)
    with pytest.raises(
        DomainError, match=f"is {status}; only a car pending inspection"
    ):
        domain.inspect(car, passed=True, notes="")
    assert car.status == status


# choosing a car for an order (配车)


def test_oldest_matching_stock_car_is_chosen_first() -> None:
    newer = FakeVehicle(vin="B", arrived_at=T0 + timedelta(days=3))
    older = FakeVehicle(vin="C", arrived_at=T0)
    assert (
        domain.choose_vehicle_for_order([newer, older], "Lavida", "Comfort", "white")
        is older
    )


def test_cars_that_arrived_together_are_chosen_by_vin() -> None:
    second, first = FakeVehicle(vin="B"), FakeVehicle(vin="A")
    assert (
        domain.choose_vehicle_for_order([second, first], "Lavida", "Comfort", "white")
        is first
    )


def test_only_available_stock_cars_of_the_same_model_trim_and_colour_match() -> None:
    oldest = T0 - timedelta(days=100)
    others = [
        FakeVehicle(kind="test_drive", arrived_at=oldest),
        FakeVehicle(kind="demo", arrived_at=oldest),
        FakeVehicle(status="on_hold", arrived_at=oldest),
        FakeVehicle(status="reserved", arrived_at=oldest),
        FakeVehicle(status="in_transit", arrived_at=oldest),
        FakeVehicle(model="Passat", arrived_at=oldest),
        FakeVehicle(trim="Luxury", arrived_at=oldest),
        FakeVehicle(color="black", arrived_at=oldest),
    ]
    match = FakeVehicle(vin="MATCH")
    assert (
        domain.choose_vehicle_for_order([*others, match], "Lavida", "Comfort", "white")
        is match
    )


def test_no_matching_car_means_none_so_the_order_is_backordered() -> None:
    cars = [FakeVehicle(color="black"), FakeVehicle(status="reserved")]
    assert domain.choose_vehicle_for_order(cars, "Lavida", "Comfort", "white") is None


def test_a_requested_vin_is_chosen_even_if_not_the_oldest() -> None:
    old, wanted = (
        FakeVehicle(vin="OLD"),
        FakeVehicle(vin="WANTED", arrived_at=T0 + timedelta(days=9)),
    )
    chosen = domain.choose_vehicle_for_order(
        [old, wanted], "Lavida", "Comfort", "white", vin="wanted"
    )
    assert chosen is wanted


def test_a_requested_vin_must_still_match_the_order() -> None:
    wrong_colour = FakeVehicle(vin="WANTED", color="black")
    assert (
        domain.choose_vehicle_for_order(
            [wrong_colour], "Lavida", "Comfort", "white", vin="WANTED"
        )
        is None
    )


# reservation, release, outbound (出库)


def test_reserving_an_available_stock_car_holds_it_for_the_order() -> None:
    car = FakeVehicle()
    domain.reserve(car, "O-1")
    assert (car.status, car.reserved_for_order_id) == ("reserved", "O-1")


def test_a_car_reserved_for_one_order_cannot_be_reserved_for_another() -> None:
    with pytest.raises(DomainError, match="already reserved for order O-1"):
        domain.reserve(reserved_car("O-1"), "O-2")


@pytest.mark.parametrize(
    "status", ["in_transit", "pending_inspection", "on_hold", "delivered"]
)
def test_only_available_cars_can_be_reserved(status: str) -> None:
    with pytest.raises(DomainError, match=f"is {status}, not available"):
        domain.reserve(FakeVehicle(status=status), "O-1")


@pytest.mark.parametrize("kind", ["test_drive", "demo"])
def test_test_drive_and_demo_cars_are_not_sold(kind: str) -> None:
    with pytest.raises(DomainError, match="only stock cars are sold"):
        domain.reserve(FakeVehicle(kind=kind), "O-1")


def test_releasing_returns_the_car_to_available_stock() -> None:
    car = reserved_car("O-1")
    domain.release(car, "O-1")
    assert (car.status, car.reserved_for_order_id) == ("available", None)


def test_only_the_order_holding_a_car_can_release_it() -> None:
    car = reserved_car("O-1")
    with pytest.raises(DomainError, match="reserved for order O-1, not O-2"):
        domain.release(car, "O-2")
    assert car.status == "reserved"


def test_a_car_that_is_not_reserved_cannot_be_released() -> None:
    with pytest.raises(DomainError, match="not reserved"):
        domain.release(
            FakeVehicle(status="delivered", reserved_for_order_id="O-1"), "O-1"
        )


def test_delivery_takes_the_reserved_car_out_of_stock() -> None:
    car = reserved_car("O-1")
    domain.deliver(car, "O-1")
    assert (car.status, car.reserved_for_order_id) == ("delivered", "O-1")


def test_a_car_reserved_for_another_order_cannot_be_delivered() -> None:
    with pytest.raises(DomainError, match="reserved for order O-1, not O-2"):
        domain.deliver(reserved_car("O-1"), "O-2")


def test_an_unreserved_car_cannot_be_delivered() -> None:
    with pytest.raises(DomainError, match="available, not reserved"):
        domain.deliver(FakeVehicle(), "O-1")


# transfer (调拨)


def test_transfer_moves_the_car_and_keeps_its_arrival_date() -> None:
    car = FakeVehicle(status="on_hold")
    domain.transfer(car, " Hangzhou West ")
    assert (car.location, car.arrived_at, car.status) == (
        "Hangzhou West",
        T0,
        "on_hold",
    )


@pytest.mark.parametrize("status", ["reserved", "delivered"])
def test_reserved_or_delivered_cars_cannot_be_transferred(status: str) -> None:
    car = FakeVehicle(status=status)
    with pytest.raises(DomainError, match=f"is {status} and cannot be transferred"):
        domain.transfer(car, "Hangzhou West")
    assert car.location == "Shanghai North"


def test_a_car_cannot_be_transferred_to_where_it_already_is() -> None:
    with pytest.raises(DomainError, match="already at Shanghai North"):
        domain.transfer(FakeVehicle(), "Shanghai North")


def test_a_transfer_must_name_the_destination() -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.transfer(FakeVehicle(), " ")
    assert caught.value.field == "to_location"


# keys (钥匙管理)


def test_keys_in_the_cabinet_can_be_issued_to_a_person() -> None:
    assert domain.issue_key(None, "Wang Fang") == "Wang Fang"


def test_keys_already_out_cannot_be_handed_over_twice() -> None:
    with pytest.raises(DomainError, match="already out with Li Lei"):
        domain.issue_key("Li Lei", "Wang Fang")


def test_keys_must_be_issued_to_someone() -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.issue_key(None, "")
    assert caught.value.field == "to"


def test_the_holder_can_return_the_keys() -> None:
    domain.return_key("Li Lei", "Li Lei")  # no refusal is the whole rule


def test_keys_not_out_cannot_be_returned() -> None:
    with pytest.raises(DomainError, match="not out"):
        domain.return_key(None, "Li Lei")


def test_keys_cannot_be_returned_by_someone_who_does_not_hold_them() -> None:
    with pytest.raises(DomainError, match="held by Li Lei, not Wang Fang"):
        domain.return_key("Li Lei", "Wang Fang")


def test_a_delivered_cars_keys_cannot_be_issued_again() -> None:
    with pytest.raises(DomainError, match="went with it to the customer"):
        domain.check_keys_in_custody(FakeVehicle(status="delivered"))
    domain.check_keys_in_custody(FakeVehicle(status="reserved"))


# what an order asks for (配车)


def test_an_order_naming_only_a_vin_fits_that_car_whatever_its_configuration() -> None:
    car = FakeVehicle(vin="WANTED")
    assert domain.fits_order(car, "", "", "", vin="wanted")
    assert not domain.fits_order(car, "", "", "", vin="OTHER")


def test_an_order_naming_a_vin_and_a_configuration_needs_both_to_match() -> None:
    assert not domain.fits_order(FakeVehicle(vin="WANTED"), "Lavida", "Comfort", "black", vin="WANTED")


def test_an_order_without_a_vin_must_name_the_whole_configuration() -> None:
    assert domain.fits_order(FakeVehicle(), "Lavida", "Comfort", "white")
    assert not domain.fits_order(FakeVehicle(), "Lavida", "", "white")


@pytest.mark.parametrize(("kind", "status", "for_sale"), [
    ("stock", "available", True), ("stock", "reserved", False), ("stock", "on_hold", False),
    ("test_drive", "available", False), ("demo", "available", False)])
def test_only_an_available_stock_car_is_for_sale(kind: str, status: str, for_sale: bool) -> None:
    assert domain.is_for_sale(FakeVehicle(kind=kind, status=status)) is for_sale

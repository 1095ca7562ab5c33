"""Customer files (客户档案) opened by deliveries, over the real database (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from contracts import contract_errors

AFTER_SALES = ("after_sales", "a1")
BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def vin_for(number: int) -> str:
    return f"LSVTEST{number:010d}"


def customers(caller, **params) -> dict:
    response = caller.get("/api/v1/customers", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_delivery_opens_a_customer_file_with_the_car_and_its_first_service_due(as_role, deliver) -> None:
    deliver(order_id="o-1", delivered_at=datetime(2025, 1, 10, 10, 0, tzinfo=BEIJING), consultant_id="c7")
    [customer] = customers(as_role(*AFTER_SALES))["items"]
    # Bought over 12 months before today (2026-12): the grade counts the last 12 months' spend only, 0.00.
    assert (customer["name"], customer["phone"], customer["grade"]) == ("Wang Lei", "13812345678", "other")
    assert (customer["total_spent"], customer["spend_12m"], customer["source"]) == ("189900.00", "0.00", "sale")
    [car] = customer["vehicles"]
    assert car["vin"] == VIN and car["model"] == "Aurora" and car["order_id"] == "o-1"
    assert car["plate"] is None and car["consultant_id"] == "c7"
    assert car["delivered_on"] == "2025-01-10"
    assert (car["next_due_on"], car["next_due_km"]) == ("2025-07-10", 5000)


def test_the_same_delivery_applied_twice_makes_one_file(as_role, deliver, outbox, delivery_event) -> None:
    event = delivery_event()
    deliver(event)
    deliver(event)
    deliver(delivery_event(order_id=event["data"]["order_id"]))  # a new envelope for the same order
    page = customers(as_role(*AFTER_SALES))
    assert page["total"] == 1 and len(page["items"][0]["vehicles"]) == 1
    assert [e["type"] for e in outbox()] == ["dealer.after_sales.customer.created.v1",
                                             "dealer.after_sales.return_visit.scheduled.v1"]


def test_a_second_car_for_the_same_phone_joins_the_existing_file(as_role, deliver, outbox) -> None:
    deliver(phone="13812345678", vin=vin_for(1))
    deliver(phone="+86 138-1234-5678", vin=vin_for(2), name="Wang L.")
    page = customers(as_role(*AFTER_SALES))
    assert page["total"] == 1
    customer = page["items"][0]
    assert [v["vin"] for v in customer["vehicles"]] == [vin_for(1), vin_for(2)]
    assert customer["total_spent"] == "379800.00" and customer["grade"] == "first"
    kinds = [e["type"] for e in outbox() if "return_visit" not in e["type"]]
    # 189,900 is second grade (150,000+); two cars, 379,800, reach first (300,000+): the file is regraded.
    assert kinds == ["dealer.after_sales.customer.created.v1", "dealer.after_sales.customer.graded.v1",
                     "dealer.after_sales.vehicle.added.v1"]  # graded in the delivery's transaction, then announced


def test_the_delivery_date_is_the_stores_local_date(as_role, deliver) -> None:
    deliver(delivered_at=datetime(2025, 3, 1, 17, 30, tzinfo=UTC))  # 01:30 on 2 March in Beijing
    [car] = customers(as_role(*AFTER_SALES))["items"][0]["vehicles"]
    assert car["delivered_on"] == "2025-03-02" and car["next_due_on"] == "2025-09-02"


@pytest.mark.parametrize(("role", "masked"), [("after_sales", False), ("sales_manager", False),
                                              ("consultant", True), ("ops", True)])
def test_phone_and_id_number_are_masked_for_every_role_but_after_sales_and_managers(
        as_role, deliver, role: str, masked: bool) -> None:
    deliver()
    caller = as_role(role, "u9")
    listed = customers(caller)["items"][0]
    detail = caller.get(f"/api/v1/customers/{listed['id']}").get_json()
    for view in (listed, detail):
        if masked:
            assert (view["phone"], view["id_number"]) == ("138****5678", "110101********4514")
        else:
            assert (view["phone"], view["id_number"]) == ("13812345678", "110101199003074514")


def test_customer_files_filter_by_phone_vin_grade_and_name_and_page(as_role, deliver) -> None:
    deliver(phone="13800000001", vin=vin_for(1), name="Wang Lei", price="520000.00")
    deliver(phone="13800000002", vin=vin_for(2), name="Li Na", price="120000.00")
    deliver(phone="13800000003", vin=vin_for(3), name="Zhang Wei", price="160000.00")
    caller = as_role(*AFTER_SALES)
    assert [c["name"] for c in customers(caller, phone="138-0000-0002")["items"]] == ["Li Na"]
    assert [c["name"] for c in customers(caller, vin=vin_for(3).lower())["items"]] == ["Zhang Wei"]
    assert [c["name"] for c in customers(caller, grade="vip")["items"]] == ["Wang Lei"]
    assert [c["name"] for c in customers(caller, grade="other")["items"]] == ["Li Na"]
    assert [c["name"] for c in customers(caller, name="wang")["items"]] == ["Wang Lei"]
    page = customers(caller, page=2, page_size=2)
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)


def test_bad_list_filters_are_422_naming_the_field(as_role) -> None:
    caller = as_role(*AFTER_SALES)
    for params, field in (({"phone": "12345"}, "phone"), ({"grade": "gold"}, "grade"), ({"vin": "SHORT"}, "vin"),
                          ({"page_size": 500}, "page_size")):
        response = caller.get("/api/v1/customers", query_string=params)
        assert response.status_code == 422 and field in response.get_json()["errors"], params


def test_the_plate_is_set_later_and_belongs_to_one_car(as_role, deliver) -> None:
    deliver(phone="13800000001", vin=vin_for(1))
    deliver(phone="13800000002", vin=vin_for(2))
    caller = as_role(*AFTER_SALES)
    first, second = sorted(customers(caller)["items"], key=lambda c: c["vehicles"][0]["vin"])
    url = f"/api/v1/customers/{first['id']}/vehicles/{vin_for(1)}/plate"
    response = caller.put(url, json={"plate": "京a·12345"})
    assert response.status_code == 200 and response.get_json()["plate"] == "京A12345"
    assert caller.put(url, json={"plate": "京A12345"}).status_code == 200  # setting it again changes nothing
    taken = caller.put(f"/api/v1/customers/{second['id']}/vehicles/{vin_for(2)}/plate", json={"plate": "京A12345"})
    assert taken.status_code == 409 and "already on file" in taken.get_json()["detail"]
    bad = caller.put(url, json={"plate": "ABC"})
    assert bad.status_code == 422 and "plate" in bad.get_json()["errors"]
    wrong_file = caller.put(f"/api/v1/customers/{second['id']}/vehicles/{vin_for(1)}/plate", json={"plate": "沪B1234D"})
    assert wrong_file.status_code == 404


def test_roles_decide_who_may_read_and_write_customer_files(as_role, deliver, client) -> None:
    deliver()
    customer_id = customers(as_role(*AFTER_SALES))["items"][0]["id"]
    url, plate = f"/api/v1/customers/{customer_id}/vehicles/{VIN}/plate", {"plate": "京A12345"}
    assert client.get("/api/v1/customers").status_code == 401
    assert as_role("inventory_clerk").get("/api/v1/customers").status_code == 403
    assert as_role("consultant").put(url, json=plate).status_code == 403
    assert as_role("ops").put(url, json=plate).status_code == 403
    assert as_role("sales_manager").put(url, json=plate).status_code == 200
    assert as_role(*AFTER_SALES).get("/api/v1/customers/no-such-file").status_code == 404


def test_delivery_events_carry_no_full_phone_or_id_number_and_conform_to_the_contract(deliver, outbox) -> None:
    deliver(vin=vin_for(1))
    deliver(vin=vin_for(2))
    found = outbox()
    assert {e["type"] for e in found} == {"dealer.after_sales.customer.created.v1",
                                          "dealer.after_sales.vehicle.added.v1",
                                          "dealer.after_sales.customer.graded.v1",
                                          "dealer.after_sales.return_visit.scheduled.v1"}
    for event in found:
        assert contract_errors(event) == [], event
        assert "13812345678" not in str(event) and "110101199003074514" not in str(event)
    assert found[0]["data"]["phone_masked"] == "138****5678"

"""The model catalogue (车型目录) and each car's model class (车型大类), over the real database."""
from __future__ import annotations

from contracts import contract_errors

CAR = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "cost": "171000.00",
       "kind": "stock", "location": "main"}


def test_a_car_received_without_a_class_takes_its_models_class_from_the_catalogue(clerk, receive) -> None:
    assert clerk.put("/api/v1/models/Aurora", json={"model_class": "SUV"}).status_code == 200
    car = receive(model="Aurora")
    assert car["model_class"] == "SUV"
    assert clerk.get(f"/api/v1/vehicles/{car['vin']}").get_json()["model_class"] == "SUV"


def test_a_class_given_when_the_car_is_received_wins_over_the_catalogue(clerk, receive) -> None:
    clerk.put("/api/v1/models/Aurora", json={"model_class": "SUV"})
    car = receive(model="Aurora", model_class="NEV")
    assert car["model_class"] == "NEV"
    assert clerk.get("/api/v1/models").get_json()["items"][0]["model_class"] == "SUV"  # the catalogue keeps its own


def test_a_car_of_a_model_the_catalogue_does_not_know_has_no_class_and_is_listed_under_none(clerk, receive) -> None:
    unknown = receive(model="Comet")
    classed = receive(model="Aurora", model_class="sedan")
    assert unknown["model_class"] is None
    waiting = clerk.get("/api/v1/vehicles?model_class=none").get_json()
    assert (waiting["total"], waiting["items"][0]["vin"]) == (1, unknown["vin"])
    sedans = clerk.get("/api/v1/vehicles?model_class=sedan").get_json()
    assert (sedans["total"], sedans["items"][0]["vin"]) == (1, classed["vin"])
    assert clerk.get("/api/v1/vehicles?model_class=MPV").get_json()["total"] == 0


def test_classing_a_model_later_classes_only_its_cars_that_have_none_with_one_event(clerk, receive,
                                                                                    published) -> None:
    first, second = receive(model="Comet"), receive(model="Comet", inspect=False)
    own_class = receive(model="Comet", model_class="MPV")
    other_model = receive(model="Aurora")
    answer = clerk.put("/api/v1/models/Comet", json={"model_class": "sedan"})
    assert answer.status_code == 200
    entry = answer.get_json()
    assert (entry["model"], entry["model_class"], entry["set_by"], entry["vehicles_classed"]) == (
        "Comet", "sedan", "k1", 2)
    assert entry["set_at"].endswith("+08:00")  # the store's zone (Asia/Shanghai)
    classes = {vin: clerk.get(f"/api/v1/vehicles/{vin}").get_json()["model_class"]
               for vin in (first["vin"], second["vin"], own_class["vin"], other_model["vin"])}
    assert classes == {first["vin"]: "sedan", second["vin"]: "sedan", own_class["vin"]: "MPV",
                       other_model["vin"]: None}
    [classified] = published("inventory.model.classified")
    assert classified["subject"] == "Comet" and contract_errors(classified) == []
    assert {k: classified["data"][k] for k in ("model", "model_class", "set_by")} == {
        "model": "Comet", "model_class": "sedan", "set_by": "k1"}


def test_setting_the_class_a_model_already_has_changes_nothing_and_publishes_nothing(clerk, as_role,
                                                                                     published) -> None:
    clerk.put("/api/v1/models/Aurora", json={"model_class": "SUV"})
    again = as_role("sales_manager", "m1").put("/api/v1/models/Aurora", json={"model_class": "SUV"}).get_json()
    assert (again["set_by"], again["vehicles_classed"]) == ("k1", 0)
    assert len(published("inventory.model.classified")) == 1
    moved = as_role("sales_manager", "m1").put("/api/v1/models/Aurora", json={"model_class": "NEV"}).get_json()
    assert (moved["model_class"], moved["set_by"]) == ("NEV", "m1")
    listed = clerk.get("/api/v1/models").get_json()
    assert listed["total"] == 1 and listed["items"][0]["model_class"] == "NEV"
    assert len(published("inventory.model.classified")) == 2


def test_a_class_outside_the_list_is_422_naming_model_class(clerk, new_vin) -> None:
    for bad in ("Truck", "suv", "", None, 3):
        put = clerk.put("/api/v1/models/Aurora", json={"model_class": bad})
        assert put.status_code == 422 and put.mimetype == "application/problem+json", bad
        assert "model_class" in put.get_json()["errors"], bad
    assert "model_class" in clerk.put("/api/v1/models/Aurora", json={}).get_json()["errors"]
    vin = new_vin()
    received = clerk.post("/api/v1/vehicles", json={**CAR, "vin": vin, "model_class": "Truck"})
    assert received.status_code == 422 and "model_class" in received.get_json()["errors"]
    assert clerk.get(f"/api/v1/vehicles/{vin}").status_code == 404
    listed = clerk.get("/api/v1/vehicles?model_class=Truck")
    assert listed.status_code == 422 and "model_class" in listed.get_json()["errors"]
    assert clerk.get("/api/v1/models").get_json()["total"] == 0


def test_only_the_manager_and_the_clerk_set_the_catalogue_and_every_department_reads_it(as_role) -> None:
    body = {"model_class": "SUV"}
    assert as_role("sales_manager", "m1").put("/api/v1/models/Aurora", json=body).status_code == 200
    assert as_role("inventory_clerk", "k1").put("/api/v1/models/Comet", json=body).status_code == 200
    for role in ("consultant", "back_office", "after_sales", "ops", "service", "online_sales"):
        assert as_role(role, "x1").put("/api/v1/models/Aurora", json=body).status_code == 403, role
    for role in ("consultant", "back_office", "service"):
        assert as_role(role, "x1").get("/api/v1/models").get_json()["total"] == 2, role
    assert as_role("online_sales", "d1").get("/api/v1/models").status_code == 403
    assert as_role("sales_manager", "m1").client.put("/api/v1/models/Aurora", json=body).status_code == 401


def test_a_cars_events_carry_its_class_from_arrival_to_delivery(clerk, receive, place, deliver_event,
                                                               published) -> None:
    clerk.put("/api/v1/models/Aurora", json={"model_class": "SUV"})
    vin = receive(model="Aurora")["vin"]
    place("O-1")
    deliver_event("orders.order.delivered", "O-1", vin=vin)
    for key in ("inventory.vehicle.received", "inventory.vehicle.reserved", "inventory.vehicle.delivered"):
        [event] = published(key)
        assert event["data"]["model_class"] == "SUV" and contract_errors(event) == [], event


def test_a_released_car_of_an_unclassed_model_says_its_class_is_null(receive, place, deliver_event,
                                                                      published) -> None:
    vin = receive(model="Aurora")["vin"]
    place("O-1")
    deliver_event("orders.order.cancelled", "O-1", vin=vin, cancelled_at=None)
    [received], [released] = published("inventory.vehicle.received"), published("inventory.vehicle.released")
    assert received["data"]["model_class"] is None and released["data"]["model_class"] is None
    assert contract_errors(received) == [] and contract_errors(released) == []

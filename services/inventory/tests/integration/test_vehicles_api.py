"""Arrival, inspection, kinds, transfers, keys and the stock report, over the real database."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts import contract_errors

CAR = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white", "msrp": "199900.00", "cost": "171000.00",
       "kind": "stock", "location": "main"}


def test_a_car_received_waits_for_inspection_and_is_counted_from_now(clerk) -> None:
    response = clerk.post("/api/v1/vehicles", json={**CAR, "vin": "lsvau2182n2183290"})
    assert response.status_code == 201
    car = response.get_json()
    assert car["vin"] == "LSVAU2182N2183290" and car["status"] == "pending_inspection"
    assert car["msrp"] == "199900.00" and car["stock_age_days"] == 0 and car["received_by"] == "k1"


def test_a_vin_with_a_wrong_check_digit_is_422_naming_the_vin_and_nothing_is_stored(clerk) -> None:
    response = clerk.post("/api/v1/vehicles", json={**CAR, "vin": "LSVAU2183N2183290"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert "LSVAU2183N2183290" in problem["detail"] and "check digit" in problem["detail"]
    assert "should be '2'" in problem["errors"]["vin"][0]
    assert clerk.get("/api/v1/vehicles/LSVAU2183N2183290").status_code == 404
    assert clerk.get("/api/v1/vehicles").get_json()["total"] == 0


def test_a_vin_of_the_wrong_length_or_with_i_o_q_is_422_saying_why(clerk) -> None:
    short = clerk.post("/api/v1/vehicles", json={**CAR, "vin": "LSVAU2182N218329"}).get_json()
    assert "must be 17 characters, got 16" in short["errors"]["vin"][0]
    with_o = clerk.post("/api/v1/vehicles", json={**CAR, "vin": "LSVAU2182N21832O0"}).get_json()
    assert "I, O and Q are not allowed" in with_o["errors"]["vin"][0]


def test_a_vin_already_known_is_409(new_vin, clerk) -> None:
    vin = new_vin()
    assert clerk.post("/api/v1/vehicles", json={**CAR, "vin": vin}).status_code == 201
    again = clerk.post("/api/v1/vehicles", json={**CAR, "vin": vin.lower(), "color": "black"})
    assert again.status_code == 409 and again.get_json()["vin"] == vin
    assert clerk.get(f"/api/v1/vehicles/{vin}").get_json()["color"] == "white"


def test_bad_input_names_the_field_and_only_clerks_receive_cars(new_vin, clerk, as_role) -> None:
    bad = clerk.post("/api/v1/vehicles", json={**CAR, "vin": new_vin(), "msrp": 199900.5, "kind": "rental"})
    assert bad.status_code == 422 and {"msrp", "kind"} <= set(bad.get_json()["errors"])
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    assert clerk.post("/api/v1/vehicles", json={**CAR, "vin": new_vin(), "arrived_at": future}).status_code == 422
    consultant = as_role("consultant", "c1")
    assert consultant.post("/api/v1/vehicles", json={**CAR, "vin": new_vin()}).status_code == 403
    assert consultant.get("/api/v1/vehicles").status_code == 200


def test_a_nul_or_control_character_in_a_name_is_422_naming_the_field_never_a_500(new_vin, clerk, receive) -> None:
    # a NUL anywhere is refused before the schema (the web kernel: PostgreSQL cannot store one), naming its field
    nul = clerk.post("/api/v1/vehicles", json={**CAR, "vin": new_vin(), "model": "Aurora\u0000"})
    assert nul.status_code == 422 and list(nul.get_json()["errors"]) == ["model"]
    bad = clerk.post("/api/v1/vehicles", json={**CAR, "vin": new_vin(), "model": "Aurora\t", "color": "w\nx"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"model", "color"}
    vin = receive()["vin"]
    moved = clerk.post(f"/api/v1/vehicles/{vin}/transfers", json={"to_location": "east\u0000", "note": "a\nb"})
    assert moved.status_code == 422 and list(moved.get_json()["errors"]) == ["to_location"]  # a note may break lines


def test_passing_inspection_makes_a_car_available(receive) -> None:
    assert receive()["status"] == "available"


def test_a_failed_inspection_puts_the_car_on_hold_and_a_reinspection_can_pass_it(receive, clerk) -> None:
    vin = receive(inspect=False)["vin"]
    url = f"/api/v1/vehicles/{vin}/inspection"
    failed = clerk.post(url, json={"passed": False, "notes": "scratch on rear door"}).get_json()
    assert failed["status"] == "on_hold" and failed["inspection_notes"] == "scratch on rear door"
    assert clerk.post(url, json={"passed": True, "notes": "repainted"}).get_json()["status"] == "available"
    again = clerk.post(url, json={"passed": True})
    assert again.status_code == 409 and "is available" in again.get_json()["detail"]


def test_a_failed_inspection_without_notes_is_422(receive, clerk) -> None:
    vin = receive(inspect=False)["vin"]
    response = clerk.post(f"/api/v1/vehicles/{vin}/inspection", json={"passed": False})
    assert response.status_code == 422 and "notes" in response.get_json()["errors"]


def test_another_department_reads_a_cars_kind_with_a_service_token(new_vin, receive, as_role) -> None:
    fleet = receive(kind="test_drive")
    seen = as_role("service", "leads").get(f"/api/v1/vehicles/{fleet['vin']}")
    assert seen.status_code == 200 and seen.get_json()["kind"] == "test_drive"
    assert as_role("service", "leads").get(f"/api/v1/vehicles/{new_vin()}").status_code == 404


def test_a_transfer_moves_the_car_and_keeps_its_stock_age(receive, clerk) -> None:
    arrived = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    vin = receive(arrived_at=arrived)["vin"]
    moved = clerk.post(f"/api/v1/vehicles/{vin}/transfers", json={"to_location": "east"})
    assert moved.status_code == 201 and moved.get_json()["from_location"] == "main"
    car = clerk.get(f"/api/v1/vehicles/{vin}").get_json()
    assert car["location"] == "east" and car["stock_age_days"] == 45
    report = clerk.get("/api/v1/stock").get_json()
    assert report["items"][0]["ageing"] == {"0-30": 0, "31-60": 1, "61-90": 0, "over_90": 0}
    assert clerk.post(f"/api/v1/vehicles/{vin}/transfers", json={"to_location": "east"}).status_code == 409


def test_keys_go_to_one_holder_at_a_time_and_come_back_only_from_them(receive, as_role) -> None:
    vin = receive()["vin"]
    desk, url = as_role("back_office", "b1"), f"/api/v1/vehicles/{vin}/keys"
    issued = desk.post(url, json={"action": "issue", "holder": "c1", "purpose": "test drive"})
    assert issued.status_code == 201
    twice = desk.post(url, json={"action": "issue", "holder": "c2"})
    assert twice.status_code == 409 and "already out with c1" in twice.get_json()["detail"]
    assert desk.post(url, json={"action": "return", "holder": "c2"}).status_code == 409
    assert desk.post(url, json={"action": "return", "holder": "c1"}).status_code == 201
    assert desk.get(f"/api/v1/vehicles/{vin}").get_json()["key_holder"] is None
    assert [m["action"] for m in desk.get(url).get_json()] == ["issue", "return"]
    assert as_role("consultant", "c1").post(url, json={"action": "issue", "holder": "c1"}).status_code == 403


def test_stock_counts_per_model_trim_colour_by_status_and_ageing_buckets(receive, clerk) -> None:
    now = datetime.now(UTC)
    for days in (0, 40, 75, 120):
        receive(arrived_at=(now - timedelta(days=days)).isoformat())
    receive(color="black", inspect=False)
    receive(kind="test_drive")
    report = clerk.get("/api/v1/stock").get_json()
    black, white, fleet_line = report["items"]  # sale stock's lines first, then the fleet's own
    assert (white["color"], white["on_hand"], white["by_status"]["available"]) == ("white", 4, 4)
    assert white["ageing"] == {"0-30": 1, "31-60": 1, "61-90": 1, "over_90": 1}
    assert black["by_status"]["pending_inspection"] == 1 and report["totals"]["on_hand"] == 5
    assert (fleet_line["kind"], fleet_line["on_hand"]) == ("test_drive", 1)
    fleet = clerk.get("/api/v1/stock?kind=test_drive").get_json()
    assert fleet["totals"]["on_hand"] == 1


def test_every_event_of_a_car_conforms_to_the_contract(receive, clerk, published) -> None:
    vin = receive(inspect=False)["vin"]
    clerk.post(f"/api/v1/vehicles/{vin}/inspection", json={"passed": False, "notes": "dent"})
    clerk.post(f"/api/v1/vehicles/{vin}/inspection", json={"passed": True})
    clerk.post(f"/api/v1/vehicles/{vin}/transfers", json={"to_location": "east"})
    clerk.post(f"/api/v1/vehicles/{vin}/keys", json={"action": "issue", "holder": "c1"})
    clerk.post(f"/api/v1/vehicles/{vin}/keys", json={"action": "return", "holder": "c1"})
    found = published()
    assert [e["type"].split(".", 1)[1] for e in found] == [
        "inventory.vehicle.received.v1", "inventory.vehicle.inspected.v1", "inventory.vehicle.inspected.v1",
        "inventory.vehicle.transferred.v1", "inventory.key.issued.v1", "inventory.key.returned.v1"]
    for event in found:
        assert event["subject"] == vin and contract_errors(event) == [], event

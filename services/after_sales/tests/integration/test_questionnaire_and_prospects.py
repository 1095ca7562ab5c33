"""The return-visit questionnaire (问卷: CSI, would-recommend) and complaints from anyone with a phone (潜客)."""
from __future__ import annotations

from contracts import contract_errors

VIN = "LSVAU2182N2183290"


def delivery_visit(as_role, deliver, consultant_id: str = "c7") -> tuple[object, dict]:
    deliver(consultant_id=consultant_id)
    coordinator = as_role("after_sales", "a1")
    [visit] = coordinator.get("/api/v1/return-visits", query_string={"to": "2100-01-01"}).get_json()["items"]
    return coordinator, visit


def complete(caller, visit_id: str, **body):
    return caller.post(f"/api/v1/return-visits/{visit_id}/complete", json=body)


def completed_events(outbox) -> list[dict]:
    return [e for e in outbox() if e["type"] == "dealer.after_sales.return_visit.completed.v1"]


def test_csi_is_the_mean_of_the_three_answers_and_the_event_names_who_sold_the_car(as_role, deliver,
                                                                                  outbox) -> None:
    coordinator, visit = delivery_visit(as_role, deliver)
    answers = {"sales_process": 5, "delivery": 4, "facility": 4, "recommend": 9}
    done = complete(coordinator, visit["id"], answers=answers, feedback="good")
    assert done.status_code == 200, done.get_json()
    # (5 + 4 + 4) / 3 = 4.333.. -> 4.33; no satisfaction given: the CSI rounded, 4.
    assert (done.get_json()["csi"], done.get_json()["satisfaction"]) == ("4.33", 4)
    assert done.get_json()["answers"] == answers and done.get_json()["complaint_id"] is None
    [event] = completed_events(outbox)
    assert event["data"]["answers"] == answers and event["data"]["csi"] == 4.33
    assert event["data"]["consultant_id"] == "c7" and contract_errors(event) == []


def test_a_satisfaction_given_with_the_answers_is_kept_as_given(as_role, deliver) -> None:
    coordinator, visit = delivery_visit(as_role, deliver)
    done = complete(coordinator, visit["id"], satisfaction=5,
                    answers={"sales_process": 4, "delivery": 4, "facility": 3, "recommend": 7})
    # (4 + 4 + 3) / 3 = 3.666.. -> 3.67, the satisfaction stays the 5 given.
    assert (done.get_json()["csi"], done.get_json()["satisfaction"]) == ("3.67", 5)


def test_a_questionnaire_averaging_2_or_less_opens_a_complaint(as_role, deliver) -> None:
    coordinator, visit = delivery_visit(as_role, deliver)
    done = complete(coordinator, visit["id"], answers={"sales_process": 2, "delivery": 2, "facility": 3,
                                                       "recommend": 3})
    # (2 + 2 + 3) / 3 = 2.33 -> satisfaction 2: an unhappy call, which opens a complaint.
    assert (done.get_json()["csi"], done.get_json()["satisfaction"]) == ("2.33", 2)
    assert done.get_json()["complaint_id"]


def test_a_visit_without_a_score_or_with_answers_out_of_range_is_422_naming_the_answer(as_role, deliver) -> None:
    coordinator, visit = delivery_visit(as_role, deliver)
    good = {"sales_process": 5, "delivery": 5, "facility": 5, "recommend": 10}
    cases = [({}, "satisfaction"), ({"answers": {**good, "facility": 6}}, "answers.facility"),
             ({"answers": {**good, "recommend": 11}}, "answers.recommend"),
             ({"answers": {**good, "sales_process": 0}}, "answers.sales_process"),
             ({"answers": {k: v for k, v in good.items() if k != "delivery"}}, "answers.delivery"),
             ({"answers": {**good, "recommend": "9"}}, "answers.recommend")]
    for body, field in cases:
        response = complete(coordinator, visit["id"], **body)
        assert response.status_code == 422 and field in response.get_json()["errors"], (body, response.get_json())


def prospect_complaint(caller, **fields):
    return caller.post("/api/v1/complaints", json={"phone": "13700001234", "name": "Sun Li", "category": "price",
                                                   "severity": "medium", "description": "quoted 3,000 more",
                                                   **fields})


def test_a_caller_without_a_file_complains_as_a_prospect(as_role, outbox) -> None:
    opened = prospect_complaint(as_role("after_sales", "a1"))
    assert opened.status_code == 201, opened.get_json()
    complaint = opened.get_json()
    assert (complaint["prospect"], complaint["customer_id"], complaint["contact_name"]) == (True, None, "Sun Li")
    assert complaint["phone"] == "13700001234"
    ops = as_role("ops", "o1").get(f"/api/v1/complaints/{complaint['id']}").get_json()
    assert ops["phone"] == "137****1234"
    listed = as_role("ops", "o1").get("/api/v1/complaints", query_string={"prospect": "true"}).get_json()
    assert [c["id"] for c in listed["items"]] == [complaint["id"]]
    [event] = [e for e in outbox() if e["type"] == "dealer.after_sales.complaint.opened.v1"]
    assert event["data"]["prospect"] is True and "customer_id" not in event["data"]
    assert "13700001234" not in str(event) and "Sun Li" not in str(event) and contract_errors(event) == []


def test_a_complaint_by_phone_from_a_customer_on_file_goes_on_their_file(as_role, deliver) -> None:
    deliver(phone="13700001234")
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    complaint = prospect_complaint(coordinator, vin=VIN).get_json()
    assert (complaint["prospect"], complaint["customer_id"], complaint["vin"]) == (False, customer_id, VIN)


def test_a_complaint_names_exactly_one_complainant_and_a_prospect_no_car(as_role) -> None:
    coordinator = as_role("after_sales", "a1")
    both = prospect_complaint(coordinator, customer_id="someone")
    neither = coordinator.post("/api/v1/complaints", json={"category": "price", "severity": "low",
                                                           "description": "x"})
    bad_phone = prospect_complaint(coordinator, phone="12345")
    with_car = prospect_complaint(coordinator, vin=VIN)
    for response, field in ((both, "customer_id"), (neither, "customer_id"), (bad_phone, "phone"), (with_car, "vin")):
        assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()

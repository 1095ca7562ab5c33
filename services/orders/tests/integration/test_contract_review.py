"""Contract review (审核) by the back office on every contract, a manager's approval only over the discount limit.

The example order: 199900.00 guide price - 189900.00 deal price = 10000.00 off, over the 5000.00 limit.
"""
from __future__ import annotations

from contracts import contract_errors


def test_a_passed_review_within_the_limit_approves_the_contract_with_both_events(reserved, consultant,
                                                                                 back_office, published) -> None:
    order_id = reserved(price="196000.00")  # 199900.00 - 196000.00 = 3900.00 off, within 5000.00
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    reviewed = back_office.post(f"/api/v1/orders/{order_id}/contract/review", json={"passed": True, "notes": "ok"})
    assert reviewed.status_code == 200
    contract = reviewed.get_json()
    assert (contract["status"], contract["order_status"], contract["needs_manager_approval"]) == (
        "approved", "contracted", False)
    assert (contract["reviewed_by"], contract["review_passed"], contract["approved_by"]) == ("b1", True, "b1")
    [review] = published("orders.contract.reviewed")
    assert (review["data"]["passed"], review["data"]["needs_manager_approval"]) == (True, False)
    [approval] = published("orders.contract.approved")
    assert (approval["data"]["approver_role"], approval["data"]["discount"]) == ("back_office", "3900.00")
    assert contract_errors(review) == [] and contract_errors(approval) == []


def test_over_the_limit_a_passed_review_waits_for_a_manager_who_then_approves(reserved, consultant, back_office,
                                                                              manager, published) -> None:
    order_id = reserved()
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    reviewed = back_office.post(f"/api/v1/orders/{order_id}/contract/review", json={"passed": True}).get_json()
    assert (reviewed["status"], reviewed["order_status"], reviewed["needs_manager_approval"]) == (
        "reviewed", "reserved", True)
    assert published("orders.contract.approved") == []
    assert published("orders.contract.reviewed")[0]["data"]["needs_manager_approval"] is True
    approved = manager.post(f"/api/v1/orders/{order_id}/contract/approve").get_json()
    assert (approved["status"], approved["order_status"], approved["approved_by"]) == ("approved", "contracted", "m1")
    assert published("orders.contract.approved")[0]["data"]["approver_role"] == "sales_manager"


def test_a_manager_cannot_approve_before_the_back_offices_review(reserved, consultant, manager, published) -> None:
    order_id = reserved()
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    refused = manager.post(f"/api/v1/orders/{order_id}/contract/approve")
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "has not passed the contract's review" in refused.get_json()["detail"]
    assert published("orders.contract.approved") == []


def test_a_failed_review_says_why_keeps_the_contract_drafted_and_masks_numbers_in_its_event(
        reserved, consultant, back_office, published) -> None:
    order_id = reserved(price="196000.00")
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    silent = back_office.post(f"/api/v1/orders/{order_id}/contract/review", json={"passed": False})
    assert silent.status_code == 422 and "notes" in silent.get_json()["errors"]
    notes = "ID copy unreadable, call 13812345678"
    failed = back_office.post(f"/api/v1/orders/{order_id}/contract/review", json={"passed": False, "notes": notes})
    assert (failed.get_json()["status"], failed.get_json()["review_passed"]) == ("drafted", False)
    [event] = published("orders.contract.reviewed")
    assert event["data"]["passed"] is False and event["data"]["notes"] == "ID copy unreadable, call 138****5678"
    again = back_office.post(f"/api/v1/orders/{order_id}/contract/review", json={"passed": True})
    assert again.get_json()["status"] == "approved"


def test_no_one_reviews_or_approves_the_contract_of_an_order_they_placed(as_role, body, inventory_says) -> None:
    manager = as_role("sales_manager", "m1")
    placed = manager.post("/api/v1/orders", json=body(consultant_id="c1")).get_json()["id"]
    inventory_says("inventory.vehicle.reserved", placed, vin="LSVAU2182N2183290", at="2026-11-22T10:00:00+00:00")
    manager.post(f"/api/v1/orders/{placed}/contract")
    as_role("back_office", "b1").post(f"/api/v1/orders/{placed}/contract/review", json={"passed": True})
    refused = manager.post(f"/api/v1/orders/{placed}/contract/approve")
    assert refused.status_code == 403 and "m1 placed or sells order" in refused.get_json()["detail"]
    assert as_role("sales_manager", "m2").post(f"/api/v1/orders/{placed}/contract/approve").status_code == 200


def test_only_the_back_office_reviews_and_bad_input_names_the_field(reserved, consultant, manager,
                                                                    back_office) -> None:
    order_id = reserved()
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    url = f"/api/v1/orders/{order_id}/contract/review"
    assert consultant.post(url, json={"passed": True}).status_code == 403
    assert manager.post(url, json={"passed": True}).status_code == 403
    for bad in ({}, {"passed": "yes"}, {"passed": True, "notes": "x" * 1001}):
        refused = back_office.post(url, json=bad)
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json", bad
    assert back_office.post("/api/v1/orders/nope/contract/review", json={"passed": True}).status_code == 404


def test_a_contract_not_drafted_cannot_be_reviewed(reserved, back_office) -> None:
    refused = back_office.post(f"/api/v1/orders/{reserved()}/contract/review", json={"passed": True})
    assert refused.status_code == 409 and "no drafted contract to review" in refused.get_json()["detail"]

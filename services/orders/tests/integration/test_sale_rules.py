"""Contract, payments, delivery and cancellation: each rule holds, or a 409 says why and nothing changes."""
from __future__ import annotations

from contracts import contract_errors
from dealer_testing import DEFAULT_SECRET, token
from orders.app import create_app

ALL_PASSED = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}


def test_the_whole_paper_trail_ends_delivered_with_what_after_sales_needs(reserved, consultant, manager,
                                                                          back_office, insure, published) -> None:
    order_id = reserved()
    drafted = consultant.post(f"/api/v1/orders/{order_id}/contract")
    assert drafted.status_code == 201 and drafted.get_json()["status"] == "drafted"
    reviewed = back_office.post(f"/api/v1/orders/{order_id}/contract/review", json={"passed": True}).get_json()
    assert (reviewed["status"], reviewed["needs_manager_approval"]) == ("reviewed", True)
    approved = manager.post(f"/api/v1/orders/{order_id}/contract/approve").get_json()
    assert (approved["status"], approved["order_status"], approved["discount"]) == ("approved", "contracted",
                                                                                    "10000.00")
    balance = back_office.post(f"/api/v1/orders/{order_id}/payments",
                               json={"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
    assert balance.get_json()["outstanding"] == "0.00" and balance.get_json()["order_status"] == "paid"
    insure(order_id)
    delivered = consultant.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": ALL_PASSED})
    assert delivered.status_code == 200 and delivered.get_json()["status"] == "delivered"
    [event] = published("orders.order.delivered")
    assert event["subject"] == order_id
    assert event["data"]["customer"] == {"name": "Wang Lei", "phone": "13812345678",
                                         "id_number": "110101199003074514"}
    assert (event["data"]["vin"], event["data"]["model"]) == ("LSVAU2182N2183290", "Aurora")
    assert event["data"]["delivered_at"]


def test_the_back_office_alone_approving_a_discount_over_the_limit_is_409_and_nothing_changes(
        reserved, consultant, back_office, published) -> None:
    order_id = reserved()  # 199900.00 - 189900.00 = 10000.00 off, over the 5000.00 limit
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    refused = back_office.post(f"/api/v1/orders/{order_id}/contract/approve")
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "discount 10000.00 exceeds the consultant's limit 5000.00" in refused.get_json()["detail"]
    order = consultant.get(f"/api/v1/orders/{order_id}").get_json()
    assert (order["status"], order["contract"]["status"]) == ("reserved", "drafted")
    assert published("orders.contract.approved") == []


def test_a_consultant_no_longer_approves_contracts(reserved, consultant) -> None:
    order_id = reserved(price="196000.00")  # 3900.00 off, within the limit
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    refused = consultant.post(f"/api/v1/orders/{order_id}/contract/approve")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_a_higher_discount_limit_set_in_the_environment_lets_the_back_office_approve_alone(
        database_url, reserved, monkeypatch) -> None:
    order_id = reserved()  # a discount of 10000.00, over the default limit
    monkeypatch.setenv("ORDERS_CONSULTANT_DISCOUNT_LIMIT", "12000.00")
    client = create_app({"DATABASE_URL": database_url, "JWT_SECRET": DEFAULT_SECRET}).test_client()
    assert client.post(f"/api/v1/orders/{order_id}/contract", headers=token("consultant", "c1")).status_code == 201
    approved = client.post(f"/api/v1/orders/{order_id}/contract/approve", headers=token("back_office", "b1"))
    assert approved.status_code == 200 and approved.get_json()["order_status"] == "contracted"


def test_an_overpayment_is_refused_and_nothing_changes(reserved, back_office, published) -> None:
    order_id = reserved()
    refused = back_office.post(f"/api/v1/orders/{order_id}/payments",
                               json={"amount": "184900.01", "method": "bank_transfer", "kind": "balance"})
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "outstanding is 184900.00" in refused.get_json()["detail"]
    order = back_office.get(f"/api/v1/orders/{order_id}").get_json()
    assert order["paid_total"] == "5000.00" and len(order["payments"]) == 1
    assert len(published("orders.payment.received")) == 1


def test_payments_are_recorded_by_back_office_or_managers_in_exact_decimals(reserved, consultant,
                                                                            back_office) -> None:
    order_id = reserved(payment_method="loan")
    url = f"/api/v1/orders/{order_id}/payments"
    # a loan of 189900.00 - 5000.00 deposit - 0.30 paid below = 184899.70, applied and approved
    loan = {"lender": "Aurora Finance", "amount": "184899.70", "term_months": 36, "annual_rate": "3.85"}
    assert consultant.post(f"/api/v1/orders/{order_id}/loan", json=loan).status_code == 201
    assert back_office.post(f"/api/v1/orders/{order_id}/loan/decision", json={"approved": True}).status_code == 200
    assert consultant.post(url, json={"amount": "1.00", "method": "cash", "kind": "balance"}).status_code == 403
    floated = back_office.post(url, json={"amount": 0.1, "method": "cash", "kind": "balance"})
    assert floated.status_code == 422 and "amount" in floated.get_json()["errors"]
    for amount in ("0.10", "0.20"):
        back_office.post(url, json={"amount": amount, "method": "cash", "kind": "balance"})
    loan = back_office.post(url, json={"amount": "184899.70", "method": "lender", "kind": "loan_disbursement"})
    assert loan.status_code == 201 and loan.get_json()["paid_total"] == "189900.00"


def test_a_delivery_with_one_checklist_item_failed_is_409_and_nothing_changes(reserved, pay_off, consultant,
                                                                              published) -> None:
    order_id = reserved()
    pay_off(order_id)
    refused = consultant.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": {**ALL_PASSED, "fuel": False}})
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["failed"] == ["fuel"] and "fuel" in refused.get_json()["detail"]
    assert consultant.get(f"/api/v1/orders/{order_id}").get_json()["status"] == "paid"
    assert published("orders.order.delivered") == []
    unknown = consultant.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": {**ALL_PASSED, "wax": True}})
    assert unknown.status_code == 422


def test_delivery_needs_approved_contract_and_full_payment(reserved, consultant) -> None:
    order_id = reserved()
    refused = consultant.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": ALL_PASSED})
    assert refused.status_code == 409
    assert "the contract is not approved; 184900.00 is still outstanding" in refused.get_json()["detail"]


def test_a_contract_needs_a_settled_car_and_is_drafted_once(place, reserved, consultant) -> None:
    pending = place()["id"]
    early = consultant.post(f"/api/v1/orders/{pending}/contract")
    assert early.status_code == 409 and "it must be reserved or backordered" in early.get_json()["detail"]
    order_id = reserved()
    consultant.post(f"/api/v1/orders/{order_id}/contract")
    assert consultant.post(f"/api/v1/orders/{order_id}/contract").status_code == 409


def test_cancelling_before_approval_refunds_everything_paid(reserved, consultant, published) -> None:
    order_id = reserved()
    cancelled = consultant.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "changed mind"}).get_json()
    assert (cancelled["status"], cancelled["refund"], cancelled["forfeited"]) == ("cancelled", "5000.00", "0.00")
    [event] = published("orders.order.cancelled")
    assert event["data"]["vin"] == "LSVAU2182N2183290" and event["data"]["lead_id"] == "L-1"
    again = consultant.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "again"})
    assert again.status_code == 409 and "already cancelled" in again.get_json()["detail"]


def test_cancelling_after_approval_forfeits_the_deposit(reserved, manager, approve) -> None:
    order_id = reserved()
    approve(order_id)
    cancelled = manager.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "loan refused"}).get_json()
    assert (cancelled["refund"], cancelled["forfeited"]) == ("0.00", "5000.00")


def test_only_the_owner_or_the_desk_cancels_and_a_reason_is_required(reserved, as_role) -> None:
    order_id = reserved()
    url = f"/api/v1/orders/{order_id}/cancel"
    assert as_role("consultant", "c2").post(url, json={"reason": "x"}).status_code == 403
    assert as_role("consultant", "c1").post(url, json={"reason": ""}).status_code == 422
    assert as_role("back_office", "b1").post(url, json={"reason": "customer asked"}).status_code == 200


def test_a_delivered_order_cannot_be_cancelled(reserved, pay_off, consultant) -> None:
    order_id = reserved()
    pay_off(order_id)
    consultant.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": ALL_PASSED})
    refused = consultant.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "too late"})
    assert refused.status_code == 409 and "already delivered" in refused.get_json()["detail"]


def test_the_same_payment_sent_twice_with_one_idempotency_key_is_recorded_once(reserved, back_office) -> None:
    order_id = reserved()
    url, key = f"/api/v1/orders/{order_id}/payments", {"Idempotency-Key": "slip-0001"}
    payment = {"amount": "1000.00", "method": "cash", "kind": "balance"}
    first = back_office.post(url, json=payment, headers=key)
    second = back_office.post(url, json=payment, headers=key)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert back_office.get(f"/api/v1/orders/{order_id}").get_json()["paid_total"] == "6000.00"


def test_every_event_of_the_paper_trail_conforms_to_the_contract(reserved, pay_off, consultant, published) -> None:
    order_id = reserved()
    pay_off(order_id)
    consultant.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": ALL_PASSED})
    consultant.post(f"/api/v1/orders/{reserved()}/cancel", json={"reason": "changed mind"})
    assert {e["type"] for e in published()} >= {f"dealer.orders.{key}.v1" for key in (
        "order.placed", "order.confirmed", "contract.reviewed", "contract.approved", "insurance.arranged",
        "payment.received", "order.delivered",
        "order.cancelled")}
    for event in published():
        assert event["subject"] == event["data"]["order_id"] and contract_errors(event) == [], event


def test_no_token_is_401(client) -> None:
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get("/api/v1/orders", headers=token("ops", "o1")).status_code == 403

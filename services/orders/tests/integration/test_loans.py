"""Loans (贷款): applied, decided, disbursed as a payment at most the approved amount; the customer pays the rest.

The example order: price 189900.00, deposit 5000.00 taken with the order.
"""
from __future__ import annotations

from contracts import contract_errors

LOAN = {"lender": "Aurora Finance", "amount": "120000.00", "term_months": 36, "annual_rate": "3.85"}


def test_a_loan_order_is_paid_in_full_only_when_the_customers_share_and_the_disbursement_are_in(
        reserved, consultant, back_office, approve, published) -> None:
    order_id = reserved(payment_method="loan")
    approve(order_id)
    url = f"/api/v1/orders/{order_id}"
    applied = consultant.post(f"{url}/loan", json=LOAN)
    assert applied.status_code == 201 and applied.get_json()["status"] == "applied"
    decided = back_office.post(f"{url}/loan/decision", json={"approved": True, "amount": "100000.00"}).get_json()
    # the lender grants 100000.00: the customer's share is 189900.00 - 100000.00 = 89900.00
    assert (decided["status"], decided["approved_amount"], decided["customer_share"]) == (
        "approved", "100000.00", "89900.00")
    # 5000.00 deposit + 84900.00 = 89900.00, the whole share; a fen more is refused
    too_much = back_office.post(f"{url}/payments", json={"amount": "84900.01", "method": "cash", "kind": "balance"})
    assert too_much.status_code == 409 and "the customer's share is 89900.00" in too_much.get_json()["detail"]
    share = back_office.post(f"{url}/payments", json={"amount": "84900.00", "method": "cash", "kind": "balance"})
    assert share.get_json()["order_status"] == "contracted"  # 89900.00 paid of 189900.00: not yet
    over = back_office.post(f"{url}/loan/disburse", json={"amount": "100000.01"})
    assert over.status_code == 409 and "exceeds the approved loan 100000.00" in over.get_json()["detail"]
    disbursed = back_office.post(f"{url}/loan/disburse", json={})
    assert disbursed.status_code == 201 and disbursed.get_json()["disbursed_amount"] == "100000.00"
    order = back_office.get(url).get_json()
    assert (order["status"], order["paid_total"], order["outstanding"]) == ("paid", "189900.00", "0.00")
    payment = published("orders.payment.received")[-1]["data"]
    assert (payment["kind"], payment["amount"], payment["fully_paid"]) == ("loan_disbursement", "100000.00", True)
    keys = ("orders.loan.applied", "orders.loan.decided", "orders.loan.disbursed")
    for key in keys:
        [event] = published(key)
        assert contract_errors(event) == [] and event["subject"] == order_id, key
    assert published("orders.loan.decided")[0]["data"]["amount"] == "100000.00"


def test_a_disbursement_through_payments_follows_the_same_rule(reserved, consultant, back_office) -> None:
    order_id = reserved(payment_method="loan")
    url = f"/api/v1/orders/{order_id}/payments"
    early = back_office.post(url, json={"amount": "1000.00", "method": "lender", "kind": "loan_disbursement"})
    assert early.status_code == 409 and "no approved loan to disburse" in early.get_json()["detail"]
    consultant.post(f"/api/v1/orders/{order_id}/loan", json=LOAN)
    back_office.post(f"/api/v1/orders/{order_id}/loan/decision", json={"approved": True})
    paid = back_office.post(url, json={"amount": "120000.00", "method": "lender", "kind": "loan_disbursement"})
    assert paid.status_code == 201 and paid.get_json()["paid_total"] == "125000.00"  # 5000.00 + 120000.00
    loan = back_office.get(f"/api/v1/orders/{order_id}").get_json()["loan"]
    assert (loan["status"], loan["disbursed_amount"]) == ("disbursed", "120000.00")
    again = back_office.post(url, json={"amount": "1.00", "method": "lender", "kind": "loan_disbursement"})
    assert again.status_code == 409


def test_a_rejected_loan_may_be_followed_by_a_new_application(reserved, consultant, back_office,
                                                              published) -> None:
    order_id = reserved(payment_method="loan")
    url = f"/api/v1/orders/{order_id}/loan"
    consultant.post(url, json=LOAN)
    assert consultant.post(url, json=LOAN).status_code == 409  # one application at a time
    rejected = back_office.post(f"{url}/decision", json={"approved": False}).get_json()
    assert rejected["status"] == "rejected" and rejected["customer_share"] == "189900.00"
    decided = published("orders.loan.decided")[0]["data"]
    assert (decided["approved"], decided["amount"]) == (False, "0.00")
    assert consultant.post(url, json={**LOAN, "lender": "City Bank"}).status_code == 201


def test_a_cash_order_takes_no_loan_and_a_loan_is_at_most_what_is_owed(reserved, consultant) -> None:
    cash = consultant.post(f"/api/v1/orders/{reserved()}/loan", json=LOAN)
    assert cash.status_code == 409 and "paid in cash" in cash.get_json()["detail"]
    # owed: 189900.00 - 5000.00 deposit = 184900.00
    loan_order = reserved(payment_method="loan")
    over = consultant.post(f"/api/v1/orders/{loan_order}/loan", json={**LOAN, "amount": "184900.01"})
    assert over.status_code == 422 and over.get_json()["errors"] == {
        "amount": ["must not exceed what the customer still owes, 184900.00"]}


def test_bad_loan_input_is_422_naming_the_field(reserved, consultant, back_office, as_role) -> None:
    order_id = reserved(payment_method="loan")
    url = f"/api/v1/orders/{order_id}/loan"
    for field, value in (("annual_rate", 3.85), ("annual_rate", "36.01"), ("annual_rate", "3.85001"),
                         ("term_months", 0), ("term_months", "36"), ("amount", "-1.00"), ("lender", "")):
        refused = consultant.post(url, json={**LOAN, field: value})
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (field, value)
    assert as_role("consultant", "c2").post(url, json=LOAN).status_code == 403  # not their order
    consultant.post(url, json=LOAN)
    assert consultant.post(f"{url}/decision", json={"approved": True}).status_code == 403  # the lender's answer
    refused = back_office.post(f"{url}/decision", json={"approved": True, "amount": "120000.01"})
    assert refused.status_code == 422 and "amount" in refused.get_json()["errors"]
    assert back_office.post(f"{url}/disburse", json={"amount": "0.00"}).status_code == 422

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from orders import domain
from orders.domain import CHECKLIST_ITEMS, CancellationOutcome, PaymentRecorded
from shared.domain import DomainError, InvalidInput

D = Decimal
VIN = "LSVAU2182N2183290"
LIMIT = D("5000")
ALL_PASSED = dict.fromkeys(CHECKLIST_ITEMS, True)
MSRP, PRICE, DEPOSIT, NOTHING = D("150000.00"), D("140000.00"), D("5000.00"), D("0")


@dataclass
class FakeOrder:
    status: str = "pending"
    msrp: Decimal = MSRP
    price: Decimal = PRICE  # discount 10000, above the consultant's limit
    deposit: Decimal = DEPOSIT
    paid_total: Decimal = NOTHING
    vin: str | None = None
    contract_status: str | None = None
    payment_method: str = "cash"


def contracted(**changes: Any) -> FakeOrder:
    return FakeOrder(
        **{"status": "contracted", "vin": VIN, "contract_status": "approved", **changes}
    )


def paid() -> FakeOrder:
    return contracted(status="paid", paid_total=D("140000.00"))


# prices (报价单)


def test_a_price_below_msrp_with_a_smaller_deposit_is_a_valid_quote() -> None:
    domain.validate_prices(D("150000"), D("140000.00"), D("5000"))


def test_a_price_above_msrp_is_allowed() -> None:
    domain.validate_prices(D("150000"), D("155000"), D("0"))


@pytest.mark.parametrize("field", ["msrp", "price", "deposit"])
def test_no_amount_may_be_negative(field: str) -> None:
    amounts = {
        "msrp": D("150000"),
        "price": D("140000"),
        "deposit": D("5000"),
        field: D("-1"),
    }
    with pytest.raises(InvalidInput) as caught:
        domain.validate_prices(**amounts)
    assert caught.value.field == field


def test_the_deal_price_must_be_above_zero() -> None:
    with pytest.raises(InvalidInput, match="price: must be greater than 0"):
        domain.validate_prices(D("150000"), D("0"), D("0"))


def test_the_deposit_cannot_exceed_the_deal_price() -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.validate_prices(D("150000"), D("140000"), D("140000.01"))
    assert caught.value.field == "deposit"
    assert "140000.00" in caught.value.detail


def test_money_is_never_a_float() -> None:
    with pytest.raises(InvalidInput, match="price: must be a finite decimal"):
        domain.validate_prices(D("150000"), 140000.0, D("0"))  # type: ignore[arg-type]


def test_money_is_never_nan() -> None:
    with pytest.raises(InvalidInput, match="msrp: must be a finite decimal"):
        domain.validate_prices(D("NaN"), D("140000"), D("0"))


def test_money_has_at_most_two_decimal_places() -> None:
    with pytest.raises(
        InvalidInput, match="deposit: must have at most 2 decimal places"
    ):
        domain.validate_prices(D("150000"), D("140000"), D("0.001"))


def test_discount_is_msrp_minus_price_and_negative_above_msrp() -> None:
    assert domain.discount(FakeOrder()) == D("10000.00")
    assert domain.discount(FakeOrder(price=D("151000.00"))) == D("-1000.00")


# reservation and backorder (配车 / 等车)


def test_a_pending_order_is_reserved_with_its_car() -> None:
    order = FakeOrder()
    domain.mark_reserved(order, VIN)
    assert (order.status, order.vin) == ("reserved", VIN)


def test_a_backordered_order_is_reserved_when_its_car_arrives() -> None:
    order = FakeOrder(status="backordered", contract_status="drafted")
    domain.mark_reserved(order, VIN)
    assert (order.status, order.vin) == ("reserved", VIN)


def test_reserving_a_backordered_order_with_approved_contract_makes_it_contracted() -> (
    None
):
    order = FakeOrder(
        status="backordered", contract_status="approved", paid_total=D("5000.00")
    )
    domain.mark_reserved(order, VIN)
    assert order.status == "contracted"


def test_reserving_a_backordered_order_already_approved_and_paid_makes_it_paid() -> (
    None
):
    order = FakeOrder(
        status="backordered", contract_status="approved", paid_total=D("140000.00")
    )
    domain.mark_reserved(order, VIN)
    assert order.status == "paid"


@pytest.mark.parametrize(
    "status", ["reserved", "contracted", "paid", "delivered", "cancelled"]
)
def test_only_pending_or_backordered_orders_get_a_car_reserved(status: str) -> None:
    order = FakeOrder(status=status, vin="OLD")
    with pytest.raises(
        DomainError, match=f"that is {status}; it must be pending or backordered"
    ):
        domain.mark_reserved(order, VIN)
    assert order.vin == "OLD"


def test_a_reservation_must_name_the_car() -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.mark_reserved(FakeOrder(), " ")
    assert caught.value.field == "vin"


def test_a_pending_order_waits_for_a_car_when_none_is_in_stock() -> None:
    order = FakeOrder()
    domain.mark_backordered(order)
    assert order.status == "backordered"


@pytest.mark.parametrize(
    "status",
    ["reserved", "backordered", "contracted", "paid", "delivered", "cancelled"],
)
def test_only_pending_orders_can_be_backordered(status: str) -> None:
    with pytest.raises(DomainError, match="it must be pending"):
        domain.mark_backordered(FakeOrder(status=status))


# contract (合同)


@pytest.mark.parametrize("status", ["reserved", "backordered"])
def test_a_contract_is_drafted_once_the_car_is_reserved_or_backordered(
    status: str,
) -> None:
    order = FakeOrder(status=status)
    domain.draft_contract(order)
    assert (order.status, order.contract_status) == (status, "drafted")


@pytest.mark.parametrize(
    "status", ["pending", "contracted", "paid", "delivered", "cancelled"]
)
def test_a_contract_cannot_be_drafted_in_other_states(status: str) -> None:
    with pytest.raises(DomainError, match="it must be reserved or backordered"):
        domain.draft_contract(FakeOrder(status=status))


@pytest.mark.parametrize("contract_status", ["drafted", "approved"])
def test_a_contract_is_drafted_only_once(contract_status: str) -> None:
    with pytest.raises(DomainError, match=f"already {contract_status}"):
        domain.draft_contract(
            FakeOrder(status="reserved", contract_status=contract_status)
        )


# review (审核) and approval: FakeOrder's discount is 150000.00 - 140000.00 = 10000.00, over the 5000 limit


def within_limit(**changes: Any) -> FakeOrder:
    """A drafted contract with a discount of 150000.00 - 146000.00 = 4000.00, within the 5000 limit."""
    return FakeOrder(**{"status": "reserved", "vin": VIN, "contract_status": "drafted", "price": D("146000.00"),
                        **changes})


def test_a_passed_review_within_the_limit_approves_the_contract() -> None:
    order = within_limit()
    assert domain.review_contract(order, True, LIMIT) is True
    assert (order.status, order.contract_status) == ("contracted", "approved")


def test_a_passed_review_over_the_limit_waits_for_a_sales_manager() -> None:
    order = FakeOrder(status="reserved", vin=VIN, contract_status="drafted")
    assert domain.review_contract(order, True, LIMIT) is False
    assert (order.status, order.contract_status) == ("reserved", "reviewed")
    domain.approve_contract(order, "sales_manager", LIMIT)
    assert (order.status, order.contract_status) == ("contracted", "approved")


def test_a_failed_review_keeps_the_contract_drafted_for_another_review() -> None:
    order = within_limit()
    assert domain.review_contract(order, False, LIMIT) is False
    assert (order.status, order.contract_status) == ("reserved", "drafted")
    assert domain.review_contract(order, True, LIMIT) is True


def test_a_discount_exactly_at_the_limit_needs_no_manager() -> None:
    # 150000.00 - 145000.00 = 5000.00, not over the 5000 limit
    assert domain.needs_manager_approval(within_limit(price=D("145000.00")), LIMIT) is False
    assert domain.needs_manager_approval(within_limit(price=D("144999.99")), LIMIT) is True


def test_a_manager_approves_only_after_the_back_office_passed_the_review() -> None:
    order = FakeOrder(status="reserved", vin=VIN, contract_status="drafted")
    with pytest.raises(DomainError, match="has not passed the contract's review"):
        domain.approve_contract(order, "sales_manager", LIMIT)
    assert order.contract_status == "drafted"


def test_a_manager_has_nothing_to_approve_within_the_limit() -> None:
    with pytest.raises(DomainError, match="no manager approval is needed"):
        domain.approve_contract(within_limit(), "sales_manager", LIMIT)


def test_the_back_office_approving_within_the_limit_is_its_passed_review() -> None:
    order = within_limit()
    domain.approve_contract(order, "back_office", LIMIT)
    assert (order.status, order.contract_status) == ("contracted", "approved")


def test_the_back_office_alone_cannot_approve_a_discount_over_the_limit() -> None:
    order = FakeOrder(status="reserved", vin=VIN, contract_status="drafted")
    with pytest.raises(DomainError, match="discount 10000.00 exceeds the consultant's limit 5000.00"):
        domain.approve_contract(order, "back_office", LIMIT)
    assert order.contract_status == "drafted"


@pytest.mark.parametrize("role", ["consultant", "dcc", "inventory_clerk", "after_sales", "ops", ""])
def test_other_roles_cannot_approve_contracts(role: str) -> None:
    order = FakeOrder(status="reserved", vin=VIN, contract_status="reviewed")
    with pytest.raises(DomainError, match="cannot approve contracts"):
        domain.approve_contract(order, role, LIMIT)


@pytest.mark.parametrize("contract_status", [None, "approved"])
def test_only_a_contract_waiting_for_approval_can_be_approved(contract_status: str | None) -> None:
    order = FakeOrder(status="reserved", vin=VIN, contract_status=contract_status)
    with pytest.raises(DomainError, match="no contract waiting for approval"):
        domain.approve_contract(order, "sales_manager", LIMIT)


@pytest.mark.parametrize("contract_status", [None, "reviewed", "approved"])
def test_only_a_drafted_contract_is_reviewed(contract_status: str | None) -> None:
    with pytest.raises(DomainError, match="no drafted contract to review"):
        domain.review_contract(FakeOrder(status="reserved", contract_status=contract_status), True, LIMIT)


@pytest.mark.parametrize(
    "status", ["pending", "contracted", "paid", "delivered", "cancelled"]
)
def test_a_contract_is_approved_only_while_reserved_or_backordered(status: str) -> None:
    order = FakeOrder(status=status, contract_status="reviewed")
    with pytest.raises(DomainError, match=f"that is {status}"):
        domain.approve_contract(order, "sales_manager", LIMIT)


def test_approving_a_backordered_contract_waits_for_the_car() -> None:
    order = FakeOrder(status="backordered", contract_status="reviewed")
    domain.approve_contract(order, "sales_manager", LIMIT)
    assert (order.status, order.contract_status) == ("backordered", "approved")


def test_approving_a_contract_already_paid_in_full_makes_the_order_paid() -> None:
    order = FakeOrder(
        status="reserved", vin=VIN, contract_status="reviewed", paid_total=D("140000.00")
    )
    domain.approve_contract(order, "sales_manager", LIMIT)
    assert order.status == "paid"


# payments (交款单)


def test_a_deposit_is_added_to_the_paid_total() -> None:
    order = FakeOrder()
    assert domain.record_payment(order, D("5000.00"), "deposit") == PaymentRecorded(
        D("5000.00"), False
    )
    assert (order.paid_total, order.status) == (D("5000.00"), "pending")


def test_the_final_payment_on_a_contracted_order_makes_it_paid() -> None:
    order = contracted(paid_total=D("5000.00"))
    result = domain.record_payment(order, D("135000.00"), "balance")
    assert result == PaymentRecorded(D("140000.00"), True)
    assert order.status == "paid"


def test_full_payment_before_contract_approval_leaves_the_status_alone() -> None:
    order = FakeOrder(
        status="reserved", vin=VIN, contract_status="drafted", paid_total=D("5000.00")
    )
    assert domain.record_payment(order, D("135000.00"), "balance").fully_paid
    assert order.status == "reserved"


def test_a_loan_disbursement_pays_a_loan_order() -> None:
    order = contracted(payment_method="loan", paid_total=D("40000.00"))
    domain.record_payment(order, D("100000.00"), "loan_disbursement")
    assert order.status == "paid"


def test_a_cash_order_takes_no_loan_disbursement() -> None:
    order = contracted(paid_total=D("40000.00"))
    with pytest.raises(
        DomainError, match="needs a loan order; this one is paid by cash"
    ):
        domain.record_payment(order, D("100000.00"), "loan_disbursement")
    assert order.paid_total == D("40000.00")


def test_a_payment_may_not_overpay_the_order_and_says_what_is_outstanding() -> None:
    order = contracted(paid_total=D("130000.00"))
    with pytest.raises(DomainError, match="outstanding is 10000.00"):
        domain.record_payment(order, D("10000.01"), "balance")
    assert order.paid_total == D("130000.00")


def test_a_paid_order_takes_no_further_payment() -> None:
    with pytest.raises(DomainError, match="outstanding is 0.00"):
        domain.record_payment(paid(), D("1.00"), "balance")


def test_deposit_payments_cannot_exceed_the_agreed_deposit() -> None:
    order = FakeOrder(paid_total=D("3000.00"))
    with pytest.raises(DomainError, match="exceed the agreed deposit 5000.00"):
        domain.record_payment(order, D("2000.01"), "deposit")


@pytest.mark.parametrize("amount", ["0", "-100"])
def test_a_payment_must_be_positive(amount: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.record_payment(FakeOrder(), D(amount), "balance")
    assert caught.value.field == "amount"


def test_a_payment_is_never_a_float() -> None:
    with pytest.raises(InvalidInput, match="amount: must be a finite decimal"):
        domain.record_payment(FakeOrder(), 100.0, "balance")  # type: ignore[arg-type]


def test_a_payment_must_be_of_a_known_kind() -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.record_payment(FakeOrder(), D("100"), "tip")
    assert caught.value.field == "kind"


@pytest.mark.parametrize("status", ["delivered", "cancelled"])
def test_closed_orders_take_no_payment(status: str) -> None:
    with pytest.raises(DomainError, match=f"payment on an order that is {status}"):
        domain.record_payment(FakeOrder(status=status), D("100"), "balance")


# delivery (交车)


def test_a_paid_order_with_every_checklist_item_passed_is_delivered() -> None:
    order = paid()
    domain.deliver(order, ALL_PASSED, insured=True)
    assert order.status == "delivered"


def test_a_paid_order_without_compulsory_insurance_on_the_day_is_not_delivered() -> None:
    order = paid()
    with pytest.raises(DomainError, match="compulsory insurance policy"):
        domain.deliver(order, ALL_PASSED, insured=False)
    assert order.status == "paid"


def test_an_order_not_paid_in_full_cannot_be_delivered_and_says_what_is_missing() -> (
    None
):
    order = FakeOrder(
        status="reserved", vin=VIN, contract_status="drafted", paid_total=D("5000.00")
    )
    with pytest.raises(DomainError) as caught:
        domain.deliver(order, ALL_PASSED, insured=True)
    assert "contract is not approved" in caught.value.detail
    assert "135000.00 is still outstanding" in caught.value.detail
    assert order.status == "reserved"


@pytest.mark.parametrize(
    "status", ["pending", "backordered", "contracted", "delivered", "cancelled"]
)
def test_only_paid_orders_are_delivered(status: str) -> None:
    with pytest.raises(DomainError, match=f"cannot deliver an order that is {status}"):
        domain.deliver(FakeOrder(status=status), ALL_PASSED, insured=True)


def test_a_backordered_order_cannot_be_delivered_without_a_car() -> None:
    with pytest.raises(DomainError, match="no car is reserved"):
        domain.deliver(FakeOrder(status="backordered"), ALL_PASSED, insured=True)


def test_delivery_names_every_failed_and_missing_checklist_item() -> None:
    order = paid()
    checklist = {**ALL_PASSED, "fuel": False, "keys": False}
    del checklist["documents"]
    with pytest.raises(DomainError) as caught:
        domain.deliver(order, checklist, insured=True)
    assert "failed: fuel, keys; missing: documents" in caught.value.detail
    assert caught.value.extra == {"failed": ["fuel", "keys"], "missing": ["documents"]}
    assert order.status == "paid"


def test_an_empty_checklist_blocks_delivery() -> None:
    with pytest.raises(
        DomainError,
        match="missing: exterior, interior, fuel, accessories, documents, keys",
    ):
        domain.deliver(paid(), {}, insured=True)


# cancellation (退订)


@pytest.mark.parametrize("contract_status", [None, "drafted"])
def test_without_an_approved_contract_everything_paid_is_refunded(
    contract_status: str | None,
) -> None:
    order = FakeOrder(
        status="reserved",
        vin=VIN,
        contract_status=contract_status,
        paid_total=D("5000.00"),
    )
    outcome = domain.cancel(order, "customer changed mind")
    assert outcome == CancellationOutcome(
        refund=D("5000.00"), forfeited=D("0"), vin_to_release=VIN
    )
    assert order.status == "cancelled"


def test_after_contract_approval_the_deposit_is_forfeited_and_the_rest_refunded() -> (
    None
):
    order = contracted(paid_total=D("60000.00"))
    outcome = domain.cancel(order, "loan refused")
    assert outcome == CancellationOutcome(
        refund=D("55000.00"), forfeited=D("5000.00"), vin_to_release=VIN
    )


def test_only_the_deposit_actually_paid_can_be_forfeited() -> None:
    order = contracted(paid_total=D("2000.00"))
    assert domain.cancel(order, "moved abroad").forfeited == D("2000.00")


def test_a_paid_order_can_still_be_cancelled_before_delivery() -> None:
    outcome = domain.cancel(paid(), "customer complaint")
    assert (outcome.refund, outcome.forfeited) == (D("135000.00"), D("5000.00"))


@pytest.mark.parametrize("status", ["pending", "backordered"])
def test_cancelling_an_order_without_a_car_releases_nothing(status: str) -> None:
    outcome = domain.cancel(FakeOrder(status=status), "no longer needed")
    assert outcome == CancellationOutcome(
        refund=D("0"), forfeited=D("0"), vin_to_release=None
    )


@pytest.mark.parametrize("status", ["delivered", "cancelled"])
def test_delivered_or_cancelled_orders_cannot_be_cancelled(status: str) -> None:
    order = FakeOrder(status=status)
    with pytest.raises(DomainError, match=f"already {status}"):
        domain.cancel(order, "too late")
    assert order.status == status


def test_a_cancellation_must_give_a_reason() -> None:
    with pytest.raises(InvalidInput) as caught:
        domain.cancel(FakeOrder(), "")
    assert caught.value.field == "reason"

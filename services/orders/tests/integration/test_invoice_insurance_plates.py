"""Insurance before delivery (交强险), the invoice (发票) once paid in full, and the registration (上牌)."""
from __future__ import annotations

from datetime import date, timedelta

from contracts import contract_errors

ALL_PASSED = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}
TODAY = date.today()


def policy(kind: str, starts: int, ends: int, number: str) -> dict[str, str]:
    """A policy covering today + ``starts`` .. today + ``ends`` days."""
    return {"insurer": "PICC", "policy_no": number, "kind": kind, "premium": "950.00",
            "starts_on": (TODAY + timedelta(days=starts)).isoformat(),
            "ends_on": (TODAY + timedelta(days=ends)).isoformat()}


def test_delivery_needs_a_compulsory_policy_whose_cover_includes_the_delivery_day(
        reserved, approve, back_office, consultant, published) -> None:
    order_id = reserved()
    approve(order_id)
    back_office.post(f"/api/v1/orders/{order_id}/payments",
                     json={"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
    url = f"/api/v1/orders/{order_id}"
    for kind, starts, ends, number in (("commercial", -1, 364, "SYX-0001"), ("compulsory", 1, 365, "JQX-0001"),
                                       ("compulsory", -365, -1, "JQX-0002")):
        assert back_office.post(f"{url}/insurance", json=policy(kind, starts, ends, number)).status_code == 201
        refused = consultant.post(f"{url}/deliver", json={"checklist": ALL_PASSED})
        assert refused.status_code == 409 and "交强险" in refused.get_json()["detail"], number
    assert back_office.post(f"{url}/insurance", json=policy("compulsory", 0, 364, "JQX-0003")).status_code == 201
    assert consultant.post(f"{url}/deliver", json={"checklist": ALL_PASSED}).status_code == 200
    listed = consultant.get(f"{url}/insurance").get_json()
    assert sorted(p["policy_no"] for p in listed) == ["JQX-0001", "JQX-0002", "JQX-0003", "SYX-0001"]
    assert all(contract_errors(e) == [] for e in published("orders.insurance.arranged"))


def test_bad_policies_are_refused_naming_the_field(reserved, back_office) -> None:
    url = f"/api/v1/orders/{reserved()}/insurance"
    back_office.post(url, json=policy("compulsory", 0, 364, "JQX-0100"))
    for field, changes in (("ends_on", {"ends_on": (TODAY - timedelta(days=1)).isoformat()}),
                           ("premium", {"premium": "0.00"}), ("kind", {"kind": "theft"}),
                           ("starts_on", {"starts_on": "2026-02-30"}), ("policy_no", {"policy_no": "=1+1"})):
        refused = back_office.post(url, json={**policy("compulsory", 0, 364, "JQX-0101"), **changes})
        assert refused.status_code == 422 and field in refused.get_json()["errors"], field
    again = back_office.post(url, json=policy("compulsory", 0, 364, "JQX-0100"))
    assert again.status_code == 409 and "policy_no" in again.get_json()["errors"]


def test_the_invoice_carries_the_price_and_the_vat_inside_it_once_paid_in_full(reserved, pay_off, back_office,
                                                                                published) -> None:
    order_id = reserved()
    url = f"/api/v1/orders/{order_id}/invoice"
    early = back_office.post(url, json={"invoice_no": "04400001", "issued_on": TODAY.isoformat()})
    assert early.status_code == 409 and "paid in full" in early.get_json()["detail"]
    pay_off(order_id)
    issued = back_office.post(url, json={"invoice_no": "04400001", "issued_on": TODAY.isoformat()})
    # 189900.00 × 13 ÷ 113 = 21846.9026... -> 21846.90
    assert issued.status_code == 201
    assert (issued.get_json()["amount"], issued.get_json()["tax"]) == ("189900.00", "21846.90")
    [event] = published("orders.invoice.issued")
    assert (event["data"]["invoice_no"], event["data"]["tax"]) == ("04400001", "21846.90")
    assert contract_errors(event) == []
    second = back_office.post(url, json={"invoice_no": "04400002", "issued_on": TODAY.isoformat()})
    assert second.status_code == 409 and "void it" in second.get_json()["detail"]


def test_a_voided_invoice_is_issued_anew_under_a_new_number_never_the_old_one(reserved, pay_off, back_office,
                                                                              consultant, published) -> None:
    first, other = reserved(), reserved()
    pay_off(first)
    url = f"/api/v1/orders/{first}/invoice"
    back_office.post(url, json={"invoice_no": "04400011", "issued_on": TODAY.isoformat()})
    refused = consultant.post(f"/api/v1/orders/{other}/cancel", json={"reason": "x"})
    assert refused.status_code == 200  # the other order has no invoice: it cancels
    blocked = consultant.post(f"/api/v1/orders/{first}/cancel", json={"reason": "changed mind"})
    assert blocked.status_code == 409 and "void it" in blocked.get_json()["detail"]
    voided = back_office.post(f"{url}/void", json={"reason": "wrong buyer name"})
    assert voided.status_code == 200 and voided.get_json()["voided_at"]
    assert contract_errors(published("orders.invoice.voided")[0]) == []
    reused = back_office.post(url, json={"invoice_no": "04400011", "issued_on": TODAY.isoformat()})
    assert reused.status_code == 409 and "invoice_no" in reused.get_json()["errors"]
    anew = back_office.post(url, json={"invoice_no": "04400012", "issued_on": TODAY.isoformat()})
    assert anew.status_code == 201
    order = back_office.get(f"/api/v1/orders/{first}").get_json()
    assert order["invoice"]["invoice_no"] == "04400012" and len(order["invoices"]) == 2
    assert back_office.post(f"{url}/void", json={}).status_code == 200
    assert back_office.post(f"{url}/void", json={}).status_code == 409  # nothing left to void


def test_bad_invoice_input_is_422_naming_the_field(reserved, pay_off, back_office, consultant) -> None:
    order_id = reserved()
    pay_off(order_id)
    url = f"/api/v1/orders/{order_id}/invoice"
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for field, body in (("invoice_no", {"invoice_no": "12AB", "issued_on": TODAY.isoformat()}),
                        ("issued_on", {"invoice_no": "04400021", "issued_on": tomorrow}),
                        ("issued_on", {"invoice_no": "04400021", "issued_on": "2020-01-01"}),
                        ("issued_on", {"invoice_no": "04400021"})):
        refused = back_office.post(url, json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], body
    assert consultant.post(url, json={"invoice_no": "04400021", "issued_on": TODAY.isoformat()}).status_code == 403


def test_registration_needs_the_invoice_and_the_store_a_power_of_attorney(reserved, pay_off, back_office,
                                                                          consultant, published) -> None:
    order_id, other = reserved(), reserved()
    pay_off(order_id)
    url = f"/api/v1/orders/{order_id}/registration"
    plate = {"plate_no": "京A·D1234 5", "registered_on": TODAY.isoformat(), "by": "store"}
    early = consultant.post(url, json={**plate, "power_of_attorney": True})
    assert early.status_code == 409 and "invoice" in early.get_json()["detail"]
    back_office.post(f"/api/v1/orders/{order_id}/invoice", json={"invoice_no": "04400031",
                                                                 "issued_on": TODAY.isoformat()})
    unsigned = consultant.post(url, json=plate)
    assert unsigned.status_code == 422 and "power_of_attorney" in unsigned.get_json()["errors"]
    registered = consultant.post(url, json={**plate, "power_of_attorney": True})
    assert registered.status_code == 201 and registered.get_json()["plate_no"] == "京AD12345"
    [event] = published("orders.vehicle.registered")
    assert (event["data"]["plate_no"], event["data"]["vin"], event["data"]["by"]) == (
        "京AD12345", "LSVAU2182N2183290", "store")
    assert contract_errors(event) == []
    assert consultant.post(url, json={**plate, "power_of_attorney": True}).status_code == 409  # once
    pay_off(other)
    back_office.post(f"/api/v1/orders/{other}/invoice", json={"invoice_no": "04400032", "issued_on": TODAY.isoformat()})
    taken = consultant.post(f"/api/v1/orders/{other}/registration", json={**plate, "by": "customer"})
    assert taken.status_code == 409 and "plate_no" in taken.get_json()["errors"]


def test_bad_registration_input_is_422_naming_the_field(reserved, consultant) -> None:
    url = f"/api/v1/orders/{reserved()}/registration"
    good = {"plate_no": "粤B12345", "registered_on": TODAY.isoformat(), "by": "customer"}
    for field, value in (("plate_no", "AB12345"), ("plate_no", "京I12345"), ("by", "dealer"),
                         ("registered_on", "tomorrow"), ("power_of_attorney", "yes")):
        refused = consultant.post(url, json={**good, field: value})
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (field, value)

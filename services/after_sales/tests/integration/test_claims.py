"""Warranty (保修) and insurance (保险理赔) claims for a car on a customer's file."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from after_sales.domain import add_months
from contracts import contract_errors

BEIJING = timezone(timedelta(hours=8))
VIN = "LSVAU2182N2183290"


def delivered_years_ago(years: int, days: int = 0) -> datetime:
    day = add_months(datetime.now(BEIJING).date(), -12 * years) - timedelta(days=days)
    return datetime(day.year, day.month, day.day, 10, tzinfo=BEIJING)


def file(caller, **fields):
    body = {"kind": "warranty", "vin": VIN, "description": "window regulator failed", **fields}
    return caller.post("/api/v1/warranty-claims", json=body)


def test_a_warranty_claim_within_its_term_is_filed_then_approved(as_role, deliver, outbox) -> None:
    deliver(delivered_at=delivered_years_ago(2))
    coordinator = as_role("after_sales", "a1")
    filed = file(coordinator, mileage_km=40000, amount="1250.00")
    assert filed.status_code == 201, filed.get_json()
    claim = filed.get_json()
    assert (claim["status"], claim["kind"], claim["amount"]) == ("filed", "warranty", "1250.00")
    decided = coordinator.post(f"/api/v1/warranty-claims/{claim['id']}/decide", json={"decision": "approved"})
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"
    [event] = [e for e in outbox() if e["type"].endswith("warranty_claim.decided.v1")]
    assert event["data"]["decision"] == "approved" and event["data"]["kind"] == "warranty"
    assert contract_errors(event) == []


def test_a_warranty_claim_for_a_car_past_its_term_is_refused_with_the_reason(as_role, deliver) -> None:
    deliver(delivered_at=delivered_years_ago(3, days=1))
    coordinator = as_role("after_sales", "a1")
    refused = file(coordinator)
    assert refused.status_code == 409
    assert "out of warranty: warranty of 3 years ended on" in refused.get_json()["detail"]
    assert coordinator.get("/api/v1/warranty-claims").get_json()["total"] == 0


def test_a_warranty_claim_past_100000_km_is_refused_even_within_three_years(as_role, deliver) -> None:
    deliver(delivered_at=delivered_years_ago(1))
    refused = file(as_role("after_sales", "a1"), mileage_km=100001)
    assert refused.status_code == 409 and "100000 km, car has 100001 km" in refused.get_json()["detail"]


def test_an_insurance_claim_has_no_warranty_term_and_a_rejection_names_its_reason(as_role, deliver, outbox) -> None:
    deliver(delivered_at=delivered_years_ago(5))
    coordinator = as_role("sales_manager", "m1")
    filed = file(coordinator, kind="insurance", insurer="PICC", description="hail damage")
    assert filed.status_code == 201, filed.get_json()
    url = f"/api/v1/warranty-claims/{filed.get_json()['id']}/decide"
    no_reason = coordinator.post(url, json={"decision": "rejected"})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    rejected = coordinator.post(url, json={"decision": "rejected", "reason": "policy lapsed before the storm"})
    assert rejected.status_code == 200 and rejected.get_json()["reason"] == "policy lapsed before the storm"
    twice = coordinator.post(url, json={"decision": "approved"})
    assert twice.status_code == 409 and "already rejected" in twice.get_json()["detail"]
    [event] = [e for e in outbox() if e["type"].endswith("warranty_claim.decided.v1")]
    assert (event["data"]["decision"], event["data"]["reason"]) == ("rejected", "policy lapsed before the storm")
    assert contract_errors(event) == []


def test_a_claim_must_be_for_a_car_on_file_on_a_sensible_date(as_role, deliver) -> None:
    deliver(delivered_at=delivered_years_ago(1))
    coordinator = as_role("after_sales", "a1")
    tomorrow = datetime.now(BEIJING).date() + timedelta(days=1)
    cases = [({"vin": "LSVTEST0000000009"}, "vin"), ({"kind": "goodwill"}, "kind"),
             ({"claim_date": tomorrow.isoformat()}, "claim_date"), ({"claim_date": "2001-01-01"}, "claim_date"),
             ({"mileage_km": -5}, "mileage_km"), ({"amount": "12.345"}, "amount"), ({"description": ""}, "description")]
    for fields, field in cases:
        response = file(coordinator, **fields)
        assert response.status_code == 422 and field in response.get_json()["errors"], (fields, response.get_json())
    assert coordinator.post("/api/v1/warranty-claims/none/decide", json={"decision": "approved"}).status_code == 404


def test_claims_are_listed_by_kind_and_status_for_after_sales_managers_and_ops(as_role, deliver) -> None:
    deliver(delivered_at=delivered_years_ago(1))
    coordinator = as_role("after_sales", "a1")
    file(coordinator, claim_date=datetime.now(BEIJING).date().isoformat())
    file(coordinator, kind="insurance")
    ops = as_role("ops", "o1")
    assert [c["kind"] for c in ops.get("/api/v1/warranty-claims", query_string={"kind": "insurance"})
            .get_json()["items"]] == ["insurance"]
    assert ops.get("/api/v1/warranty-claims", query_string={"status": "filed"}).get_json()["total"] == 2
    assert file(ops).status_code == 403
    assert as_role("consultant", "c1").get("/api/v1/warranty-claims").status_code == 403

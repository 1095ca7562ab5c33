"""Marketing consent (PIPL 个人信息保护法) and notices (优惠活动通知): only consenting customers receive them."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from after_sales.domain import add_months
from contracts import contract_errors

BEIJING = timezone(timedelta(hours=8))
PHONES = {"A": "13800000001", "B": "13900001111", "C": "13800000003"}


def consent(caller, customer_id: str, marketing, source: str = "written_form"):
    return caller.put(f"/api/v1/customers/{customer_id}/consent", json={"marketing": marketing, "source": source})


def file_ids(caller) -> dict[str, str]:
    items = caller.get("/api/v1/customers", query_string={"page_size": 50}).get_json()["items"]
    by_phone = {c["phone"]: c["id"] for c in items}
    return {key: by_phone[phone] for key, phone in PHONES.items() if phone in by_phone}


def three_customers(as_role, deliver, walk_in) -> tuple[object, dict[str, str]]:
    """A: an Aurora bought 6 months ago (second grade, service due); B: a walk-in Corolla; C: an Aurora, no consent."""
    six_months_ago = add_months(datetime.now(BEIJING).date(), -6)
    deliver(phone=PHONES["A"], vin="LSVTEST0000000001", delivered_at=datetime.combine(six_months_ago, time(10),
                                                                                        BEIJING))
    deliver(phone=PHONES["C"], vin="LSVTEST0000000003", price="120000.00")
    coordinator = as_role("after_sales", "a1")
    assert coordinator.post("/api/v1/customers", json=walk_in()).status_code == 201
    ids = file_ids(coordinator)
    assert consent(coordinator, ids["A"], True).status_code == 200
    assert consent(coordinator, ids["B"], True, "wechat").status_code == 200
    return coordinator, ids


def send(caller, **segment):
    body = {"title": "冬季免费检测", "body": "12月到店免费检测", "segment": segment}
    return caller.post("/api/v1/notices", json=body)


def test_consent_is_recorded_with_source_and_time_withdrawn_and_its_history_kept(as_role, deliver, outbox) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    assert coordinator.get(f"/api/v1/customers/{customer_id}/consent").get_json()["marketing"] is False
    given = consent(coordinator, customer_id, True, "written_form")
    assert given.status_code == 200 and given.get_json()["marketing"] is True
    assert consent(coordinator, customer_id, True, "phone").get_json()["history"] == given.get_json()["history"]
    withdrawn = consent(coordinator, customer_id, False, "phone").get_json()
    assert withdrawn["marketing"] is False
    assert [(h["marketing"], h["source"], h["recorded_by"]) for h in withdrawn["history"]] == [
        (True, "written_form", "a1"), (False, "phone", "a1")]
    changed = [e for e in outbox() if e["type"] == "dealer.after_sales.consent.changed.v1"]
    assert [(e["data"]["marketing"], e["data"]["source"]) for e in changed] == [(True, "written_form"),
                                                                                (False, "phone")]
    assert all(contract_errors(e) == [] for e in changed)
    assert coordinator.get(f"/api/v1/customers/{customer_id}").get_json()["marketing_consent"] is False


def test_a_notice_reaches_only_the_consenting_customers_of_its_segment(as_role, deliver, walk_in, outbox) -> None:
    coordinator, ids = three_customers(as_role, deliver, walk_in)
    everyone = send(coordinator)
    assert everyone.status_code == 201 and everyone.get_json()["recipients"] == 2  # A and B; C never agreed
    assert send(coordinator, model="Aurora").get_json()["recipients"] == 1  # A (C drives one, but no consent)
    assert send(coordinator, grade="second").get_json()["recipients"] == 1  # A: 189,900.00 this year
    assert send(coordinator, due_for_service=True).get_json()["recipients"] == 1  # A: first service due today
    assert send(coordinator, due_for_service=False).get_json()["recipients"] == 1  # B: due in 6 months
    assert consent(coordinator, ids["A"], False, "sms").status_code == 200
    assert send(coordinator, model="Aurora").get_json()["recipients"] == 0  # withdrawn: no more notices
    recipients = coordinator.get(f"/api/v1/notices/{everyone.get_json()['id']}/recipients").get_json()
    assert sorted(r["phone"] for r in recipients["items"]) == [PHONES["A"], PHONES["B"]]
    sent = [e for e in outbox() if e["type"] == "dealer.after_sales.notice.sent.v1"]
    assert [e["data"]["recipients"] for e in sent] == [2, 1, 1, 1, 1, 0]
    for event in sent:
        assert contract_errors(event) == [] and "138000" not in str(event) and "Wang" not in str(event)


def test_the_recipient_list_masks_phones_for_roles_that_may_not_see_them(as_role, deliver, walk_in) -> None:
    coordinator, _ = three_customers(as_role, deliver, walk_in)
    notice_id = send(coordinator).get_json()["id"]
    ops = as_role("ops", "o1").get(f"/api/v1/notices/{notice_id}/recipients").get_json()
    assert sorted(r["phone"] for r in ops["items"]) == ["138****0001", "139****1111"]
    manager = as_role("sales_manager", "m1").get(f"/api/v1/notices/{notice_id}/recipients").get_json()
    assert sorted(r["phone"] for r in manager["items"]) == [PHONES["A"], PHONES["B"]]
    assert as_role("consultant", "c1").get(f"/api/v1/notices/{notice_id}/recipients").status_code == 403
    assert as_role("ops", "o1").get("/api/v1/notices/none/recipients").status_code == 404
    assert [n["id"] for n in as_role("ops", "o1").get("/api/v1/notices").get_json()["items"]] == [notice_id]


def test_bad_consent_and_notices_are_422_naming_the_field(as_role, deliver) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    for marketing, source, field in (("yes", "phone", "marketing"), (1, "phone", "marketing"),
                                     (True, "fax", "source"), (None, "phone", "marketing")):
        response = consent(coordinator, customer_id, marketing, source)
        assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert consent(coordinator, "nobody", True).status_code == 404
    for body, field in (({"title": "", "body": "b"}, "title"), ({"title": "t"}, "body"),
                        ({"title": "t", "body": "b", "segment": {"grade": "gold"}}, "segment.grade"),
                        ({"title": "t", "body": "b", "segment": {"due_for_service": "yes"}},
                         "segment.due_for_service")):
        response = coordinator.post("/api/v1/notices", json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert as_role("consultant", "c1").put(f"/api/v1/customers/{customer_id}/consent",
                                           json={"marketing": True, "source": "phone"}).status_code == 403


def test_an_explicit_refusal_is_recorded_though_consent_was_never_given(as_role, deliver) -> None:
    deliver()
    coordinator = as_role("after_sales", "a1")
    customer_id = coordinator.get("/api/v1/customers").get_json()["items"][0]["id"]
    refused = consent(coordinator, customer_id, False, "written_form").get_json()  # an explicit "no" is recorded
    assert refused["marketing"] is False and len(refused["history"]) == 1



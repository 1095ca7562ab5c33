"""The promised delivery date (约定交车日期), the sales ledger (销售台账) and the back office's work queues."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return datetime.now(UTC).astimezone(SHANGHAI).date()


def ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def test_an_order_without_a_promised_day_is_promised_30_days_after_it_was_placed(place, published) -> None:
    order = place(occurred_at=ago(10))
    placed_on = datetime.fromisoformat(order["placed_at"]).astimezone(SHANGHAI).date()
    assert order["promised_delivery_on"] == (placed_on + timedelta(days=30)).isoformat()
    assert published("orders.order.placed")[0]["data"]["promised_delivery_on"] == order["promised_delivery_on"]


def test_a_promised_day_before_the_order_is_refused_naming_the_field(consultant, body) -> None:
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    refused = consultant.post("/api/v1/orders", json=body(promised_delivery_on=yesterday))
    assert refused.status_code == 422 and "promised_delivery_on" in refused.get_json()["errors"]


def test_overdue_lists_orders_past_their_promise_and_not_delivered_or_cancelled(place, consultant,
                                                                                back_office) -> None:
    today = local_today()
    late = place(occurred_at=ago(20), promised_delivery_on=(today - timedelta(days=1)).isoformat())["id"]
    place(occurred_at=ago(20), promised_delivery_on=today.isoformat())  # due today: not overdue yet
    late_cancelled = place(occurred_at=ago(20), promised_delivery_on=(today - timedelta(days=2)).isoformat())["id"]
    consultant.post(f"/api/v1/orders/{late_cancelled}/cancel", json={"reason": "changed mind"})
    overdue = back_office.get("/api/v1/orders?overdue=true").get_json()
    assert [o["id"] for o in overdue["items"]] == [late] and overdue["total"] == 1
    assert overdue["items"][0]["overdue"] is True
    assert back_office.get("/api/v1/orders/queues").get_json()["overdue"] == 1


def test_each_work_queue_lists_what_waits_in_it_with_its_count(reserved, consultant, back_office, approve,
                                                               pay_off) -> None:
    to_review = reserved()
    consultant.post(f"/api/v1/orders/{to_review}/contract")
    to_approve = reserved()
    consultant.post(f"/api/v1/orders/{to_approve}/contract")
    back_office.post(f"/api/v1/orders/{to_approve}/contract/review", json={"passed": True})  # 10000.00 off
    to_pay = reserved()
    approve(to_pay)
    to_deliver = reserved()
    pay_off(to_deliver)
    expected = {"review": to_review, "manager_approval": to_approve, "payment": to_pay, "delivery": to_deliver}
    for queue, order_id in expected.items():
        listed = back_office.get(f"/api/v1/orders?awaiting={queue}").get_json()
        assert ([o["id"] for o in listed["items"]], listed["total"]) == ([order_id], 1), queue
    assert back_office.get("/api/v1/orders/queues").get_json() == {
        "review": 1, "manager_approval": 1, "payment": 1, "delivery": 1, "overdue": 0}
    assert consultant.get("/api/v1/orders/queues").status_code == 403
    assert back_office.get("/api/v1/orders?awaiting=lunch").status_code == 422


def test_the_sales_ledger_exports_every_figure_of_each_sale_in_the_period_as_csv(
        reserved, pay_off, back_office, consultant, as_role) -> None:
    order_id = reserved()
    pay_off(order_id)  # approved, compulsory premium 950.00, balance paid
    back_office.post(f"/api/v1/orders/{order_id}/invoice", json={"invoice_no": "04400041",
                                                                 "issued_on": local_today().isoformat()})
    consultant.post(f"/api/v1/orders/{order_id}/registration", json={
        "plate_no": "沪C77777", "registered_on": local_today().isoformat(), "by": "customer"})
    today = local_today().isoformat()
    answer = back_office.get(f"/api/v1/orders?placed_from={today}&placed_to={today}&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    # 199900.00 - 189900.00 = 10000.00 off; 5000.00 + 184900.00 = 189900.00 paid; 189900 × 13 ÷ 113 = 21846.90
    assert {k: row[k] for k in ("msrp", "price", "discount", "deposit", "paid_total", "compulsory_premium",
                                "commercial_premium", "invoice_no", "invoice_amount", "tax", "plate_no")} == {
        "msrp": "199900.00", "price": "189900.00", "discount": "10000.00", "deposit": "5000.00",
        "paid_total": "189900.00", "compulsory_premium": "950.00", "commercial_premium": "0.00",
        "invoice_no": "04400041", "invoice_amount": "189900.00", "tax": "21846.90", "plate_no": "沪C77777"}
    assert (row["customer_phone"], row["id_number"]) == ("13812345678", "110101199003074514")
    other_consultant = as_role("consultant", "c2").get(f"/api/v1/orders?placed_from={today}&format=csv")
    [masked] = list(csv.DictReader(io.StringIO(other_consultant.get_data(as_text=True))))
    assert (masked["customer_phone"], masked["id_number"]) == ("138****5678", "110101********4514")
    earlier = (local_today() - timedelta(days=3)).isoformat()
    empty = back_office.get(f"/api/v1/orders?placed_from={earlier}&placed_to={earlier}&format=csv")
    assert len(empty.get_data(as_text=True).strip().splitlines()) == 1  # the header only
    as_json = back_office.get(f"/api/v1/orders?placed_from={today}&placed_to={today}").get_json()
    assert as_json["items"][0]["invoice"]["tax"] == "21846.90" and as_json["items"][0]["registration"]


def test_a_ledger_period_ending_before_it_starts_is_422_naming_placed_to(back_office) -> None:
    refused = back_office.get("/api/v1/orders?placed_from=2026-12-02&placed_to=2026-12-01")
    assert refused.status_code == 422 and "placed_to" in refused.get_json()["errors"]
    assert back_office.get("/api/v1/orders?format=pdf").status_code == 422

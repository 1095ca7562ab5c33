"""A month of events (October 2026) and every KPI computed by hand, numerator and denominator.

Events around the month's edges (late September, early November, times near
midnight) check that ranges are store-local and inclusive; the same figures
must come out after a redelivery, a rebuild and a replay in another order.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from reporting.models import PROJECTIONS, StoredEvent, Target
from reporting.rebuild.replay import rebuild_projections
from shared.clock import utcnow

OCT = "from=2026-10-01&to=2026-10-31"


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def october(events) -> list[dict[str, Any]]:
    """The month's activity, in the order the departments would publish it."""
    e, at = events, events.at
    ids = {name: e.new_id() for name in ("I1", "I2", "I3", "I4", "I5", "I6", "I7", "L1", "L2", "L3", "L4", "L5",
                                         "L6", "A1", "A2", "A3", "A4", "K1", "K2", "K3", "K4")}
    i, lead = ids, ids
    built = [
        e.inquiry(at(d(9, 30), 23, 30), "walk_in", "c1", inquiry_id=i["I5"]),  # September: out of range
        e.lead(at(d(9, 25)), "c1", "referral", lead_id=lead["L5"]),
        e.visit(lead["L5"], at(d(9, 26)), 1),
        e.appointment(lead["L5"], at(d(9, 28)), "c1", i["A3"]),
        e.order_placed(at(d(9, 29)), lead["L5"], "c1", order_id="O6", price="179900.00"),
        e.inquiry(at(d(10, 2)), "phone", "c1", inquiry_id=i["I1"]),
        e.lead(at(d(10, 2), 11), "c1", "phone_in", (i["I1"],), lead["L1"]),
        e.visit(lead["L5"], at(d(10, 2)), 2, "c1", i["A3"]),
        e.test_drive(lead["L5"], at(d(10, 2), 11), "c1"),
        e.inquiry(at(d(10, 3)), "walk_in", "c2", inquiry_id=i["I2"]),
        e.lead(at(d(10, 3)), "c2", "walk_in", lead_id=lead["L2"]),
        e.visit(lead["L2"], at(d(10, 3)), 1, "c2"),
        e.appointment(lead["L1"], at(d(10, 3)), "c1", i["A1"]),
        e.inquiry(at(d(10, 5)), "phone", "c1", filed=True, lead_id=lead["L5"], inquiry_id=i["I3"]),
        e.visit(lead["L1"], at(d(10, 5)), 1, "c1", i["A1"]),
        e.delivered(at(d(10, 5), 15), "O6", lead["L5"], "c1", "Aurora", "red", "179900.00"),
        e.inquiry(at(d(10, 6)), "online", "c2", inquiry_id=i["I4"]),
        e.lead(at(d(10, 6)), "c2", "online", (i["I4"],), lead["L3"]),
        e.appointment(lead["L3"], at(d(10, 7)), "c2", i["A2"]),
        e.order_placed(at(d(10, 8)), lead["L3"], "c2", order_id="O3"),
        e.order_cancelled(at(d(10, 10)), "O3", lead["L3"], "c2"),
        e.visit(lead["L1"], at(d(10, 12)), 2, "c1"),
        e.test_drive(lead["L1"], at(d(10, 12), 11), "c1"),
        e.visit(lead["L3"], at(d(10, 15)), 1, "c2"),
        e.visit(lead["L3"], at(d(10, 15), 16), 2, "c2"),
        e.inquiry(at(d(10, 21), 1), "phone", "c1", inquiry_id=i["I7"]),
        e.visit(lead["L3"], at(d(10, 20)), 3, "c2"),
        e.lead(at(d(10, 20)), "c3", "event", lead_id=lead["L6"]),
        e.order_placed(at(d(10, 20)), lead["L1"], "c1", order_id="O1"),
        e.test_drive(lead["L6"], at(d(10, 21)), "c3"),
        e.order_placed(at(d(10, 25)), None, "c3", "Borealis", order_id="O4", price="259900.00"),
        e.delivered(at(d(10, 28)), "O1", lead["L1"], "c1", "Aurora", "white", "189900.00"),
        e.appointment(lead["L6"], at(d(10, 30)), "c3", i["A4"]),
        e.delivered(at(d(10, 30)), "O4", None, "c3", "Borealis", "black", "259900.00"),
        e.inquiry(at(d(10, 31), 23, 50), "phone", "c2", inquiry_id=i["I6"]),
        e.lead(at(d(11, 2)), "c1", "phone_in", (i["I7"],), lead["L4"]),  # files October's I7 late
        e.order_placed(at(d(11, 3)), lead["L2"], "c2", order_id="O2"),  # 31 days after L2: too late
        e.visit(lead["L6"], at(d(11, 3)), 1, "c3", i["A4"]),  # keeps October's A4
        e.visit(lead["L2"], at(d(11, 4)), 2, "c2"),  # a return after the month
        e.test_drive(lead["L2"], at(d(11, 4)), "c2"),
        e.delivered(at(d(11, 10)), "O2", lead["L2"], "c2"),
        e.order_placed(at(d(11, 19)), lead["L6"], "c3", order_id="O5"),  # exactly 30 days after L6
        # after-sales
        e.return_visit(at(d(10, 29)), 5), e.return_visit(at(d(10, 30)), 4), e.return_visit(at(d(10, 31)), 2),
        e.return_visit(at(d(11, 1)), 1),
        e.complaint_opened(at(d(9, 30)), i["K4"]), e.complaint_resolved(i["K4"], at(d(9, 30)), at(d(10, 1), 12)),
        e.complaint_opened(at(d(10, 10), 9), i["K1"]),
        e.complaint_resolved(i["K1"], at(d(10, 10), 9), at(d(10, 11), 15)),
        e.complaint_opened(at(d(10, 20)), i["K2"]), e.complaint_escalated(i["K2"], at(d(10, 21))),
        e.complaint_resolved(i["K2"], at(d(10, 20)), at(d(11, 2))),
        e.complaint_opened(at(d(10, 30)), i["K3"]), e.complaint_escalated(i["K3"], at(d(10, 31))),
    ]
    return built + _stock_and_reminders(events)


def _stock_and_reminders(e) -> list[dict[str, Any]]:
    """Cars and due dates relative to now: stock ages and reminders are as of today."""
    now, today = utcnow(), date.today()
    ago = lambda days: now - timedelta(days=days)  # noqa: E731 - a local shorthand
    aurora, comet = {"model": "Aurora", "trim": "2.0T Luxury", "color": "white"}, \
        {"model": "Comet", "trim": "1.5T", "color": "blue"}
    return [
        e.received(e.vin(1), ago(10), **aurora), e.inspected(e.vin(1), ago(9)),
        e.received(e.vin(2), ago(40), **aurora), e.inspected(e.vin(2), ago(39)), e.reserved(e.vin(2), ago(2), "O7"),
        e.received(e.vin(3), ago(75), **comet), e.inspected(e.vin(3), ago(74)), e.transferred(e.vin(3), ago(5), "east"),
        e.received(e.vin(4), ago(100), **comet), e.inspected(e.vin(4), ago(99), passed=False),
        e.received(e.vin(5), ago(200), kind="test_drive"), e.inspected(e.vin(5), ago(199)),
        e.received(e.vin(6), ago(20), **aurora), e.inspected(e.vin(6), ago(19)), e.reserved(e.vin(6), ago(5), "O8"),
        e.vehicle_delivered(e.vin(6), ago(1), "O8"),
        e.received(e.vin(7), ago(1), status="in_transit", **aurora),
        e.customer_created(e.vin(11), today - timedelta(days=170), today + timedelta(days=10)),
        e.customer_created(e.vin(12), today - timedelta(days=100), today + timedelta(days=45)),
        e.customer_created(e.vin(13), today - timedelta(days=175), today + timedelta(days=5)),
        e.service_recorded(e.vin(13), today - timedelta(days=1), today + timedelta(days=200)),
        e.customer_created(e.vin(14), today - timedelta(days=190), today - timedelta(days=3)),
    ]


FUNNEL = {
    "from": "2026-10-01", "to": "2026-10-31", "consultant_id": None, "group_id": None, "consultant_name": None,
    "inquiries": 6, "leads": 4, "appointments": 3, "visits": 7, "test_drives": 3, "orders": 3, "deliveries": 3,
    "rates": {"filing_rate": 0.4, "appointment_arrival_rate": 0.6667, "return_visit_rate": 0.6667,
              "test_drive_rate": 0.5, "conversion_30d": 0.5, "referral_rate": 0.0},
    "rate_details": {
        # new-customer contacts in October: I1 (filed by L1 the same day), I2 (never listed by a lead), L2 (a
        # walk-in filed with no inquiry logged: itself a contact, filed), I7 (01:00 on the 21st, filed by L4 on
        # 2 November: later than the end of the 22nd), I6 (never filed) = 2 / 5. I3 came from L5's phone,
        # on file already: on neither side; I4 is online; I5 is September's.
        "filing_rate": {"numerator": 2, "denominator": 5},
        "appointment_arrival_rate": {"numerator": 2, "denominator": 3},
        "return_visit_rate": {"numerator": 2, "denominator": 3},
        "test_drive_rate": {"numerator": 2, "denominator": 4},
        # filed in October: L1 (O1 on day 18: yes), L2 (O2 31 days later: no), L3 (O3 cancelled: no), L6 (O5
        # exactly 30 days later: yes) = 2 / 4. O4 names no lead and carries 138****5678, the masked phone every
        # lead here shares: it counts for none. All of them are past their 30 days today: none set apart.
        "conversion_30d": {"numerator": 2, "denominator": 4, "not_yet_30_days": 0, "ordered_so_far": 0},
        # L1 phone_in, L2 walk_in, L3 online, L6 event; the referral L5 was filed in September
        "referral_rate": {"numerator": 0, "denominator": 4}},
}
NO_CLASS = "unclassed"  # these deliveries named no model class
CONSULTANTS = [
    {"rank": 1, "consultant_id": "c1", "name": "Staff c1", "leads": 1, "visits": 3, "test_drives": 2, "orders": 1,
     "deliveries": 2, "target": 4, "completion": 0.5, "completion_details": {"numerator": 2, "denominator": 4},
     "by_model_class": {NO_CLASS: {"units": 2, "target": None}}},
    {"rank": 2, "consultant_id": "c3", "name": None, "leads": 1, "visits": 0, "test_drives": 1, "orders": 1,
     "deliveries": 1, "target": None, "completion": None,
     "completion_details": {"numerator": 1, "denominator": None},
     "by_model_class": {NO_CLASS: {"units": 1, "target": None}}},
    {"rank": 3, "consultant_id": "c2", "name": "Staff c2", "leads": 2, "visits": 4, "test_drives": 0, "orders": 1,
     "deliveries": 0, "target": 2, "completion": 0.0, "completion_details": {"numerator": 0, "denominator": 2},
     "by_model_class": {}},
    {"rank": 4, "consultant_id": "c4", "name": "Staff c4", "leads": 0, "visits": 0, "test_drives": 0, "orders": 0,
     "deliveries": 0, "target": 1, "completion": 0.0, "completion_details": {"numerator": 0, "denominator": 1},
     "by_model_class": {}},
]
TEAM = {"deliveries": 3, "target": 7, "completion": 0.4286, "completion_details": {"numerator": 3, "denominator": 7}}


def figures(manager) -> dict[str, Any]:
    """Every figure the month's reports give."""
    stock = manager.get("/api/v1/reports/stock").get_json()
    sales = manager.get("/api/v1/reports/sales?period=month&date=2026-10").get_json()
    return {
        "funnel": manager.get(f"/api/v1/reports/funnel?{OCT}").get_json(),
        "sales": {k: v for k, v in sales.items() if k != "by_day"},
        "sales_days": [p for p in sales["by_day"] if p["units"]],
        "consultants": manager.get("/api/v1/reports/consultants?month=2026-10").get_json(),
        "stock": {k: v for k, v in stock.items() if k != "as_of"},
        "after_sales": manager.get(f"/api/v1/reports/after-sales?{OCT}").get_json(),
    }


def check_month(found: dict[str, Any]) -> None:
    assert {k: v for k, v in found["funnel"].items() if k != "populations"} == FUNNEL
    assert set(found["funnel"]["populations"]) >= {*FUNNEL["rates"], "inquiries", "leads", "orders"}
    sales = found["sales"]
    assert (sales["units"], sales["revenue"]) == (3, "629700.00")
    assert sales["by_model"] == [{"model": "Aurora", "units": 2, "revenue": "369800.00"},
                                 {"model": "Borealis", "units": 1, "revenue": "259900.00"}]
    assert {c["color"]: c["units"] for c in sales["by_color"]} == {"white": 1, "black": 1, "red": 1}
    assert sales["by_consultant"] == [{"consultant_id": "c1", "name": "Staff c1", "units": 2, "revenue": "369800.00"},
                                      {"consultant_id": "c3", "name": None, "units": 1, "revenue": "259900.00"}]
    assert {s["source"]: s["units"] for s in sales["by_source"]} == {"phone_in": 1, "none": 1, "referral": 1}
    assert sales["model_mix"] == [{"model": "Aurora", "units": 2, "share": 0.6667},
                                  {"model": "Borealis", "units": 1, "share": 0.3333}]
    assert [(p["date"], p["units"]) for p in found["sales_days"]] == [
        ("2026-10-05", 1), ("2026-10-28", 1), ("2026-10-30", 1)]
    assert found["consultants"] == {"month": "2026-10", "items": CONSULTANTS, "team": TEAM}
    check_stock(found["stock"])
    check_after_sales(found["after_sales"])


def check_stock(stock: dict[str, Any]) -> None:
    assert stock["on_hand"] == 4
    assert stock["by_status"] == {"in_transit": 1, "pending_inspection": 0, "available": 2, "on_hold": 1,
                                  "reserved": 1}
    assert stock["ageing"] == {"0-30": 1, "31-60": 1, "61-90": 1, "over_90": 1}
    assert [(i["model"], i["on_hand"], i["available"], i["reserved"], i["on_hold"], i["in_transit"], i["oldest_days"])
            for i in stock["items"]] == [("Aurora", 2, 1, 1, 0, 1, 40), ("Comet", 2, 1, 0, 1, 0, 100)]
    assert [(s["model"], s["color"], s["oldest_days"]) for s in stock["slow_movers"]] == [("Comet", "blue", 100)]
    assert [car["vin"] for car in stock["test_drive_fleet"]] == ["LSVTEST0000000005"]


def check_after_sales(report: dict[str, Any]) -> None:
    assert report["csi"] == 3.67
    assert report["csi_details"] == {"return_visits": 3, "satisfaction_points": 11}
    assert report["complaints"] == {"opened": 3, "resolved": 2, "escalated": 2, "open_now": 1,
                                    "mean_hours_to_resolve": 28.0}
    assert report["reminders_due"] == 2
    assert [r["vin"] for r in report["reminders"]] == ["LSVTEST0000000014", "LSVTEST0000000011"]


@pytest.fixture
def targets(as_role, on_staff) -> None:
    on_staff("c1", "c2", "c4")
    answer = as_role("sales_manager", "m1").put("/api/v1/targets/2026-10", json={"targets": [
        {"consultant_id": "c1", "units": 4}, {"consultant_id": "c2", "units": 2}, {"consultant_id": "c4", "units": 1}]})
    assert answer.status_code == 200, answer.get_json()


def test_every_kpi_of_the_month_equals_the_figure_worked_out_by_hand(october, consume, as_role, targets) -> None:
    consume(october)
    check_month(figures(as_role("sales_manager", "m1")))


def test_a_redelivery_of_every_event_changes_no_figure(october, consume, as_role, targets) -> None:
    consume(october)
    manager = as_role("sales_manager", "m1")
    before = figures(manager)
    consume(october)  # past the inbox: the event store itself refuses a second copy
    assert figures(manager) == before
    check_month(before)


def test_a_rebuild_and_a_replay_in_another_order_give_the_same_figures(app, october, consume, as_role,
                                                                       targets) -> None:
    consume(october)
    manager = as_role("sales_manager", "m1")
    before = figures(manager)
    with app.extensions["dealer"].sessions() as session, session.begin():
        assert rebuild_projections(session, chunk=7) == len(october)
    assert figures(manager) == before
    with app.extensions["dealer"].sessions() as session, session.begin():
        for model in (*PROJECTIONS, StoredEvent):
            session.execute(delete(model))
    shuffled = list(october)
    random.Random(5).shuffle(shuffled)
    consume(shuffled)
    assert figures(manager) == before
    with app.extensions["dealer"].sessions() as session:
        assert session.get(Target, ("2026-10", "c1")).units == 4  # a rebuild never touches targets

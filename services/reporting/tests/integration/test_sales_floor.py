"""The sales floor's day in the reports (DOMAIN.md, round 2): appointments missed, cancelled and moved;
the referral rate; one consultant's funnel; lost reasons; campaigns; duplicates merged. Every figure is
worked out by hand from the events each test builds."""
from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
import requests

from dealer_testing import json_of, token, wait_for
from reporting.models import PROJECTIONS
from reporting.public import projection_rows, stored_count
from reporting.services import run_requested_rebuilds

NOV = "from=2026-11-01&to=2026-11-30"
ZERO = {"numerator": 0, "denominator": 0}


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def funnel(as_role: Any, query: str = NOV) -> dict[str, Any]:
    answer = as_role("sales_manager", "m1").get(f"/api/v1/reports/funnel?{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def report(as_role: Any, path: str) -> dict[str, Any]:
    answer = as_role("sales_manager", "m1").get(f"/api/v1/reports/{path}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


# -- 邀约到店率: missed, cancelled and moved appointments -------------------------------------------------------

@pytest.fixture
def four_appointments(events) -> list[dict[str, Any]]:
    """c1 books four appointments on 3 November: one kept, one missed, one cancelled, one moved then kept."""
    e, booked = events, events.at(d(11, 3), 10)
    leads = [e.lead(e.at(d(11, 1)), "c1", lead_id=f"L{n}") for n in range(1, 5)]
    a1, a2, a3, a4 = (e.appointment(f"L{n}", booked, "c1", f"A{n}") for n in range(1, 5))
    return [*leads, a1, a2, a3, a4,
            e.visit("L1", e.at(d(11, 5)), 1, "c1", "A1"),
            e.no_show("L2", "A2", e.at(d(11, 5), 15)),
            e.visit("L2", e.at(d(11, 9)), 1, "c1", "A2"),  # a stray visit naming the missed one: still not kept
            e.cancelled("L3", "A3", e.at(d(11, 4))),
            e.rescheduled("L4", "A4", e.at(d(11, 5), 10), e.at(d(11, 7), 10)),
            e.visit("L4", e.at(d(11, 7)), 1, "c1", "A4")]


def test_appointments_kept_over_appointments_made_counts_no_shows_and_cancellations_as_not_kept(
        four_appointments, consume, as_role) -> None:
    consume(four_appointments)
    found = funnel(as_role)
    assert found["appointments"] == 4
    assert found["rate_details"]["appointment_arrival_rate"] == {"numerator": 2, "denominator": 4}
    assert found["rates"]["appointment_arrival_rate"] == 0.5
    moved_to = funnel(as_role, "from=2026-11-04&to=2026-11-30")  # counted on the day it was booked, once
    assert (moved_to["appointments"], moved_to["rate_details"]["appointment_arrival_rate"]) == (0, ZERO)


def test_a_no_show_is_not_kept_whichever_of_it_and_a_visit_naming_it_arrives_first(four_appointments, consume,
                                                                                   as_role) -> None:
    reversed_order = list(reversed(four_appointments))  # visits before bookings, the stray visit before the no-show
    consume(reversed_order)
    assert funnel(as_role)["rate_details"]["appointment_arrival_rate"] == {"numerator": 2, "denominator": 4}


# -- 转介绍率 --------------------------------------------------------------------------------------------------------

def test_the_referral_rate_is_leads_filed_from_referrals_over_all_leads_filed_by_filing_day(
        events, consume, as_role) -> None:
    e = events
    consume([e.lead(e.at(d(11, 2)), "c1", "referral"), e.lead(e.at(d(11, 2)), "c2", "walk_in"),
             e.lead(e.at(d(11, 2), 23, 50), "c1", "referral"), e.lead(e.at(d(11, 3), 0, 10), "c2", "phone_in"),
             e.lead(e.at(d(12, 2)), "c1", "referral")])  # December: out of range
    two_days = funnel(as_role, "from=2026-11-02&to=2026-11-03")
    assert two_days["rates"]["referral_rate"] == 0.5
    assert two_days["rate_details"]["referral_rate"] == {"numerator": 2, "denominator": 4}
    assert funnel(as_role, "from=2026-11-03&to=2026-11-03")["rate_details"]["referral_rate"] == {
        "numerator": 0, "denominator": 1}  # 00:10 on the 3rd, store time
    csv = as_role("sales_manager", "m1").get("/api/v1/reports/funnel?from=2026-11-02&to=2026-11-03&format=csv")
    assert any(line.startswith("referral_rate,0.5,2,4,") for line in csv.get_data(as_text=True).splitlines())


# -- one consultant's funnel ----------------------------------------------------------------------------------------

@pytest.fixture
def two_consultants_work(events, consume) -> None:
    """c1 files L1 from a call and sells to it; c2 invites L1, receives it and rides along; c2 files L2."""
    e = events
    call = e.inquiry(e.at(d(11, 2), 9), "phone", "c1")
    appointment = e.appointment("L1", e.at(d(11, 2), 12), "c2", "A1")  # booked by c2 for c1's customer
    consume([call, e.inquiry(e.at(d(11, 2), 10), "walk_in", "c2"),  # not filed
             e.lead(e.at(d(11, 2), 11), "c1", "phone_in", (call["data"]["inquiry_id"],), "L1"),
             appointment, e.visit("L1", e.at(d(11, 4)), 1, "c2", "A1"), e.test_drive("L1", e.at(d(11, 4), 11), "c2"),
             e.order_placed(e.at(d(11, 10)), "L1", "c1"),
             e.lead(e.at(d(11, 3)), "c2", "referral", lead_id="L2"),
             e.visit("L2", e.at(d(11, 3)), 1, "c2"), e.visit("L2", e.at(d(11, 6)), 2, "c2")])


def _figures(found: dict[str, Any]) -> dict[str, Any]:
    stages = ("inquiries", "leads", "appointments", "visits", "test_drives", "orders", "deliveries")
    return {**{stage: found[stage] for stage in stages},
            **{name: (detail["numerator"], detail["denominator"]) for name, detail in found["rate_details"].items()}}


def test_one_consultants_funnel_counts_their_work_and_the_rates_of_the_leads_they_filed(two_consultants_work,
                                                                                        as_role) -> None:
    c1 = funnel(as_role, f"{NOV}&consultant_id=c1")
    assert c1["consultant_id"] == "c1"
    assert _figures(c1) == {
        "inquiries": 1, "leads": 1, "appointments": 0, "visits": 0, "test_drives": 0, "orders": 1, "deliveries": 0,
        "filing_rate": (1, 1), "appointment_arrival_rate": (0, 0),
        "return_visit_rate": (0, 1), "test_drive_rate": (1, 1),  # L1 is c1's: filed by c1, whoever served it
        "conversion_30d": (1, 1), "referral_rate": (0, 1)}
    assert _figures(funnel(as_role, f"{NOV}&consultant_id=c2")) == {
        "inquiries": 1, "leads": 1, "appointments": 1, "visits": 3, "test_drives": 1, "orders": 0, "deliveries": 0,
        "filing_rate": (0, 1), "appointment_arrival_rate": (1, 1),  # c2 booked A1, and it was kept
        "return_visit_rate": (1, 1), "test_drive_rate": (0, 1),  # L2 came back, never drove
        "conversion_30d": (0, 1), "referral_rate": (1, 1)}
    assert _figures(funnel(as_role)) == {
        "inquiries": 2, "leads": 2, "appointments": 1, "visits": 3, "test_drives": 1, "orders": 1, "deliveries": 0,
        "filing_rate": (1, 2), "appointment_arrival_rate": (1, 1), "return_visit_rate": (1, 2),
        "test_drive_rate": (1, 2), "conversion_30d": (1, 2), "referral_rate": (1, 2)}


def test_a_consultant_no_event_names_has_a_funnel_of_zeros(two_consultants_work, as_role) -> None:
    nobody = funnel(as_role, f"{NOV}&consultant_id=c9")
    assert set(_figures(nobody).values()) == {0, (0, 0)}
    assert set(nobody["rates"].values()) == {0.0}


def test_one_consultants_funnel_is_the_same_after_a_rebuild(app, two_consultants_work, as_role) -> None:
    before = [funnel(as_role, f"{NOV}&consultant_id={c}") for c in ("c1", "c2")]
    ops = as_role("ops", "o1")
    assert ops.post("/api/v1/admin/rebuild").status_code == 202
    with app.extensions["dealer"].sessions() as session:
        assert run_requested_rebuilds(session) == 10  # every event of the fixture, replayed
    assert [funnel(as_role, f"{NOV}&consultant_id={c}") for c in ("c1", "c2")] == before


# -- 战败原因 ------------------------------------------------------------------------------------------------------

@pytest.fixture
def losses(events) -> list[dict[str, Any]]:
    """November's losses: some withdrawn by a reopening or an order, one lost twice, one merged away."""
    e, at = events, events.at
    return [
        e.lost("L1", at(d(11, 2)), "price", "c1"),
        e.lost("L2", at(d(11, 3)), "competitor", "c1", "比亚迪"),
        e.lost("L3", at(d(11, 4)), "competitor", "c2", "吉利"),
        e.lost("L4", at(d(11, 5)), "competitor", "c2", "比亚迪"),
        e.lost("L5", at(d(11, 5)), "financing", "c2"), e.reopened("L5", at(d(11, 6)), "c2"),  # withdrawn
        e.lost("L6", at(d(11, 1)), "postponed", "c1"), e.reopened("L6", at(d(11, 2)), "c1"),
        e.lost("L6", at(d(11, 10)), "unreachable", "c1"),  # lost again: the latest loss counts
        e.lost("L7", at(d(10, 31), 23, 30), "price", "c1"),  # 31 October, store time: out of range
        e.lost("L8", at(d(11, 7)), None, "c2", first_version=True),  # no code, no lost_at: other, on the 7th
        e.lost("L9", at(d(11, 8)), "competitor", "c1", "丰田"), e.converted("L9", "O9", "c1"),  # bought after all
        e.lead(at(d(11, 1)), "c1", lead_id="L10"), e.lead(at(d(11, 1)), "c1", lead_id="L11"),
        e.lost("L10", at(d(11, 9)), "price", "c1"), e.merged("L11", "L10", at(d(11, 12))),  # a duplicate: gone
        e.lost("L12", at(d(11, 11)), "competitor", "c2", "Audi"),
    ]


LOST_NOVEMBER = {
    "from": "2026-11-01", "to": "2026-11-30", "consultant_id": None, "consultant_name": None, "lost": 7,
    "reasons": [{"reason_code": "price", "count": 1, "share": 0.1429},  # L1
                {"reason_code": "competitor", "count": 4, "share": 0.5714},  # L2, L3, L4, L12
                {"reason_code": "financing", "count": 0, "share": 0.0},  # L5 reopened
                {"reason_code": "no_stock", "count": 0, "share": 0.0},
                {"reason_code": "postponed", "count": 0, "share": 0.0},  # L6's first loss, withdrawn
                {"reason_code": "unreachable", "count": 1, "share": 0.1429},  # L6 again
                {"reason_code": "other", "count": 1, "share": 0.1429}],  # L8
    "competitor_brands": [{"brand": "比亚迪", "count": 2, "share": 0.2857},  # most first, then by name
                          {"brand": "Audi", "count": 1, "share": 0.1429},
                          {"brand": "吉利", "count": 1, "share": 0.1429}],
}


def test_lost_reasons_count_the_leads_still_lost_by_the_day_of_their_latest_loss(losses, consume, as_role) -> None:
    consume(losses)
    assert report(as_role, f"lost-reasons?{NOV}") == LOST_NOVEMBER


def test_lost_reasons_are_the_same_whatever_order_the_events_arrive_in(losses, consume, as_role) -> None:
    shuffled = list(losses)
    random.Random(4).shuffle(shuffled)
    consume(shuffled)
    assert report(as_role, f"lost-reasons?{NOV}") == LOST_NOVEMBER


def test_one_consultants_lost_reasons_are_the_leads_they_owned_when_lost(losses, consume, as_role) -> None:
    consume(losses)
    c2 = report(as_role, f"lost-reasons?{NOV}&consultant_id=c2")
    assert (c2["consultant_id"], c2["lost"]) == ("c2", 4)  # L3, L4, L8, L12
    assert {r["reason_code"]: (r["count"], r["share"]) for r in c2["reasons"] if r["count"]} == {
        "competitor": (3, 0.75), "other": (1, 0.25)}
    assert c2["competitor_brands"] == [{"brand": "Audi", "count": 1, "share": 0.25},  # ties by name
                                       {"brand": "吉利", "count": 1, "share": 0.25},
                                       {"brand": "比亚迪", "count": 1, "share": 0.25}]
    one_day = report(as_role, "lost-reasons?from=2026-11-01&to=2026-11-01")
    assert (one_day["lost"], [r["share"] for r in one_day["reasons"]], one_day["competitor_brands"]) == (
        0, [0.0] * 7, [])


def test_lost_reasons_come_as_csv_with_every_reason_and_brand(losses, consume, as_role) -> None:
    consume(losses)
    answer = as_role("back_office", "b1").get(f"/api/v1/reports/lost-reasons?{NOV}&format=csv")
    assert answer.mimetype == "text/csv"
    assert answer.get_data(as_text=True).splitlines() == [
        "dimension,value,count,share", "total,,7,1.0", "reason,price,1,0.1429", "reason,competitor,4,0.5714",
        "reason,financing,0,0.0", "reason,no_stock,0,0.0", "reason,postponed,0,0.0", "reason,unreachable,1,0.1429",
        "reason,other,1,0.1429", "competitor_brand,比亚迪,2,0.2857", "competitor_brand,Audi,1,0.1429",
        "competitor_brand,吉利,1,0.1429"]


# -- 市场活动 ------------------------------------------------------------------------------------------------------

@pytest.fixture
def campaign_month(events) -> list[dict[str, Any]]:
    """A motor show (14-15 Nov), an in-store day (21 Nov), an online campaign (1-10 Oct), one in December."""
    e, at = events, events.at
    show, store_day = "M", "S"
    built = [e.campaign("Autumn motor show", "motor_show", d(11, 14), d(11, 15), show),
             e.campaign("Store open day", "in_store_event", d(11, 21), d(11, 21), store_day),
             e.campaign("October online", "online", d(10, 1), d(10, 10), "O"),
             e.campaign("December outreach", "outreach", d(12, 1), d(12, 2), "X")]
    built += [e.invited(show, lead, at(d(11, 10))) for lead in ("A", "B", "C", "E")]
    built += [  # A: all the way, on or after the show
        e.visit("A", at(d(11, 14)), 1, campaign_id=show), e.test_drive("A", at(d(11, 14), 11)),
        e.order_placed(at(d(11, 16)), "A", order_id="OA"), e.delivered(at(d(11, 25)), "OA", "A")]
    built += [  # B: drove and ordered before arriving at the show: neither counts for it
        e.test_drive("B", at(d(11, 12))), e.order_placed(at(d(11, 13)), "B", order_id="OB"),
        e.delivered(at(d(11, 14), 9), "OB", "B"), e.visit("B", at(d(11, 15)), 2, campaign_id=show)]
    built += [e.visit("C", at(d(11, 14)), 1)]  # C: came that day, naming no campaign: not arrived
    built += [  # D: a walk-in at the show, uninvited; drove and ordered later, not delivered yet
        e.visit("D", at(d(11, 14), 16), 1, campaign_id=show), e.test_drive("D", at(d(11, 20))),
        e.order_placed(at(d(11, 20), 15), "D", order_id="OD")]
    built += [  # E: came both days (once for the show), drove on the first
        e.visit("E", at(d(11, 15)), 2, campaign_id=show), e.visit("E", at(d(11, 14)), 1, campaign_id=show),
        e.test_drive("E", at(d(11, 14), 12))]
    built += [e.invited(store_day, "A", at(d(11, 18))), e.invited(store_day, "F", at(d(11, 18))),
              e.visit("F", at(d(11, 21)), 1, campaign_id=store_day), e.order_placed(at(d(11, 22)), "F", order_id="OF"),
              e.delivered(at(d(11, 28)), "OF", "F")]
    return built


def _stages(item: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(item[k] for k in ("campaign_id", "invited", "arrived", "test_drives", "orders", "deliveries"))


def test_a_campaign_is_judged_by_its_leads_invited_arrived_test_driven_ordered_and_delivered(
        campaign_month, consume, as_role) -> None:
    consume(campaign_month)
    november = report(as_role, f"campaigns?{NOV}")
    assert november["campaigns"][0] == {
        "campaign_id": "M", "name": "Autumn motor show", "kind": "motor_show", "starts_on": "2026-11-14",
        "ends_on": "2026-11-15", "invited": 4, "arrived": 4, "test_drives": 3, "orders": 2, "deliveries": 1}
    # invited A B C E; arrived A B D E; drove on or after arriving A D E; ordered A D; delivered A
    assert [_stages(item) for item in november["campaigns"]] == [("M", 4, 4, 3, 2, 1), ("S", 2, 1, 0, 1, 1)]


def test_the_campaigns_listed_are_those_running_on_a_day_of_the_range_by_first_day(campaign_month, consume,
                                                                                  as_role) -> None:
    random.Random(2).shuffle(campaign_month)
    consume(campaign_month)
    edges = report(as_role, "campaigns?from=2026-10-10&to=2026-11-14")
    assert [_stages(item) for item in edges["campaigns"]] == [("O", 0, 0, 0, 0, 0), ("M", 4, 4, 3, 2, 1)]
    assert report(as_role, "campaigns?from=2026-11-16&to=2026-11-20")["campaigns"] == []
    csv = as_role("sales_manager", "m1").get(f"/api/v1/reports/campaigns?{NOV}&format=csv").get_data(as_text=True)
    assert csv.splitlines() == [
        "campaign_id,name,kind,starts_on,ends_on,invited,arrived,test_drives,orders,deliveries",
        "M,Autumn motor show,motor_show,2026-11-14,2026-11-15,4,4,3,2,1",
        "S,Store open day,in_store_event,2026-11-21,2026-11-21,2,1,0,1,1"]


# -- duplicates merged (合并) ---------------------------------------------------------------------------------------

@pytest.fixture
def a_customer_filed_twice(events) -> dict[str, list[dict[str, Any]]]:
    """P (c1, walk-in, 2 Nov) and Q (c2, referral, 3 Nov) are one person; both invited to campaign K."""
    e, at = events, events.at
    return {
        "before": [e.campaign("Test-drive weekend", "in_store_event", d(11, 5), d(11, 6), "K"),
                   e.lead(at(d(11, 2)), "c1", "walk_in", lead_id="P"), e.lead(at(d(11, 3)), "c2", "referral",
                                                                             lead_id="Q"),
                   e.invited("K", "P", at(d(11, 3)), "c1"), e.invited("K", "Q", at(d(11, 4)), "c2"),
                   e.visit("P", at(d(11, 2)), 1, "c1"), e.test_drive("P", at(d(11, 2), 11), "c1"),
                   e.visit("Q", at(d(11, 5)), 1, "c2", campaign_id="K"),
                   e.lost("Q", at(d(11, 6)), "price", "c2")],
        "merge": [e.merged("P", "Q", at(d(11, 10)))],
        # after the merge, orders still names the duplicate: it counts for the survivor
        "after": [e.order_placed(at(d(11, 20)), "Q", "c2", order_id="OQ")],
    }


BEFORE_MERGE = {"inquiries": 0, "leads": 2, "appointments": 0, "visits": 2, "test_drives": 1, "orders": 0,
                "deliveries": 0,
                "filing_rate": (1, 1),  # P: a walk-in filed with no inquiry logged is a contact, filed; Q: referred
                "appointment_arrival_rate": (0, 0),
                "return_visit_rate": (0, 2),  # P first came on the 2nd, Q on the 5th: two first visits
                "test_drive_rate": (1, 2), "conversion_30d": (0, 2), "referral_rate": (1, 2)}
AFTER_MERGE = {"inquiries": 0, "leads": 1, "appointments": 0, "visits": 2, "test_drives": 1, "orders": 1,
               "deliveries": 0, "filing_rate": (1, 1),  # the survivor P's walk-in, as before
               "appointment_arrival_rate": (0, 0),
               "return_visit_rate": (1, 1),  # one customer: first came on the 2nd, came back on the 5th
               "test_drive_rate": (1, 1),  # one visiting customer, who drove
               "conversion_30d": (1, 1),  # filed 2 Nov (P), ordered 20 Nov (naming Q)
               "referral_rate": (0, 1)}  # the survivor P came in as a walk-in


def _merge_figures(as_role: Any) -> dict[str, Any]:
    return {"team": _figures(funnel(as_role)), "c2": _figures(funnel(as_role, f"{NOV}&consultant_id=c2")),
            "lost": report(as_role, f"lost-reasons?{NOV}")["lost"],
            "campaign": _stages(report(as_role, f"campaigns?{NOV}")["campaigns"][0])}


def test_a_merged_duplicate_counts_once_in_every_rate_live_and_after_a_rebuild(
        app, a_customer_filed_twice, consume, as_role) -> None:
    consume(a_customer_filed_twice["before"])
    before = _merge_figures(as_role)
    assert before["team"] == BEFORE_MERGE
    assert (before["c2"]["leads"], before["c2"]["test_drive_rate"], before["c2"]["referral_rate"]) == (1, (0, 1),
                                                                                                        (1, 1))
    assert (before["lost"], before["campaign"]) == (1, ("K", 2, 1, 0, 0, 0))  # Q lost; P and Q invited, Q came

    consume(a_customer_filed_twice["merge"] + a_customer_filed_twice["after"])
    after = _merge_figures(as_role)
    assert after["team"] == AFTER_MERGE
    assert (after["c2"]["leads"], after["c2"]["visits"], after["c2"]["test_drive_rate"],
            after["c2"]["referral_rate"]) == (0, 1, (0, 0), (0, 0))  # c2's work stays c2's; the lead is P's, c1's
    # the duplicate's loss is gone; K: one customer invited, arrived on the 5th (as Q), drove before it (as P),
    # ordered after it (naming Q)
    assert (after["lost"], after["campaign"]) == (0, ("K", 1, 1, 0, 1, 0))

    ops = as_role("ops", "o1")
    assert ops.post("/api/v1/admin/rebuild").status_code == 202
    with app.extensions["dealer"].sessions() as session:
        assert run_requested_rebuilds(session) == 11
    assert _merge_figures(as_role) == after


def test_a_merge_counts_the_same_whether_it_arrives_before_or_after_the_duplicates_events(
        a_customer_filed_twice, consume, as_role) -> None:
    merge_first = [*a_customer_filed_twice["merge"], *reversed(a_customer_filed_twice["before"]),
                   *a_customer_filed_twice["after"]]
    consume(merge_first)
    found = _merge_figures(as_role)
    assert (found["team"], found["lost"], found["campaign"]) == (AFTER_MERGE, 0, ("K", 1, 1, 0, 1, 0))


# -- the duty roster --------------------------------------------------------------------------------------------

def test_the_duty_roster_is_kept_in_the_event_store_and_changes_no_figure(app, events, consume) -> None:
    consume([events.roster(d(11, 2), ["c1", "c2"])])
    with app.extensions["dealer"].sessions() as session:
        assert stored_count(session) == 1
        assert projection_rows(session) == {model.__tablename__: [] for model in PROJECTIONS}


# -- who may read them, and bad input -------------------------------------------------------------------------

def test_lost_reasons_and_campaigns_are_the_teams_figures_like_the_funnel(as_role, client) -> None:
    for path in ("lost-reasons", "campaigns"):
        for role in ("sales_manager", "ops", "back_office"):
            assert as_role(role, "u1").get(f"/api/v1/reports/{path}").status_code == 200, (path, role)
        for role in ("consultant", "inventory_clerk", "after_sales"):
            assert as_role(role, "u1").get(f"/api/v1/reports/{path}").status_code == 403, (path, role)
        answer = client.get(f"/api/v1/reports/{path}")
        assert answer.status_code == 401 and answer.mimetype == "application/problem+json"


BAD_QUERIES = [
    ("funnel?consultant_id=", "consultant_id"),
    (f"funnel?consultant_id={'c' * 65}", "consultant_id"),
    ("funnel?group_id=", "group_id"),
    ("funnel?group_id=g1&consultant_id=c1", "group_id"),  # one group's or one consultant's, not both
    ("lost-reasons?from=2026-11-31", "from"),
    ("lost-reasons?from=2026-11-10&to=2026-11-01", "to"),
    ("lost-reasons?consultant_id=", "consultant_id"),
    ("lost-reasons?format=xml", "format"),
    ("campaigns?to=soon", "to"),
    ("campaigns?consultant_id=c1", "consultant_id"),
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # input checks, not storage
@pytest.mark.parametrize(("query", "field"), BAD_QUERIES)
def test_a_bad_parameter_of_the_new_reports_is_422_naming_it(as_role, query: str, field: str) -> None:
    answer = as_role("sales_manager", "m1").get(f"/api/v1/reports/{query}")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json", answer.get_json()
    assert field in answer.get_json()["errors"], answer.get_json()


def test_the_openapi_document_describes_the_new_reports(client) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"/api/v1/reports/lost-reasons", "/api/v1/reports/campaigns"} <= set(paths)
    funnel_parameters = {p["name"] for p in paths["/api/v1/reports/funnel"]["get"]["parameters"]}
    assert {"from", "to", "consultant_id", "format"} <= funnel_parameters


def test_a_day_after_the_range_changes_none_of_its_figures(two_consultants_work, consume, events, as_role) -> None:
    before = funnel(as_role, "from=2026-11-01&to=2026-11-15&consultant_id=c2")
    consume([events.visit("L2", events.at(d(11, 16)), 3, "c2"), events.lead(events.at(d(11, 16)), "c2")])
    assert funnel(as_role, "from=2026-11-01&to=2026-11-15&consultant_id=c2") == before
    assert funnel(as_role, "from=2026-11-16&to=2026-11-16&consultant_id=c2")["leads"] == 1
    assert funnel(as_role, "from=2026-11-16&to=2026-11-16")["leads"] == 1


# -- over the real bus, into the real processes -----------------------------------------------------------------

def test_the_sales_floors_events_from_the_bus_give_the_same_reports_after_a_rebuild(
        start_service, postgres_url, bus, events, four_appointments, losses, campaign_month) -> None:
    reporting = start_service("reporting", database_url=postgres_url)
    manager, ops = token("sales_manager", "m1"), token("ops", "o1")
    sentinel = events.event("leads.lead.followed_up", "L1", {  # the last event on the queue
        "lead_id": "L1", "follow_up_id": "f-1", "channel": "phone", "by": "c1", "owner_id": "c1",
        "at": events.at(d(11, 30)).isoformat(), "next_follow_up_at": None})
    stream = [*four_appointments, *losses, *campaign_month, events.roster(d(11, 2), ["c1", "c2"]), sentinel]

    def get(path: str) -> Any:
        return json_of(requests.get(f"{reporting.url}/api/v1/{path}", headers=manager, timeout=5))

    def stored() -> int:
        return int(json_of(requests.get(f"{reporting.url}/api/v1/admin/status", headers=ops, timeout=5))
                   ["events_stored"])

    def figures() -> tuple[Any, ...]:
        return (get(f"reports/funnel?{NOV}")["rate_details"]["appointment_arrival_rate"],
                get(f"reports/lost-reasons?{NOV}"), [_stages(c) for c in get(f"reports/campaigns?{NOV}")["campaigns"]])

    bus(stream)
    wait_for(lambda: stored() == len(stream), timeout=60, message="the sales floor's events to be stored")
    live = figures()
    assert live == ({"numerator": 2, "denominator": 4}, LOST_NOVEMBER, [("M", 4, 4, 3, 2, 1), ("S", 2, 1, 0, 1, 1)])
    started = requests.post(f"{reporting.url}/api/v1/admin/rebuild", headers=ops, timeout=5)
    assert started.status_code == 202, started.text
    progress = f"{reporting.url}{started.headers['Location']}"
    wait_for(lambda: json_of(requests.get(progress, headers=ops, timeout=5))["status"] == "done", timeout=60,
             message="the rebuild to finish")
    assert figures() == live

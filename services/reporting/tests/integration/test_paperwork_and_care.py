"""The back office's paperwork and after-sales for every car, as the reports show them (DOMAIN.md round 2).

November 2026 (store time, Asia/Shanghai), every figure worked out by hand below, with events just outside the
month (October; 1 December after midnight) that must not count; the same figures after a redelivery, a
rebuild, the events in reverse order, and through the real broker.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import requests
from sqlalchemy import delete, select

from dealer_testing import token, wait_for
from reporting.models import PROJECTIONS, PaperworkFact, RebuildRun, StoredEvent
from reporting.public import mask_event, stored_row
from reporting.rebuild.replay import rebuild_projections
from reporting.services import run_requested_rebuilds
from shared.clock import utcnow
from shared.db import dispose_engines, session_factory
from shared.migrations import upgrade
from shared.service import service

NOV = "from=2026-11-01&to=2026-11-30"
AUTUMN = "from=2026-10-01&to=2026-11-30"


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def november(events, round2) -> list[dict[str, Any]]:
    """The month's paperwork and after-sales, in the order the departments would publish it."""
    e, r, at = events, round2, events.at
    slot = {name: e.new_id() for name in ("S0", "S1", "S2", "S3", "S4")}
    return [
        # sales: O1 loan + both policies; O2 compulsory only, loan approved but never paid out; O3 commercial only,
        # delivered 23:30 on the last day; O4 delivered 1 December just after midnight; O5 never delivered
        r.loan_decided("O1", at(d(11, 1)), True), r.disbursed("O1", at(d(11, 2))),
        r.policy("O1", "compulsory", d(11, 5)), r.policy("O1", "commercial", d(11, 5)),
        e.delivered(at(d(11, 5)), "O1", None, "c1", price="189900.00"),
        r.loan_decided("O2", at(d(11, 8)), True), r.policy("O2", "compulsory", d(11, 12)),
        e.delivered(at(d(11, 12)), "O2", None, "c2", price="113000.00"),
        r.policy("O3", "commercial", d(11, 30)),
        e.delivered(at(d(11, 30), 23, 30), "O3", None, "c1", price="100000.00"),
        r.disbursed("O4", at(d(11, 28))), r.policy("O4", "commercial", d(12, 1)),
        e.delivered(at(d(12, 1), 0, 10), "O4", None, "c1", price="150000.00"),
        r.disbursed("O5", at(d(11, 20))),
        # reminder calls: R4 in October; R1 twice in November; R5 a minute before November ends
        r.call("R4", at(d(10, 31), 23, 50), "booked", slot["S0"]),
        r.booked(slot["S0"], at(d(10, 31), 23, 51), at(d(11, 3))),
        r.appointment_news("kept", slot["S0"], at(d(11, 3)), at(d(11, 3))),
        r.call("R1", at(d(11, 2)), "no_answer"), r.call("R1", at(d(11, 3)), "booked", slot["S1"]),
        r.booked(slot["S1"], at(d(11, 3), 10, 5), at(d(11, 10))),
        r.call("R2", at(d(11, 4)), "declined"), r.call("R3", at(d(11, 5)), "wrong_number"),
        r.booked(slot["S2"], at(d(11, 6)), at(d(11, 12))), r.booked(slot["S3"], at(d(11, 7)), at(d(11, 20))),
        r.appointment_news("cancelled", slot["S3"], at(d(11, 8)), at(d(11, 20))),
        r.appointment_news("kept", slot["S1"], at(d(11, 10)), at(d(11, 10))),
        r.appointment_news("missed", slot["S2"], at(d(11, 13), 0, 5), at(d(11, 12))),
        r.call("R5", at(d(11, 30), 23, 59), "booked", slot["S4"]),
        r.booked(slot["S4"], at(d(11, 30), 23, 59), at(d(12, 3))),
        # questionnaires: V1 in October; V4 for a car bought elsewhere (no seller); V6 before the questionnaire
        r.questionnaire(at(d(10, 20)), (5, 5, 4, 10), "c1"),
        r.questionnaire(at(d(11, 3)), (4, 4, 4, 9), "c1"),
        r.questionnaire(at(d(11, 10)), (3, 2, 4, 6), "c2"),
        r.questionnaire(at(d(11, 15)), (5, 4, 3, 8), None),
        r.questionnaire(at(d(11, 20)), (5, 5, 4, 10), "c2"),
        r.questionnaire(at(d(11, 21)), None, None),
        # customer files and grades
        r.customer("CU4", at(d(10, 15)), "walk_in", "second"),
        r.customer("CU1", at(d(11, 5)), "sale", "second"), r.customer("CU2", at(d(11, 6)), "walk_in", "other"),
        r.customer("CU3", at(d(11, 28)), "walk_in", "other"),
        r.graded("CU1", d(11, 20), "first", "second"),
        r.graded("CU3", d(11, 25), "first", "other"), r.graded("CU3", d(11, 29), "vip", "first"),
        # notices
        r.notice(at(d(10, 30)), 50), r.notice(at(d(11, 10)), 120), r.notice(at(d(11, 25)), 35),
    ]


# Sales of November: O1 189900.00, O2 113000.00, O3 100000.00 (O4 is December's) -> 3 units, 402900.00.
# VAT per sale, price x 13 / 113 to the fen, half up: 189900 -> 21846.902.. = 21846.90; 113000 -> 13000.00;
# 100000 -> 11504.424.. = 11504.42; VAT 46351.32; net 402900.00 - 46351.32 = 356548.68.
# Loans disbursed: O1 (O4 December's, O5 never delivered) -> 1 of 3; commercial: O1, O3 -> 2 of 3;
# compulsory: O1, O2 -> 2 of 3.
SALES = {"revenue": "402900.00", "revenue_net_of_vat": "356548.68", "vat": "46351.32",
         "penetration": {"loan": 0.3333, "commercial_insurance": 0.6667, "compulsory_insurance": 0.6667},
         "penetration_details": {"loan": {"numerator": 1, "denominator": 3},
                                 "commercial_insurance": {"numerator": 2, "denominator": 3},
                                 "compulsory_insurance": {"numerator": 2, "denominator": 3}}}
# c1's own: O1, O3 -> 289900.00; VAT 21846.90 + 11504.42 = 33351.32; net 256548.68; loan 1/2, commercial 2/2,
# compulsory 1/2.
C1_SALES = {"revenue": "289900.00", "revenue_net_of_vat": "256548.68", "vat": "33351.32",
            "penetration": {"loan": 0.5, "commercial_insurance": 1.0, "compulsory_insurance": 0.5},
            "penetration_details": {"loan": {"numerator": 1, "denominator": 2},
                                    "commercial_insurance": {"numerator": 2, "denominator": 2},
                                    "compulsory_insurance": {"numerator": 1, "denominator": 2}}}
# Calls of November: R1 no answer, R1 booked, R2 declined, R3 wrong number, R5 booked (R4 is October's) -> 5.
CALLS = {"calls": 5, "booked": 2, "declined": 1, "no_answer": 1, "wrong_number": 1}
# Booked in November: S1 (kept), S2 (missed), S3 (cancelled), S4 (for December: still pending); S0 was booked
# in October though kept in November. Keep rate 1 of 4 = 0.25.
APPOINTMENTS = {"made": 4, "kept": 1, "missed": 1, "cancelled": 1, "pending": 1, "keep_rate": 0.25,
                "keep_rate_details": {"numerator": 1, "denominator": 4}}
# Filed in November: CU1 (sale), CU2, CU3 (walk-ins); CU4 in October. Grades now: CU1 first (20 Nov),
# CU2 other, CU3 vip (29 Nov beats 25 Nov), CU4 second.
FILED = {"sale": 1, "walk_in": 2}
GRADES = {"vip": 1, "first": 1, "second": 1, "other": 1}
NOTICES = {"sent": 2, "recipients": 155}  # 120 + 35; October's 50 left out


def satisfaction(questionnaires: int, points: int, answers: int, promoters: int, passives: int, detractors: int,
                 csi: float, nps: float) -> dict[str, Any]:
    return {"questionnaires": questionnaires, "csi": csi, "csi_details": {"answer_points": points, "answers": answers},
            "nps": nps, "nps_details": {"promoters": promoters, "passives": passives, "detractors": detractors,
                                        "responses": promoters + passives + detractors}}


# November's questionnaires: V2 4+4+4 (9: promoter), V3 3+2+4 (6: detractor), V4 5+4+3 (8: passive),
# V5 5+5+4 (10: promoter); V6 has none. Points 12 + 9 + 12 + 14 = 47 over 12 answers = 3.9166.. -> 3.92;
# NPS (2 - 1) / 4 x 100 = 25.0.
NOV_SATISFACTION = satisfaction(4, 47, 12, 2, 1, 1, 3.92, 25.0)
OCT_SATISFACTION = satisfaction(1, 14, 3, 1, 0, 0, 4.67, 100.0)  # V1: 5+5+4 = 14 / 3 = 4.666..
C1_NOV = satisfaction(1, 12, 3, 1, 0, 0, 4.0, 100.0)  # V2
C1_AUTUMN = satisfaction(2, 26, 6, 2, 0, 0, 4.33, 100.0)  # V1 + V2: 26 / 6 = 4.333..
C2 = satisfaction(2, 23, 6, 1, 0, 1, 3.83, 0.0)  # V3 + V5: 9 + 14 = 23 / 6 = 3.833..; (1 - 1) / 2


def figures(read: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The figures under test, each report read as JSON through ``read``."""
    sales = read("/api/v1/reports/sales?period=month&date=2026-11")
    return {"sales": {key: sales[key] for key in SALES}, "after_sales": read(f"/api/v1/reports/after-sales?{NOV}"),
            "autumn": read(f"/api/v1/reports/after-sales?{AUTUMN}")["questionnaire"]}


def reader(caller: Any) -> Callable[[str], dict[str, Any]]:
    return lambda path: caller.get(path).get_json()


def check(found: dict[str, Any]) -> None:
    assert found["sales"] == SALES
    report = found["after_sales"]
    assert report["reminder_calls"] == CALLS
    assert report["service_appointments"] == APPOINTMENTS
    assert (report["customers_filed"], report["grades"], report["notices"]) == (FILED, GRADES, NOTICES)
    questionnaire = report["questionnaire"]
    assert {k: v for k, v in questionnaire.items() if not k.startswith("by_")} == NOV_SATISFACTION
    assert questionnaire["by_month"] == [{"month": "2026-11", **NOV_SATISFACTION}]
    assert questionnaire["by_consultant"] == [{"consultant_id": "c1", "name": "Staff c1", **C1_NOV},
                                              {"consultant_id": "c2", "name": None, **C2}]
    autumn = found["autumn"]
    assert autumn["by_month"] == [{"month": "2026-10", **OCT_SATISFACTION}, {"month": "2026-11", **NOV_SATISFACTION}]
    assert autumn["by_consultant"] == [{"consultant_id": "c1", "name": "Staff c1", **C1_AUTUMN},
                                       {"consultant_id": "c2", "name": None, **C2}]


def test_paperwork_and_after_sales_figures_of_the_month_equal_those_worked_out_by_hand(
        november, consume, as_role, on_staff) -> None:
    on_staff("c1")
    consume(november)
    check(figures(reader(as_role("sales_manager", "m1"))))


def test_a_consultant_reads_penetration_and_net_revenue_of_their_own_deliveries_only(november, consume,
                                                                                   as_role) -> None:
    consume(november)
    own = as_role("consultant", "c1").get("/api/v1/reports/sales?period=month&date=2026-11").get_json()
    assert {key: own[key] for key in C1_SALES} == C1_SALES


def test_the_csv_reports_carry_net_revenue_penetration_and_the_after_sales_figures(november, consume,
                                                                                 as_role) -> None:
    consume(november)
    manager = as_role("sales_manager", "m1")
    sales = list(csv.reader(io.StringIO(manager.get("/api/v1/reports/sales?period=month&date=2026-11&format=csv")
                                        .get_data(as_text=True))))
    assert ["revenue_net_of_vat", "", "", "356548.68", "", ""] in sales
    assert ["vat", "", "", "46351.32", "", ""] in sales
    assert ["penetration", "loan", "1", "", "0.3333", ""] in sales  # numerator as units; the total row has 3
    assert ["penetration", "commercial_insurance", "2", "", "0.6667", ""] in sales
    after = dict(csv.reader(io.StringIO(manager.get(f"/api/v1/reports/after-sales?{NOV}&format=csv")
                                        .get_data(as_text=True))))
    assert (after["reminder_calls_wrong_number"], after["service_appointments_keep_rate"]) == ("1", "0.25")
    assert (after["customers_filed_walk_in"], after["notices_recipients"], after["grades_vip"]) == ("2", "155", "1")
    assert (after["csi_questionnaire"], after["nps_questionnaire"], after["detractors_questionnaire"]) == (
        "3.92", "25.0", "1")
    assert (after["csi consultant c2"], after["nps month 2026-11"]) == ("3.83", "25.0")


def test_a_redelivery_a_rebuild_and_the_events_in_reverse_order_give_the_same_figures(
        app, november, consume, as_role, on_staff) -> None:
    on_staff("c1")
    consume(november)
    manager = reader(as_role("sales_manager", "m1"))
    consume(november)  # redelivered: the event store refuses a second copy
    check(figures(manager))
    with app.extensions["dealer"].sessions() as session, session.begin():
        assert rebuild_projections(session, chunk=5) == len(november)
    check(figures(manager))
    with app.extensions["dealer"].sessions() as session, session.begin():
        for model in (*PROJECTIONS, StoredEvent):
            session.execute(delete(model))
    consume(list(reversed(november)))  # kept before booked, graded before filed, disbursed after delivered
    check(figures(manager))


def test_figures_arrive_through_the_broker_from_the_departments_events(start_service, bus, november) -> None:
    reporting = start_service("reporting")
    manager = token("sales_manager", "m1")
    assert requests.put(f"{reporting.url}/api/v1/staff/c1", headers=manager, timeout=5,
                        json={"name": "Staff c1", "role": "consultant"}).status_code == 200
    bus(november)
    wait_for(lambda: requests.get(f"{reporting.url}/api/v1/admin/status", headers=manager, timeout=5)
             .json()["events_stored"] == len(november), timeout=60, message="every event to be stored")
    check(figures(lambda path: requests.get(f"{reporting.url}{path}", headers=manager, timeout=10).json()))


def test_upgrading_to_the_department_figures_queues_one_rebuild_that_fills_them(database_url, dealer_env,
                                                                                 events, round2) -> None:
    upgrade(service("reporting"), database_url, "0008")
    sessions = session_factory(database_url)
    stored = [round2.disbursed("O1", events.at(d(11, 2))),
              events.delivered(events.at(d(11, 5)), "O1", None, "c1", price="189900.00")]
    with sessions() as session, session.begin():  # stored before reporting read loans
        session.execute(StoredEvent.__table__.insert(), [stored_row(mask_event(e), utcnow()) for e in stored])
    upgrade(service("reporting"), database_url)
    with sessions() as session:
        runs = session.scalars(select(RebuildRun)).all()
        assert [(run.status, run.total, run.requested_by) for run in runs] == [("pending", 2, "migration 0009")]
    with sessions() as session:
        assert run_requested_rebuilds(session) == 2  # the worker's job
    with sessions() as session:
        paperwork = session.get(PaperworkFact, "O1")
        assert paperwork is not None and (paperwork.loan_disbursed, paperwork.commercial_insurance) == (True, False)
    dispose_engines()

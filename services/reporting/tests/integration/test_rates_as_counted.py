"""The funnel's rates as the store counts them, over HTTP on SQLite and PostgreSQL: leads younger than 30 days
set apart, every rate beside its parts and what each figure counts, who a contact is credited to, and the
people's names from the staff directory."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dealer_testing import token
from reporting.rebuild.replay import rebuild_projections

SHANGHAI = ZoneInfo("Asia/Shanghai")


def get(client: Any, path: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/{path}", headers=token("sales_manager", "m1"))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_leads_younger_than_30_days_are_left_out_of_the_conversion_and_reported_apart(
        app, client, events, consume) -> None:
    today = datetime.now(SHANGHAI).date()
    at = events.at
    old, edge, young, newest = (events.new_id() for _ in range(4))
    consume([
        events.lead(at(today - timedelta(days=40)), lead_id=old),  # judged since day 31
        events.order_placed(at(today - timedelta(days=20)), old),  # 20 days after filing: converted
        events.lead(at(today - timedelta(days=31), 23, 59), lead_id=edge),  # its 30 days ended yesterday 23:59
        events.lead(at(today - timedelta(days=30), 0, 1), lead_id=young),  # 30 days end today 00:01: not yet judged
        events.order_placed(at(today - timedelta(days=1)), young),  # ordered so far
        events.lead(at(today), lead_id=newest),  # filed today
    ])
    span = f"reports/funnel?from={today - timedelta(days=45)}&to={today}"
    found = get(client, span)
    # judged: old (ordered) and edge (not) = 1 / 2; apart: young and newest, of which young ordered
    assert found["rate_details"]["conversion_30d"] == {"numerator": 1, "denominator": 2, "not_yet_30_days": 2,
                                                       "ordered_so_far": 1}
    assert found["rates"]["conversion_30d"] == 0.5
    assert found["leads"] == 4  # the bar counts every lead filed in the range, young or not
    with app.extensions["dealer"].sessions() as session, session.begin():
        rebuild_projections(session)
    assert get(client, span) == found


def test_the_funnel_csv_gives_every_rate_its_numerator_and_denominator_and_every_figure_what_it_counts(
        client, events, consume) -> None:
    day = datetime(2026, 10, 12, tzinfo=SHANGHAI).date()
    call = events.inquiry(events.at(day), "phone", "c1")
    consume([call, events.lead(events.at(day + timedelta(days=1)), "c1", inquiry_ids=(call["data"]["inquiry_id"],)),
             events.inquiry(events.at(day), "phone", "c1", filed=True, lead_id="L-on-file")])
    answer = client.get("/api/v1/reports/funnel?from=2026-10-01&to=2026-10-31&format=csv",
                        headers=token("sales_manager", "m1"))
    rows = {row["metric"]: row for row in csv.DictReader(io.StringIO(answer.get_data(as_text=True)))}
    # two calls logged (the bar), one of them a new customer's, filed the next day: 1 / 1
    assert (rows["inquiries"]["value"], rows["filing_rate"]["numerator"], rows["filing_rate"]["denominator"]) == (
        "2", "1", "1")
    assert "repeat calls" in rows["inquiries"]["counts"] and "next local day" in rows["filing_rate"]["counts"]
    assert (rows["conversion_30d.not_yet_30_days"]["value"], rows["conversion_30d.ordered_so_far"]["value"]) == (
        "0", "0")  # October's lead has had its 30 days
    assert all(rows[name]["numerator"] != "" and rows[name]["denominator"] != ""
               for name in ("filing_rate", "appointment_arrival_rate", "return_visit_rate", "test_drive_rate",
                            "conversion_30d", "referral_rate"))


def test_a_consultants_filing_rate_counts_the_contacts_they_received_or_filed_directly(
        client, events, consume, on_staff) -> None:
    on_staff("c1", "c2")
    day = datetime(2026, 10, 12, tzinfo=SHANGHAI).date()
    consume([events.inquiry(events.at(day), "phone", "c1"),  # c1 took a call, never filed
             events.lead(events.at(day), "c2", "walk_in"),  # c2 filed a walk-in straight away
             events.inquiry(events.at(day), "walk_in", "c2", filed=True, lead_id="L-on-file")])  # on file: neither
    c1 = get(client, f"reports/funnel?from={day}&to={day}&consultant_id=c1")
    c2 = get(client, f"reports/funnel?from={day}&to={day}&consultant_id=c2")
    assert (c1["consultant_name"], c1["rate_details"]["filing_rate"]) == ("Staff c1", {"numerator": 0,
                                                                                      "denominator": 1})
    assert (c2["consultant_name"], c2["rate_details"]["filing_rate"]) == ("Staff c2", {"numerator": 1,
                                                                                      "denominator": 1})
    team = get(client, f"reports/funnel?from={day}&to={day}")["rate_details"]["filing_rate"]
    assert team == {"numerator": 1, "denominator": 2}  # 0/1 + 1/1


def test_the_consultants_report_names_each_person_and_splits_units_by_model_class_beside_its_targets(
        client, events, consume, on_staff) -> None:
    on_staff("c1")
    day = datetime(2026, 10, 12, tzinfo=SHANGHAI).date()
    consume([events.delivered(events.at(day), "O-1", None, "c1", model_class="SUV", car=events.vin(31)),
             events.delivered(events.at(day), "O-2", None, "c1", model_class="SUV", car=events.vin(32)),
             events.delivered(events.at(day), "O-3", None, "c1", model_class="sedan", car=events.vin(33)),
             events.delivered(events.at(day), "O-4", None, "c9", car=events.vin(34))])
    answer = client.put("/api/v1/targets/2026-10", headers=token("sales_manager", "m1"), json={"targets": [
        {"consultant_id": "c1", "units": 5, "by_model_class": {"SUV": 3, "MPV": 1}}]})
    assert answer.status_code == 200, answer.get_json()
    rows = {row["consultant_id"]: row for row in get(client, "reports/consultants?month=2026-10")["items"]}
    assert rows["c1"]["name"] == "Staff c1" and rows["c9"]["name"] is None  # c9 is on no staff list
    assert rows["c1"]["completion_details"] == {"numerator": 3, "denominator": 5}  # 3 delivered of 5
    assert rows["c1"]["by_model_class"] == {"MPV": {"units": 0, "target": 1}, "SUV": {"units": 2, "target": 3},
                                            "sedan": {"units": 1, "target": None}}
    sales = get(client, "reports/sales?period=month&date=2026-10")["by_consultant"]
    assert [(row["consultant_id"], row["name"]) for row in sales] == [("c1", "Staff c1"), ("c9", None)]

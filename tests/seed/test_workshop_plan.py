"""The after-sales desk's part of the seed's plan (demo_store/workshop.py): walk-in owners with plans, reminder
calls of every outcome, appointments kept, cancelled and left to be missed, consent given and withdrawn, surveys
with their questionnaire, a prospect's complaint and a notice."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from after_sales.domain import check_answers, normalise_plate, normalise_vin
from demo_store.build import build_plan
from demo_store.plan import Plan, PlanArgs
from shared.privacy import normalise_phone

UNTIL = datetime(2026, 11, 30, 3, 58, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def quarter() -> Plan:
    return build_plan(PlanArgs(seed=6, days=90, scale=8, until=UNTIL, tz=SHANGHAI))


def verbs(plan: Plan, verb: str) -> list:
    return [a for a in plan.actions if a.verb == verb]


def test_walk_in_owners_are_filed_with_numbers_after_sales_accepts_and_phones_no_buyer_has(quarter: Plan) -> None:
    walk_ins = verbs(quarter, "file_walk_in")
    assert 20 <= len(walk_ins) <= 60
    buyers = {a.body["phone"] for a in verbs(quarter, "file_lead")}
    phones = [a.body["phone"] for a in walk_ins]
    assert len(set(phones)) == len(phones) and not set(phones) & buyers
    assert all(normalise_phone(p) == p for p in phones)
    vins = [a.body["vehicle"]["vin"] for a in walk_ins]
    plates = [a.body["vehicle"]["plate"] for a in walk_ins]
    assert len(set(vins)) == len(vins) == len(set(plates)) and all(normalise_vin(v) == v for v in vins)
    assert all(normalise_plate(p) == p for p in plates) and all(a.body["address"] for a in walk_ins)
    assert 0 < len(verbs(quarter, "set_plan")) < len(walk_ins)


def test_reminder_calls_have_every_outcome_and_each_booked_one_names_a_later_time(quarter: Plan) -> None:
    calls = verbs(quarter, "call_reminder")
    assert set(Counter(a.body["outcome"] for a in calls)) == {"booked", "no_answer", "declined", "wrong_number"}
    for call in calls:
        if call.body["outcome"] == "booked":
            assert datetime.fromisoformat(call.body["scheduled_at"]) > datetime.fromisoformat(call.body["occurred_at"])
            assert call.names == f"appointment:{call.ref}"


def test_appointments_are_kept_cancelled_or_left_for_the_worker_to_mark_missed(quarter: Plan) -> None:
    booked = {a.names for a in verbs(quarter, "call_reminder") if a.body["outcome"] == "booked"}
    kept = {a.ref for a in verbs(quarter, "arrive_service_visit")}
    cancelled = {a.ref for a in verbs(quarter, "cancel_service_visit")}
    assert kept and cancelled and not kept & cancelled and kept | cancelled < booked  # the rest are missed
    serviced = {a.ref for a in verbs(quarter, "record_service") if a.ref.startswith("walkin:")}
    assert serviced == {ref.removeprefix("appointment:") for ref in kept}


def test_consent_is_given_by_most_customers_and_withdrawn_by_a_few_before_the_notice(quarter: Plan) -> None:
    statements = verbs(quarter, "set_consent")
    given = {a.ref for a in statements if a.body["marketing"]}
    withdrawn = [a for a in statements if not a.body["marketing"]]
    assert given and withdrawn and {a.ref for a in withdrawn} <= given
    [notice] = verbs(quarter, "send_notice")
    assert all(a.when <= notice.when for a in statements if a.when.date() < notice.when.date())


def test_surveys_carry_the_questionnaire_and_a_prospect_complains_by_phone(quarter: Plan) -> None:
    calls = verbs(quarter, "call_back")
    assert calls and all(check_answers(a.body["answers"]) == a.body["answers"] for a in calls)
    [prospect] = [a for a in verbs(quarter, "open_complaint") if "phone" in a.body]
    assert "customer_id" not in prospect.body and normalise_phone(prospect.body["phone"]) == prospect.body["phone"]

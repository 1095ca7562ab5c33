"""The consultant's agenda (今日待办, issue 14): follow-ups due and overdue, the day's appointments and idle
leads, by the store's local day; a consultant reads their own, a manager anyone's. SQLite and PostgreSQL.

History is placed in the past with ``occurred_at``; the agenda's day D is 30 local days ago, so every
expected value below is worked out from the times written here.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.now(SHANGHAI).date() - timedelta(days=30)


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def local(days_from_d: int, clock: str) -> str:
    """A store time on the day D + ``days_from_d``, as a person at the store writes it."""
    return f"{(D + timedelta(days=days_from_d)).isoformat()}T{clock}:00+08:00"


def follow_up(caller: Any, lead: dict[str, Any], at: str, next_at: str | None, summary: str = "called") -> None:
    body = {"channel": "phone", "summary": summary, "next_follow_up_at": next_at, "occurred_at": at}
    response = caller.post(f"/api/v1/leads/{lead['id']}/follow-ups", json=body)
    assert response.status_code == 201, response.get_json()


def agenda(caller: Any, day: date = D, **params: str) -> Any:
    return caller.get("/api/v1/agenda", query_string={"date": day.isoformat(), **params})


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["lead_id"] for item in items]


@pytest.fixture
def day_of_c1(as_role, new_lead) -> dict[str, dict[str, Any]]:
    """c1's leads around day D (and one of c2's), each placed to land in one list or none."""
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    leads = {
        "due": new_lead(c1, phone="13900000001", occurred_at=local(-3, "09:00")),
        "overdue": new_lead(c1, phone="13900000002", occurred_at=local(-5, "09:00")),
        "followed_since": new_lead(c1, phone="13900000003", occurred_at=local(-6, "09:00")),
        "idle": new_lead(c1, phone="13900000004", occurred_at=local(-7, "23:59")),
        "six_local_days": new_lead(c1, phone="13900000005", occurred_at=local(-6, "00:30")),
        "lost": new_lead(c1, phone="13900000006", occurred_at=local(-20, "09:00")),
        "of_c2": new_lead(c2, phone="13900000007", occurred_at=local(-20, "09:00")),
    }
    follow_up(c1, leads["due"], local(-2, "10:00"), local(0, "15:00"))
    booked = c1.post(f"/api/v1/leads/{leads['due']['id']}/appointments",
                     json={"scheduled_at": local(0, "14:00"), "purpose": "test_drive",
                           "occurred_at": local(-2, "10:05")})
    assert booked.status_code == 201
    c1.post(f"/api/v1/leads/{leads['overdue']['id']}/appointments",
            json={"scheduled_at": local(1, "10:00"), "occurred_at": local(-4, "10:05")})  # the next day: not listed
    follow_up(c1, leads["overdue"], local(-4, "10:00"), local(-1, "11:00"))
    follow_up(c1, leads["followed_since"], local(-5, "10:00"), local(-2, "10:00"))
    follow_up(c1, leads["followed_since"], local(-1, "16:00"), local(3, "10:00"))
    follow_up(c1, leads["lost"], local(-2, "10:00"), local(0, "09:00"))
    assert c1.post(f"/api/v1/leads/{leads['lost']['id']}/lost", json={"reason": "bought elsewhere"}).status_code == 200
    follow_up(c2, leads["of_c2"], local(-2, "10:00"), local(0, "09:00"))
    return {**leads, "appointment": booked.get_json()}


def test_the_agenda_lists_due_overdue_the_days_appointments_and_idle_leads_by_local_day(as_role, day_of_c1) -> None:
    answer = agenda(as_role("consultant", "c1"))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["date"] == D.isoformat() and body["consultant_id"] == "c1"
    assert ids(body["follow_ups_due"]) == [day_of_c1["due"]["id"]]  # not the lost lead, not c2's
    assert ids(body["follow_ups_overdue"]) == [day_of_c1["overdue"]["id"]]  # not the one followed up since
    # D-7 23:59 local is 7 local days back: idle; D-6 00:30 local (D-7 16:30 UTC) is 6: not idle
    assert ids(body["idle_leads"]) == [day_of_c1["idle"]["id"]]
    assert ids(body["appointments"]) == [day_of_c1["due"]["id"]]
    due, overdue = body["follow_ups_due"][0], body["follow_ups_overdue"][0]
    assert due["due_at"] == local(0, "15:00") and due["name"] == "Wang Lei" and due["level"] == "C"
    assert due["days_since_last_contact"] == 2  # the appointment booked D-2 10:05
    assert overdue["due_at"] == local(-1, "11:00") and overdue["days_since_last_contact"] == 4
    assert body["idle_leads"][0]["days_since_last_contact"] == 7
    appointment = body["appointments"][0]
    assert appointment["appointment_id"] == day_of_c1["appointment"]["id"]
    assert appointment["scheduled_at"] == local(0, "14:00") and appointment["purpose"] == "test_drive"
    assert due["phone"] == "13900000001"  # the owner sees their own customer's phone


def test_on_the_next_day_the_due_follow_up_is_overdue_and_more_leads_are_idle(as_role, day_of_c1) -> None:
    body = agenda(as_role("consultant", "c1"), D + timedelta(days=1)).get_json()
    assert ids(body["follow_ups_due"]) == []
    assert sorted(ids(body["follow_ups_overdue"])) == sorted([day_of_c1["due"]["id"], day_of_c1["overdue"]["id"]])
    assert sorted(ids(body["idle_leads"])) == sorted([day_of_c1["idle"]["id"], day_of_c1["six_local_days"]["id"]])
    assert ids(body["appointments"]) == [day_of_c1["overdue"]["id"]]  # booked at D-4 for D+1 10:00
    assert body["appointments"][0]["scheduled_at"] == local(1, "10:00")


def test_a_manager_reads_any_consultants_agenda_and_by_default_their_own(as_role, day_of_c1) -> None:
    manager = as_role("sales_manager", "m1")
    body = agenda(manager, consultant_id="c1").get_json()
    assert body["consultant_id"] == "c1" and ids(body["follow_ups_due"]) == [day_of_c1["due"]["id"]]
    assert body["follow_ups_due"][0]["phone"] == "13900000001"  # managers see phones in full
    own = agenda(manager).get_json()
    assert own["consultant_id"] == "m1" and own["follow_ups_due"] == [] and own["idle_leads"] == []


def test_a_consultant_may_not_read_another_consultants_agenda(as_role, day_of_c1) -> None:
    answer = agenda(as_role("consultant", "c2"), consultant_id="c1")
    assert answer.status_code == 403 and answer.mimetype == "application/problem+json"
    assert "consultant_id" in answer.get_json()["errors"]
    own = agenda(as_role("consultant", "c2"), consultant_id="c2").get_json()
    assert ids(own["follow_ups_due"]) == [day_of_c1["of_c2"]["id"]]


def test_the_agenda_date_defaults_to_today_in_the_store(as_role) -> None:
    body = as_role("consultant", "c1").get("/api/v1/agenda").get_json()
    assert body["date"] == datetime.now(SHANGHAI).date().isoformat()
    assert body == {**body, "follow_ups_due": [], "follow_ups_overdue": [], "appointments": [], "idle_leads": [],
                    "follow_ups_overdue_total": 0, "idle_leads_total": 0}


def test_the_overdue_and_idle_lists_answer_their_most_urgent_leads_up_to_the_limit_and_their_totals(
        as_role, new_lead) -> None:
    """Three follow-ups due on D (all listed), three overdue and three idle leads; with limit 2 the two overdue
    longest and the two idle longest are listed, and the totals say 3."""
    c1 = as_role("consultant", "c1")
    due = [new_lead(c1, phone=f"1390000002{n}", occurred_at=local(-3, "09:00")) for n in range(3)]
    for n, lead in enumerate(due):
        follow_up(c1, lead, local(-2, f"1{n}:00"), local(0, f"1{n}:30"))
    overdue = [new_lead(c1, phone=f"1390000003{n}", occurred_at=local(-6, "09:00")) for n in range(3)]
    for n, lead in enumerate(overdue):  # due D-3, D-2, D-1 (n = 0, 1, 2), last contact D-5: not idle
        follow_up(c1, lead, local(-5, "10:00"), local(n - 3, "11:00"))
    idle = [new_lead(c1, phone=f"1390000004{n}", occurred_at=local(-20 + 5 * n, "09:00")) for n in range(3)]
    body = agenda(c1, limit="2").get_json()
    assert ids(body["follow_ups_due"]) == [lead["id"] for lead in due]  # the day's list is never cut
    assert ids(body["follow_ups_overdue"]) == [overdue[0]["id"], overdue[1]["id"]]  # due D-3 and D-2
    assert [item["due_at"] for item in body["follow_ups_overdue"]] == [local(-3, "11:00"), local(-2, "11:00")]
    assert ids(body["idle_leads"]) == [idle[0]["id"], idle[1]["id"]]  # filed D-20 and D-15
    assert [item["days_since_last_contact"] for item in body["idle_leads"]] == [20, 15]
    assert (body["follow_ups_overdue_total"], body["idle_leads_total"]) == (3, 3)
    whole = agenda(c1).get_json()  # the default limit, 50, holds them all
    assert ids(whole["follow_ups_overdue"]) == [lead["id"] for lead in overdue]
    assert ids(whole["idle_leads"]) == [lead["id"] for lead in idle]


@pytest.mark.parametrize("query", [{"date": "2026-13-01"}, {"date": "yesterday"}, {"day": "2026-11-01"},
                                   {"limit": "0"}, {"limit": "501"}, {"limit": "ten"}])
def test_a_bad_agenda_query_is_422_naming_the_parameter(as_role, query: dict[str, str]) -> None:
    answer = as_role("consultant", "c1").get("/api/v1/agenda", query_string=query)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert list(answer.get_json()["errors"]) == [next(iter(query))]


def test_a_cancelled_appointment_leaves_the_agenda(as_role, day_of_c1) -> None:
    c1 = as_role("consultant", "c1")
    cancelled = c1.post(f"/api/v1/appointments/{day_of_c1['appointment']['id']}/cancel", json={"reason": "ill"})
    assert cancelled.status_code == 200, cancelled.get_json()
    assert agenda(c1).get_json()["appointments"] == []

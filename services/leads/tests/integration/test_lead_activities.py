"""A lead's history (issue 14): GET /leads/{id}/activities, oldest first, masked as GET /leads/{id} masks.
SQLite and PostgreSQL; times placed in the past with ``occurred_at``."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.now(SHANGHAI).date() - timedelta(days=30)


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def local(days_from_d: int, clock: str) -> str:
    return f"{(D + timedelta(days=days_from_d)).isoformat()}T{clock}:00+08:00"


@pytest.fixture
def worked_lead(as_role, new_lead) -> dict[str, Any]:
    """Filed by c1 on D-5; followed up D-4; invited D-3; back D-1 without the invitation, received by c2 (rule 3:
    c2 owns it now); lost by c2."""
    c1, c2 = as_role("consultant", "c1"), as_role("consultant", "c2")
    lead = new_lead(c1, phone="13900000011", occurred_at=local(-5, "09:00"))
    path = f"/api/v1/leads/{lead['id']}"
    assert c1.post(f"{path}/follow-ups", json={"channel": "wechat", "summary": "wife's phone 13912345678",
                                               "occurred_at": local(-4, "10:00")}).status_code == 201
    assert c1.post(f"{path}/appointments", json={"scheduled_at": local(-2, "10:00"), "purpose": "consultation",
                                                 "occurred_at": local(-3, "11:00")}).status_code == 201
    visit = c2.post(f"{path}/visits", json={"occurred_at": local(-1, "15:00")})
    assert visit.status_code == 201 and visit.get_json()["owner_id"] == "c2"
    assert c2.post(f"{path}/lost", json={"reason": "call 13912345678 in spring"}).status_code == 200
    return lead


def activities(caller: Any, lead_id: str) -> list[dict[str, Any]]:
    answer = caller.get(f"/api/v1/leads/{lead_id}/activities")
    assert answer.status_code == 200, answer.get_json()
    return list(answer.get_json()["items"])


def test_activities_list_every_kind_oldest_first_with_who_and_when(as_role, worked_lead) -> None:
    items = activities(as_role("sales_manager", "m1"), worked_lead["id"])
    assert [(i["kind"], i["at"], i["by"]) for i in items[:-1]] == [
        ("created", local(-5, "09:00"), "c1"), ("follow_up", local(-4, "10:00"), "c1"),
        ("appointment", local(-3, "11:00"), "c1"), ("visit", local(-1, "15:00"), "c2"),
        ("owner_changed", local(-1, "15:00"), "c2")]
    lost = items[-1]  # lost now (a loss takes no occurred_at), by c2, at the store's offset
    assert (lost["kind"], lost["by"], lost["at"][-6:]) == ("lost", "c2", "+08:00")
    owner_change, appointment = items[4], items[2]
    assert owner_change["owner_id"] == "c2" and owner_change["previous_owner_id"] == "c1"
    assert owner_change["rule"].startswith("3:")
    assert appointment["scheduled_at"] == local(-2, "10:00") and appointment["kept"] is False
    assert items[0]["source"] == "phone_in" and items[1]["channel"] == "wechat"


def test_free_text_in_activities_is_masked_for_a_consultant_who_does_not_own_the_lead(as_role, worked_lead) -> None:
    other = activities(as_role("consultant", "c1"), worked_lead["id"])  # c1 lost it to c2 on the visit
    assert other[1]["summary"] == "wife's phone 139****5678"
    assert other[-1]["reason"] == "call 139****5678 in spring"
    owner = activities(as_role("consultant", "c2"), worked_lead["id"])
    assert owner[1]["summary"] == "wife's phone 13912345678" and owner[-1]["reason"] == "call 13912345678 in spring"


def test_activities_of_a_lead_that_does_not_exist_are_404(as_role) -> None:
    answer = as_role("consultant", "c1").get("/api/v1/leads/00000000-0000-4000-8000-000000000000/activities")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"

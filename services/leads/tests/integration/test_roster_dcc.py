"""The DCC (网销专员, role online_sales) and the duty roster (值班表), over HTTP on SQLite and PostgreSQL.

The sales manager m1 sets who is on duty each local day; a lead the DCC agent d1 files goes to the consultant
on duty whose turn it is (round robin), unless the manager or the DCC names the owner; a consultant owns what
they file. The DCC invites on any lead and owns none; phones are in full for them only where they took the
number down themselves. The turn is taken in the database: 30 filings at once on two gunicorn workers.
"""
from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import func, select

from contracts import contract_errors
from dealer_testing import DEFAULT_SECRET, token
from leads.models import Lead
from shared.outbox import OutboxEvent

PROBLEM = "application/problem+json"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def store_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_TZ", "Asia/Shanghai")


def today() -> date:
    """The store's local day now (Asia/Shanghai), which the roster of a filing made now is read for."""
    return datetime.now(SHANGHAI).date()


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    """The events of one routing key the service wrote to its outbox, in order."""
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def lead_count(app: Any) -> int:
    with app.extensions["dealer"].sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Lead)) or 0)


def put_roster(manager: Any, day: date, consultant_ids: list[str]) -> dict[str, Any]:
    response = manager.put(f"/api/v1/roster/{day.isoformat()}", json={"consultant_ids": consultant_ids})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def file_as(caller: Any, n: int, **extra: Any) -> Any:
    """File customer number ``n`` (its own phone) as ``caller``; the raw response."""
    return caller.post("/api/v1/leads", json={"name": f"客户{n}", "phone": f"1390000{n:04d}", "source": "online",
                                              "model_interest": "Aurora", **extra})


def owners_of(caller: Any, count: int, start: int = 0) -> list[str]:
    owners = []
    for n in range(start, start + count):
        response = file_as(caller, n)
        assert response.status_code == 201, response.get_json()
        owners.append(response.get_json()["owner_id"])
    return owners


def assert_refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == PROBLEM
    problem = dict(response.get_json())
    if field is not None:
        assert field in problem["errors"], problem
    return problem


# --- the roster ---------------------------------------------------------------------------------------------

def test_a_manager_sets_the_days_roster_and_the_dcc_and_consultants_read_it(app, as_role) -> None:
    day = date(2026, 12, 24)
    answer = put_roster(as_role("sales_manager", "m1"), day, ["c2", "c1", "c3"])
    assert (answer["date"], answer["consultant_ids"], answer["set_by"]) == ("2026-12-24", ["c2", "c1", "c3"], "m1")
    assert answer["set_at"].endswith("+08:00")  # the store's zone
    for role, sub in (("online_sales", "d1"), ("consultant", "c9"), ("sales_manager", "m2")):
        read = as_role(role, sub).get("/api/v1/roster/2026-12-24")
        assert read.status_code == 200 and read.get_json() == answer
    for role in ("back_office", "inventory_clerk", "ops"):
        assert_refused(as_role(role, "x1").get("/api/v1/roster/2026-12-24"), 403)
    for role in ("online_sales", "consultant", "back_office"):
        assert_refused(as_role(role, "x1").put("/api/v1/roster/2026-12-24", json={"consultant_ids": []}), 403)
    [event] = events_of(app, "leads.roster.set")
    assert event["subject"] == "2026-12-24" and contract_errors(event) == []
    assert {k: event["data"][k] for k in ("date", "consultant_ids", "set_by")} == {
        "date": "2026-12-24", "consultant_ids": ["c2", "c1", "c3"], "set_by": "m1"}


def test_a_roster_never_set_is_404_and_an_empty_one_is_allowed(as_role) -> None:
    manager = as_role("sales_manager", "m1")
    assert_refused(manager.get("/api/v1/roster/2026-12-25"), 404)
    assert put_roster(manager, date(2026, 12, 25), [])["consultant_ids"] == []


@pytest.mark.parametrize("consultant_ids", [
    ["c1", "c 2"], ["c1", ""], ["c1,c2"], ["x" * 65], ["c1", "c1"], "c1", [7], None, ["-c1"]])
def test_a_roster_naming_something_that_is_not_a_staff_id_is_422_naming_consultant_ids(app, as_role,
                                                                                      consultant_ids) -> None:
    response = as_role("sales_manager", "m1").put("/api/v1/roster/2026-12-24",
                                                  json={"consultant_ids": consultant_ids})
    problem = assert_refused(response, 422)
    assert all(name.split(".")[0] == "consultant_ids" for name in problem["errors"]), problem
    assert events_of(app, "leads.roster.set") == []


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-30", "tomorrow", "2026-2-1", "1999-12-31", "20261224"])
def test_a_day_that_is_not_a_local_date_is_422_naming_date(as_role, day) -> None:
    manager = as_role("sales_manager", "m1")
    assert_refused(manager.put(f"/api/v1/roster/{day}", json={"consultant_ids": ["c1"]}), 422, "date")
    assert_refused(manager.get(f"/api/v1/roster/{day}"), 422, "date")


# --- filing by the DCC --------------------------------------------------------------------------------------

def test_the_dccs_leads_go_to_the_consultants_on_duty_in_turn_and_the_filer_stays_the_dcc(app, as_role) -> None:
    put_roster(as_role("sales_manager", "m1"), today(), ["c2", "c1", "c3"])
    dcc = as_role("online_sales", "d1")
    assert owners_of(dcc, 7) == ["c2", "c1", "c3", "c2", "c1", "c3", "c2"]
    created = events_of(app, "leads.lead.created")
    assert [e["data"]["assigned_by"] for e in created] == ["roster"] * 7
    assert {e["data"]["created_by"] for e in created} == {"d1"}
    assert all(contract_errors(e) == [] for e in created)


def test_a_roster_changed_mid_day_starts_the_new_list_in_turn_and_the_same_list_saved_again_keeps_the_turn(
        as_role) -> None:
    manager, dcc = as_role("sales_manager", "m1"), as_role("online_sales", "d1")
    put_roster(manager, today(), ["c1", "c2", "c3"])
    assert owners_of(dcc, 4) == ["c1", "c2", "c3", "c1"]
    put_roster(manager, today(), ["c1", "c2", "c3"])  # saved again unchanged: c2 is still next
    assert owners_of(dcc, 1, start=4) == ["c2"]
    put_roster(manager, today(), ["c3", "c4"])  # c1 and c2 go home, c4 comes in: from here on c3, c4, c3, c4
    assert owners_of(dcc, 4, start=5) == ["c3", "c4", "c3", "c4"]


@pytest.mark.parametrize("roster", [None, []], ids=["no roster", "no one on duty"])
def test_with_no_consultant_on_duty_a_dcc_filing_without_an_owner_is_409_and_files_nothing(app, as_role,
                                                                                          roster) -> None:
    if roster is not None:
        put_roster(as_role("sales_manager", "m1"), today(), roster)
    problem = assert_refused(file_as(as_role("online_sales", "d1"), 1), 409)
    assert f"no consultant on duty on {today().isoformat()}" in problem["detail"]
    assert lead_count(app) == 0 and events_of(app, "leads.lead.created") == []
    named = file_as(as_role("online_sales", "d1"), 1, owner_id="c5")  # naming the owner needs no roster
    assert named.status_code == 201 and named.get_json()["owner_id"] == "c5"


def test_the_dcc_or_a_manager_may_name_the_owner_and_a_consultant_owns_what_they_file(app, as_role) -> None:
    put_roster(as_role("sales_manager", "m1"), today(), ["c1", "c2"])
    by_dcc = file_as(as_role("online_sales", "d1"), 1, owner_id="c7").get_json()
    by_manager = file_as(as_role("sales_manager", "m1"), 2, owner_id="c8").get_json()
    managers_own = file_as(as_role("sales_manager", "m1"), 3).get_json()
    consultants_own = file_as(as_role("consultant", "c3"), 4, owner_id="c9").get_json()  # owner_id is not theirs
    assert [(a["owner_id"], a["created_by"]) for a in (by_dcc, by_manager, managers_own, consultants_own)] == [
        ("c7", "d1"), ("c8", "m1"), ("m1", "m1"), ("c3", "c3")]
    assert [e["data"]["assigned_by"] for e in events_of(app, "leads.lead.created")] == [
        "named", "named", "filer", "filer"]
    assert owners_of(as_role("online_sales", "d1"), 1, start=5) == ["c1"]  # named filings took no turn


@pytest.mark.parametrize("owner_id", ["c 1", "", "c1,c2", "x" * 65])
def test_an_owner_that_is_not_a_staff_id_is_422_naming_owner_id(app, as_role, owner_id) -> None:
    assert_refused(file_as(as_role("online_sales", "d1"), 1, owner_id=owner_id), 422, "owner_id")
    assert lead_count(app) == 0


def test_a_dcc_filing_of_a_phone_already_on_file_gives_its_turn_back(as_role) -> None:
    put_roster(as_role("sales_manager", "m1"), today(), ["c1", "c2"])
    dcc = as_role("online_sales", "d1")
    first = file_as(dcc, 1).get_json()
    again = assert_refused(file_as(dcc, 1), 409)
    assert again["existing_lead_id"] == first["id"]
    assert owners_of(dcc, 1, start=2) == ["c2"]  # the refused filing did not use up c2's turn


def test_a_dcc_filing_keyed_in_late_goes_to_the_roster_of_the_day_it_happened(as_role) -> None:
    yesterday = today() - timedelta(days=1)
    put_roster(as_role("sales_manager", "m1"), yesterday, ["c4"])
    put_roster(as_role("sales_manager", "m1"), today(), ["c1"])
    at = f"{yesterday.isoformat()}T15:00:00+08:00"
    late = file_as(as_role("online_sales", "d1"), 1, occurred_at=at)
    assert late.status_code == 201 and late.get_json()["owner_id"] == "c4", late.get_json()


def test_a_token_minted_by_dealer_token_for_online_sales_files_for_the_roster(client, as_role, monkeypatch) -> None:
    from click.testing import CliRunner

    from dealer_cli.cli import main

    monkeypatch.setenv("DEALER_JWT_SECRET", DEFAULT_SECRET)
    minted = CliRunner().invoke(main, ["token", "--role", "online_sales", "--sub", "d7", "--name", "网销"])
    assert minted.exit_code == 0, minted.output
    put_roster(as_role("sales_manager", "m1"), today(), ["c4"])
    filed = client.post("/api/v1/leads", headers={"Authorization": f"Bearer {minted.output.strip()}"}, json={
        "name": "客户", "phone": "13900000001", "source": "online", "model_interest": "Aurora"})
    assert filed.status_code == 201 and (filed.get_json()["owner_id"], filed.get_json()["created_by"]) == ("c4", "d7")


# --- what else the DCC may do -------------------------------------------------------------------------------

def test_the_dcc_invites_on_any_lead_without_serving_it_and_does_no_owners_work(app, as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    path, dcc = f"/api/v1/leads/{lead['id']}", as_role("online_sales", "d1")
    later = (datetime.now(SHANGHAI) + timedelta(days=2)).replace(microsecond=0).isoformat()
    booked = dcc.post(f"{path}/appointments", json={"scheduled_at": later, "purpose": "test_drive"})
    assert booked.status_code == 201 and booked.get_json()["booked_by"] == "d1", booked.get_json()
    [event] = events_of(app, "leads.appointment.booked")
    assert (event["data"]["booked_by"], event["data"]["owner_id"]) == ("d1", "c1")
    refused = {"follow-ups": {"channel": "phone", "summary": "x"}, "visits": {}, "qualify": {"level": "H"},
               "lost": {"reason_code": "price"}, "reopen": {}, "assign": {"owner_id": "d1"},
               "merge": {"duplicate_lead_id": lead["id"]}}
    for what, body in refused.items():
        assert_refused(dcc.post(f"{path}/{what}", json=body), 403)
    assert_refused(dcc.get(f"{path}/activities"), 403)
    assert_refused(dcc.get("/api/v1/agenda"), 403)
    # a customer asking for the DCC agent by name gets no owner out of it: the DCC never served them
    visit = as_role("consultant", "c1").post(f"{path}/visits", json={"requested_consultant_id": "d1"}).get_json()
    assert visit["owner_id"] == "c1", visit


def test_the_dcc_sees_a_phone_in_full_only_where_they_took_it_down(as_role, new_lead) -> None:
    dcc, c1 = as_role("online_sales", "d1"), as_role("consultant", "c1")
    mine = dcc.post("/api/v1/inquiries", json={"channel": "online", "phone": "13900000001"}).get_json()
    theirs = c1.post("/api/v1/inquiries", json={"channel": "phone", "phone": "13900000002"}).get_json()
    assert (mine["phone"], theirs["phone"]) == ("13900000001", "139****0002")
    register = {i["id"]: i["phone"] for i in dcc.get("/api/v1/inquiries").get_json()["items"]}
    assert register == {mine["id"]: "13900000001", theirs["id"]: "139****0002"}
    filed_by_dcc = new_lead(dcc, phone="13900000003", owner_id="c2", id_number="110101199003074514")
    filed_by_c1 = new_lead(c1, phone="13900000004", id_number="110101199003074514")
    assert (filed_by_dcc["phone"], filed_by_dcc["id_number"]) == ("13900000003", "110101199003074514")
    other = dcc.get(f"/api/v1/leads/{filed_by_c1['id']}").get_json()
    assert (other["phone"], other["id_number"]) == ("139****0004", "110101********4514")
    listed = {item["id"]: item["phone"] for item in dcc.get("/api/v1/leads").get_json()["items"]}
    assert listed == {filed_by_dcc["id"]: "13900000003", filed_by_c1["id"]: "139****0004"}
    assert as_role("online_sales", "d2").get(f"/api/v1/leads/{filed_by_dcc['id']}").get_json()["phone"] == (
        "139****0003")  # another DCC agent did not take it down


# --- the turn in the database, across processes --------------------------------------------------------------

def test_thirty_dcc_filings_at_once_on_two_gunicorn_workers_give_three_consultants_ten_each(
        start_service, database_url) -> None:
    leads = start_service("leads", database_url, worker=False)
    day = datetime.now(SHANGHAI).date().isoformat()
    roster = requests.put(f"{leads.url}/api/v1/roster/{day}", json={"consultant_ids": ["c1", "c2", "c3"]},
                          headers=token("sales_manager", "m1"), timeout=10)
    assert roster.status_code == 200, roster.text

    def file(n: int) -> requests.Response:
        body = {"name": f"客户{n}", "phone": f"1370000{n:04d}", "source": "online", "model_interest": "Aurora"}
        return requests.post(f"{leads.url}/api/v1/leads", json=body, headers=token("online_sales", "d1"), timeout=30)

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(file, range(30)))
    assert [a.status_code for a in answers] == [201] * 30, [a.text[:200] for a in answers if a.status_code != 201]
    assert Counter(a.json()["owner_id"] for a in answers) == {"c1": 10, "c2": 10, "c3": 10}
    listed = requests.get(f"{leads.url}/api/v1/leads?page_size=100", headers=token("sales_manager", "m1"),
                          timeout=10).json()
    assert Counter(item["owner_id"] for item in listed["items"]) == {"c1": 10, "c2": 10, "c3": 10}

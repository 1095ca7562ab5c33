"""The reporting API's edges: who reads what, CSV, validation, targets, rebuilds, the dashboard page."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from reporting.models import RebuildRun
from reporting.services import run_requested_rebuilds
from shared.clock import utcnow

DAY = date(2026, 10, 14)


@pytest.fixture
def two_consultants(events, consume) -> None:
    """c1 and c2 each deliver a car on the same day, each from a lead of their own."""
    batch = []
    for consultant, price in (("c1", "189900.00"), ("c2", "99900.00")):
        lead = events.lead(events.at(DAY), consultant)
        batch += [lead, events.delivered(events.at(DAY, 15), events.new_id(), lead["data"]["lead_id"], consultant,
                                         price=price)]
    consume(batch)


def test_a_consultant_sees_only_their_own_row_of_the_consultants_report(two_consultants, as_role) -> None:
    report = as_role("consultant", "c2").get("/api/v1/reports/consultants?month=2026-10").get_json()
    assert [row["consultant_id"] for row in report["items"]] == ["c2"]
    assert report["team"] is None
    manager = as_role("sales_manager", "m1").get("/api/v1/reports/consultants?month=2026-10").get_json()
    assert [row["consultant_id"] for row in manager["items"]] == ["c1", "c2"]


def test_a_consultant_sees_only_their_own_deliveries_in_the_sales_report(two_consultants, as_role) -> None:
    own = as_role("consultant", "c2").get(f"/api/v1/reports/sales?date={DAY}").get_json()
    assert (own["units"], own["revenue"], [r["consultant_id"] for r in own["by_consultant"]]) == (1, "99900.00",
                                                                                                  ["c2"])
    everyone = as_role("back_office", "b1").get(f"/api/v1/reports/sales?date={DAY}").get_json()
    assert (everyone["units"], everyone["revenue"]) == (2, "289800.00")


def test_the_team_figures_are_refused_to_consultants_while_stock_is_open_to_them(as_role) -> None:
    consultant = as_role("consultant", "c1")
    assert consultant.get("/api/v1/reports/funnel").status_code == 403
    assert consultant.get("/api/v1/reports/after-sales").status_code == 403
    assert consultant.get("/api/v1/reports/stock").status_code == 200
    assert as_role("inventory_clerk", "k1").get("/api/v1/reports/sales").status_code == 403
    assert as_role("after_sales", "a1").get("/api/v1/reports/after-sales").status_code == 200


def test_every_report_needs_a_token(client) -> None:
    for path in ("funnel", "sales", "sales/daily", "consultants", "stock", "after-sales", "lost-reasons", "campaigns"):
        answer = client.get(f"/api/v1/reports/{path}")
        assert answer.status_code == 401 and answer.mimetype == "application/problem+json", path


def test_csv_comes_with_a_header_row_by_parameter_or_accept_header(two_consultants, as_role) -> None:
    manager = as_role("sales_manager", "m1")
    by_parameter = manager.get("/api/v1/reports/consultants?month=2026-10&format=csv")
    by_header = manager.get("/api/v1/reports/consultants?month=2026-10", headers={"Accept": "text/csv"})
    for answer in (by_parameter, by_header):
        assert answer.mimetype == "text/csv"
        lines = answer.get_data(as_text=True).splitlines()
        # the first version's columns first; then name, completion's numerator and denominator, units and
        # target per model class (these deliveries named no class)
        assert lines[0] == ("rank,consultant_id,leads,visits,test_drives,orders,deliveries,target,completion,"
                            "name,completion_numerator,completion_denominator,unclassed_units,unclassed_target")
        assert lines[1:] == ["1,c1,1,0,0,0,1,,,,1,,1,", "2,c2,1,0,0,0,1,,,,1,,1,"]
    funnel = manager.get("/api/v1/reports/funnel?from=2026-10-01&to=2026-10-31&format=csv").get_data(as_text=True)
    assert any(line.startswith("conversion_30d,0.0,0,2,") for line in funnel.splitlines())


BAD_QUERIES = [
    ("funnel?from=2026-10-10&to=2026-10-01", "to"),
    ("funnel?from=2026-13-01", "from"),
    ("sales?period=day&date=yesterday", "date"),
    ("sales?period=week", "period"),
    ("consultants?month=2026-13", "month"),
    ("after-sales?window=-1", "window"),
    ("sales/daily?days=0", "days"),
    ("stock?format=xml", "format"),
]


def test_a_bad_parameter_is_422_naming_it(as_role) -> None:
    manager = as_role("sales_manager", "m1")
    for query, field in BAD_QUERIES:
        answer = manager.get(f"/api/v1/reports/{query}")
        assert answer.status_code == 422, (query, answer.get_json())
        assert field in answer.get_json()["errors"], (query, answer.get_json())


def test_only_sales_managers_set_targets_and_a_put_replaces_the_month(as_role, on_staff) -> None:
    on_staff("c1", "c2")
    body = {"targets": [{"consultant_id": "c1", "units": 5}, {"consultant_id": "c2", "units": 3}]}
    assert as_role("consultant", "c1").put("/api/v1/targets/2026-10", json=body).status_code == 403
    manager = as_role("sales_manager", "m1")
    assert manager.put("/api/v1/targets/2026-10", json=body).get_json()["team_target"] == 8
    answer = manager.put("/api/v1/targets/2026-10", json={"targets": [{"consultant_id": "c2", "units": 4}]})
    assert answer.get_json() == {"month": "2026-10", "team_target": 4,
                                 "targets": [{"consultant_id": "c2", "units": 4, "by_model_class": {}}]}
    assert manager.put("/api/v1/targets/2026-10", json=body).status_code == 200
    assert as_role("consultant", "c2").get("/api/v1/targets/2026-10").get_json() == {
        "month": "2026-10", "team_target": None, "targets": [{"consultant_id": "c2", "units": 3, "by_model_class": {}}]}


def test_a_target_for_someone_not_on_the_staff_directory_is_422_naming_them_and_changes_nothing(
        as_role, on_staff, consume, events) -> None:
    on_staff("c1")
    consume([events.lead(datetime(2026, 10, 3, 10, tzinfo=events.zone), owner="c7")])  # named by an event: not staff
    manager = as_role("sales_manager", "m1")
    first = manager.put("/api/v1/targets/2026-10", json={"targets": [{"consultant_id": "c1", "units": 2}]})
    assert first.status_code == 200
    body = {"targets": [{"consultant_id": "c1", "units": 5}, {"consultant_id": "c9", "units": 3},
                        {"consultant_id": "c7", "units": 1}]}
    answer = manager.put("/api/v1/targets/2026-10", json=body)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"]["targets"] == [
        "not on the staff directory (PUT /api/v1/staff/{staff_id} first): c7, c9"]
    assert manager.get("/api/v1/targets/2026-10").get_json()["team_target"] == 2  # the month as it was


def test_a_target_split_by_model_class_is_kept_and_read_back(as_role, on_staff) -> None:
    on_staff("c1", "c2")
    manager = as_role("sales_manager", "m1")
    body = {"targets": [{"consultant_id": "c1", "units": 6, "by_model_class": {"SUV": 3, "NEV": 2}},
                        {"consultant_id": "c2", "units": 4, "by_model_class": {"sedan": 4, "MPV": 0}}]}
    assert manager.put("/api/v1/targets/2026-11", json=body).status_code == 200
    assert manager.get("/api/v1/targets/2026-11").get_json() == {"month": "2026-11", "team_target": 10, "targets": [
        {"consultant_id": "c1", "units": 6, "by_model_class": {"SUV": 3, "NEV": 2}},  # one unit left unclassed
        {"consultant_id": "c2", "units": 4, "by_model_class": {"sedan": 4, "MPV": 0}}]}


BAD_TARGETS = [
    ("2026-13", {"targets": []}, "month"),
    ("2026-10", {"targets": [{"consultant_id": "c1", "units": -1}]}, "targets.0.units"),
    ("2026-10", {"targets": [{"consultant_id": "c1", "units": "5"}]}, "targets.0.units"),
    ("2026-10", {"targets": [{"consultant_id": "c1", "units": 1}, {"consultant_id": "c1", "units": 2}]}, "targets"),
    ("2026-10", {}, "targets"),
    ("2026-10", {"targets": [{"consultant_id": "c1", "units": 3, "by_model_class": {"SUV": 2, "NEV": 2}}]},
     "targets.0.by_model_class"),  # four units by class of a target of three
    ("2026-10", {"targets": [{"consultant_id": "c1", "units": 3, "by_model_class": {"SUV": -1}}]},
     "targets.0.by_model_class.SUV.value"),
    ("2026-10", {"targets": [{"consultant_id": "c1", "units": 3, "by_model_class": {"truck": 1}}]},
     "targets.0.by_model_class.truck.key"),
    ("2026-10", {"targets": [{"consultant_id": "c1", "units": 3, "by_model_class": {"SUV": 1.5}}]},
     "targets.0.by_model_class.SUV.value"),
]


def test_a_bad_target_is_422_naming_the_field_and_changes_nothing(as_role, on_staff) -> None:
    on_staff("c1")
    manager = as_role("sales_manager", "m1")
    for month, body, field in BAD_TARGETS:
        answer = manager.put(f"/api/v1/targets/{month}", json=body)
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (body, answer.get_json())
    assert manager.get("/api/v1/targets/2026-10").get_json()["targets"] == []


def test_a_rebuild_is_for_ops_one_at_a_time_with_its_progress_readable(as_role) -> None:
    assert as_role("sales_manager", "m1").post("/api/v1/admin/rebuild").status_code == 403
    ops = as_role("ops", "o1")
    started = ops.post("/api/v1/admin/rebuild")
    assert started.status_code == 202 and started.get_json()["status"] == "pending"
    again = ops.post("/api/v1/admin/rebuild")
    assert again.status_code == 409 and again.get_json()["rebuild_id"] == started.get_json()["id"]
    assert ops.get(started.headers["Location"]).get_json()["id"] == started.get_json()["id"]
    assert ops.get("/api/v1/admin/rebuilds/nope").status_code == 404


def test_the_worker_carries_out_a_requested_rebuild_and_a_stale_one_blocks_nothing(app, as_role, events,
                                                                                  consume) -> None:
    consume([events.lead(events.at(DAY), "c1"), events.inquiry(events.at(DAY))])
    ops = as_role("ops", "o1")
    stale = ops.post("/api/v1/admin/rebuild").get_json()["id"]
    with app.extensions["dealer"].sessions() as session, session.begin():
        run = session.get(RebuildRun, stale)
        run.status, run.requested_at = "running", utcnow() - timedelta(hours=7)  # its worker died
    fresh = ops.post("/api/v1/admin/rebuild")
    assert fresh.status_code == 202, fresh.get_json()
    assert ops.get(f"/api/v1/admin/rebuilds/{stale}").get_json()["status"] == "failed"
    with app.extensions["dealer"].sessions() as session:
        assert run_requested_rebuilds(session) == 2
    done = ops.get(fresh.headers["Location"]).get_json()
    assert (done["status"], done["processed"], done["total"]) == ("done", 2, 2)
    assert as_role("sales_manager", "m1").get("/api/v1/reports/funnel?from=2026-10-01").get_json()["leads"] == 1


def test_the_openapi_document_describes_every_report(client) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in ("/api/v1/reports/funnel", "/api/v1/reports/sales", "/api/v1/reports/sales/daily",
                 "/api/v1/reports/consultants", "/api/v1/reports/stock", "/api/v1/reports/after-sales",
                 "/api/v1/reports/lost-reasons", "/api/v1/reports/campaigns",
                 "/api/v1/targets/{month}", "/api/v1/admin/rebuild", "/api/v1/events"):
        assert path in paths, path


def test_the_dashboard_page_holds_no_figures_and_loads_nothing_from_outside(client) -> None:
    page = client.get("/dashboard")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "login-form" in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http://" not in html and "https://" not in html
    chart = client.get("/dashboard/static/vendor/chart.umd.min.js")
    assert chart.status_code == 200 and b"Chart.js v4" in chart.data
    chart.close()
    licence = client.get("/dashboard/static/vendor/chart.js-LICENSE.md")
    assert licence.status_code == 200 and b"MIT License" in licence.data
    licence.close()

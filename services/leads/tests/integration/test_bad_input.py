"""Every route answers bad input with problem+json naming the field, never a 500."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # HTTP plumbing, not storage

ROUTES = [
    ("/api/v1/inquiries", {"channel": "fax"}),
    ("/api/v1/leads", {"name": "", "phone": "12", "source": "tv", "model_interest": "x" * 101, "level": "Z"}),
    ("/api/v1/leads/{id}/follow-ups", {"channel": "pigeon", "summary": "", "next_follow_up_at": "tomorrow"}),
    ("/api/v1/leads/{id}/appointments", {"scheduled_at": "next tuesday at ten", "purpose": "party"}),
    ("/api/v1/leads/{id}/visits", {"consultant_id": "", "appointment_id": 5}),
    ("/api/v1/leads/{id}/test-drives", {"vin": "short", "driver_license_no": "", "escort_id": ""}),
    ("/api/v1/leads/{id}/lost", {"reason": ""}),
    ("/api/v1/leads/{id}/lost", {"reason_code": "bored", "competitor_brand": "", "note": "x" * 501}),
    ("/api/v1/leads/{id}/reopen", {"why": "changed mind"}),
    ("/api/v1/leads/{id}/qualify", {"level": "Q", "status": "deal"}),
    ("/api/v1/leads/{id}/assign", {"owner_id": ""}),
]
MALFORMED = ["not json", "[]", '"a string"', '{"unknown": 1}', "null", "12", "{"]
PATHS = list(dict.fromkeys(r for r, _ in ROUTES))  # each route once (some have two bodies above)
NOT_OPTIONAL = [r for r in PATHS if not r.endswith(("/visits", "/qualify", "/reopen"))]


@pytest.mark.parametrize(("route", "body"), ROUTES)
def test_invalid_fields_are_422_naming_each_field(as_role, new_lead, route: str, body: dict) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    response = as_role("sales_manager", "m1").post(route.format(id=lead["id"]), json=body)
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert problem["status"] == 422 and set(problem["errors"]) == set(body)


@pytest.mark.parametrize("route", PATHS)
@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_bodies_are_4xx_problems_never_500(as_role, new_lead, route: str, raw) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    response = as_role("sales_manager", "m1").post(route.format(id=lead["id"]), data=raw,
                                                   content_type="application/json")
    assert response.status_code in (400, 404, 409, 422), (route, raw, response.status_code)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


@pytest.mark.parametrize("route", NOT_OPTIONAL)
@pytest.mark.parametrize("raw", [None, "{}"])
def test_missing_required_fields_are_422_problems(as_role, new_lead, route: str, raw) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    response = as_role("sales_manager", "m1").post(route.format(id=lead["id"]), data=raw,
                                                   content_type="application/json")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"]


def test_unknown_lead_is_404_problem(as_role) -> None:
    response = as_role("consultant", "c1").post("/api/v1/leads/nope/follow-ups",
                                                 json={"channel": "phone", "summary": "x"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_unknown_route_and_wrong_method_are_problems(client) -> None:
    assert client.get("/api/v1/nothing").mimetype == "application/problem+json"
    wrong = client.delete("/api/v1/leads")
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"


def test_bad_query_parameters_are_422_naming_the_parameter(as_role) -> None:
    response = as_role("sales_manager", "m1").get("/api/v1/leads?page_size=100000&status=sold")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"page_size", "status"}


def test_a_body_over_one_megabyte_is_413(as_role) -> None:
    response = as_role("sales_manager", "m1").post("/api/v1/leads", data="x" * (2 * 1024 * 1024),
                                                   content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"

"""Who may see and do what: masking, roles, tokens."""
from __future__ import annotations

from datetime import UTC

from dealer_testing import token


def test_phone_is_shown_in_full_only_to_the_owner_and_managers(as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"), id_number="110101199003074514")
    url = f"/api/v1/leads/{lead['id']}"
    assert as_role("consultant", "c1").get(url).get_json()["phone"] == "13812345678"
    assert as_role("sales_manager", "m1").get(url).get_json()["phone"] == "13812345678"
    other = as_role("consultant", "c2").get(url).get_json()
    assert other["phone"] == "138****5678" and other["id_number"] == "110101********4514"
    listed = as_role("back_office", "b1").get("/api/v1/leads").get_json()["items"][0]
    assert listed["phone"] == "138****5678"


def test_no_token_is_401_and_a_wrong_role_is_403(client) -> None:
    assert client.get("/api/v1/leads").status_code == 401
    response = client.post("/api/v1/leads", json={}, headers=token("inventory_clerk", "k1"))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_tokens_signed_with_another_secret_or_expired_or_unsigned_are_401(client) -> None:
    from datetime import datetime, timedelta

    import jwt

    forged = token("sales_manager", "m1", secret="another-secret-0123456789abcdef0123")
    expired = jwt.encode({"sub": "m1", "role": "sales_manager", "exp": datetime.now(UTC) - timedelta(1)},
                         "test-secret-0123456789abcdef0123456789", algorithm="HS256")
    unsigned = jwt.encode({"sub": "m1", "role": "sales_manager", "exp": 9999999999}, None, algorithm="none")
    for headers in (forged, {"Authorization": f"Bearer {expired}"}, {"Authorization": f"Bearer {unsigned}"}):
        assert client.get("/api/v1/leads", headers=headers).status_code == 401


def test_a_manager_may_file_a_lead_for_a_consultant(as_role, new_lead) -> None:
    lead = new_lead(as_role("sales_manager", "m1"), owner_id="c7")
    assert lead["owner_id"] == "c7"


def test_only_a_manager_assigns_a_lead(as_role, new_lead) -> None:
    lead = new_lead(as_role("consultant", "c1"))
    url = f"/api/v1/leads/{lead['id']}/assign"
    assert as_role("consultant", "c1").post(url, json={"owner_id": "c2"}).status_code == 403
    assigned = as_role("sales_manager", "m1").post(url, json={"owner_id": "c2"})
    assert assigned.status_code == 200 and assigned.get_json()["owner_id"] == "c2"

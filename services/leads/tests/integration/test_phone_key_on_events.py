"""Leads' events carry the phone's keyed pseudonym (号码密钥), so reporting matches orders to leads exactly, and
still no full phone. The expected key was worked out with OpenSSL (shared/tests/test_phone_key.py says how)
under the key derived from the tests' token secret."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from contracts import contract_errors
from shared.outbox import OutboxEvent

KEY_OF_13812345678 = "923b2ace19d954d99365e96a4b1a27e42d26e9a4d56fdaf4a8bd90fcd5c03b42"


def events_of(app: Any, routing_key: str) -> list[dict[str, Any]]:
    """The events of one routing key the service wrote to its outbox, in order."""
    with app.extensions["dealer"].sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))
        return [e for e in (json.loads(row.body) for row in rows) if e["type"] == f"dealer.{routing_key}.v1"]


def test_a_filed_lead_and_its_inquiry_carry_the_same_phone_key_however_the_phone_was_typed(
        app, as_role, new_lead) -> None:
    consultant = as_role("consultant", "c1")
    answer = consultant.post("/api/v1/inquiries", json={"channel": "phone", "phone": "+86 138-1234-5678"})
    assert answer.status_code == 201, answer.get_json()
    new_lead(consultant, phone="13812345678")
    [inquiry], [lead] = events_of(app, "leads.inquiry.received"), events_of(app, "leads.lead.created")
    assert inquiry["data"]["phone_key"] == lead["data"]["phone_key"] == KEY_OF_13812345678
    assert lead["data"]["phone_masked"] == "138****5678"
    assert contract_errors(inquiry) == [] and contract_errors(lead) == []


def test_no_full_phone_is_on_the_events_that_carry_its_key(app, as_role, new_lead) -> None:
    new_lead(as_role("consultant", "c1"), phone="13899995678")
    [lead] = events_of(app, "leads.lead.created")
    assert "13899995678" not in json.dumps(lead) and lead["data"]["phone_key"] != KEY_OF_13812345678

"""Reporting keeps no full phone or ID number, in any table."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from reporting.models import Base, StoredEvent
from shared.db import SharedBase

PHONE, ID_NUMBER = "13912345678", "110101199003074514"


def test_no_full_phone_or_id_number_is_stored_anywhere(app, events, consume) -> None:
    delivered = events.delivered(events.at(date(2026, 10, 5)), "o-1", None, phone=PHONE, id_number=ID_NUMBER)
    complaint = events.complaint_opened(events.at(date(2026, 10, 6)))
    complaint["data"]["category"] = f"customer {PHONE} asked to be called"  # free text with a number in it
    consume([delivered, complaint])
    with app.extensions["dealer"].sessions() as session:
        everything = [json.dumps([list(map(str, row)) for row in session.execute(select(table)).all()])
                      for table in [*Base.metadata.sorted_tables, *SharedBase.metadata.sorted_tables]]
        stored = json.loads(session.scalar(select(StoredEvent.body).where(StoredEvent.event_id == delivered["id"])))
    assert not any(PHONE in text or ID_NUMBER in text for text in everything)
    assert stored["data"]["customer"] == {"name": "Wang Lei", "phone": "139****5678", "id_number": "110101********4514"}

"""Reporting keeps no full phone or ID number."""
from __future__ import annotations

from reporting.domain import mask_event


def test_phones_and_id_numbers_are_masked_wherever_they_sit_in_data() -> None:
    envelope = {"id": "e1", "data": {
        "customer": {"name": "Wang Lei", "phone": "13812345678", "id_number": "110101199003074514"},
        "contacts": [{"phone": "13912345678"}], "customer_phone": "13712345678",
        "note": "call back on 13612345678, ID 110101199003074514"}}
    data = mask_event(envelope)["data"]
    assert data["customer"] == {"name": "Wang Lei", "phone": "138****5678", "id_number": "110101********4514"}
    assert data["contacts"] == [{"phone": "139****5678"}]
    assert data["customer_phone"] == "137****5678"
    assert data["note"] == "call back on 136****5678, ID 110101********4514"
    assert envelope["data"]["customer"]["phone"] == "13812345678"  # the received event is left as it was


def test_identifiers_are_never_masked_even_when_they_hold_eleven_digits() -> None:
    data = {"order_id": "0b7f3c2a-1d4e-4f6a-9b8c-a13812345678", "vin": "LSVAU2182N2183290",
            "inquiry_ids": ["0b7f3c2a-1d4e-4f6a-9b8c-a13812345678"]}
    assert mask_event({"data": data})["data"] == data

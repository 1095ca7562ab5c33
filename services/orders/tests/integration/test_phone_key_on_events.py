"""orders.order.placed carries the customer phone's keyed pseudonym (号码密钥), so reporting counts an order
naming no lead for the lead with that exact phone, and still no full phone. The expected key was worked out
with OpenSSL (shared/tests/test_phone_key.py says how) under the key derived from the tests' token secret."""
from __future__ import annotations

import json

from contracts import contract_errors

KEY_OF_13812345678 = "923b2ace19d954d99365e96a4b1a27e42d26e9a4d56fdaf4a8bd90fcd5c03b42"


def test_an_order_placed_carries_its_customers_phone_key_and_no_full_phone(place, published) -> None:
    place(lead_id=None)
    [placed] = published("orders.order.placed")
    assert placed["data"]["customer_phone_key"] == KEY_OF_13812345678
    assert placed["data"]["customer_phone_masked"] == "138****5678" and placed["data"]["lead_id"] is None
    assert "13812345678" not in json.dumps(placed) and contract_errors(placed) == []


def test_two_customers_whose_phones_mask_alike_get_different_keys(place, published, body) -> None:
    place(customer={**body()["customer"], "phone": "13899995678"})
    place()
    first, second = published("orders.order.placed")
    assert first["data"]["customer_phone_masked"] == second["data"]["customer_phone_masked"] == "138****5678"
    assert first["data"]["customer_phone_key"] != second["data"]["customer_phone_key"] == KEY_OF_13812345678

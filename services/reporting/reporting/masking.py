"""Reporting keeps no full phone or ID number: events are masked before they are stored.

Values under a ``phone`` or ``id_number`` key are masked wherever they sit in
``data``; every other text goes through ``mask_text``, except identifiers (a
UUID can hold eleven digits in a row, and masking it would break joins).
"""
from __future__ import annotations

import copy
import re
from typing import Any

from shared.privacy import mask_id_number, mask_phone, mask_text

PHONE_KEYS = ("phone", "mobile")
ID_NUMBER_KEYS = ("id_number",)
ELEVEN_DIGITS = re.compile(r"\d{11}")  # a phone or an ID number in text holds at least eleven in a row


def _is_identifier(key: str) -> bool:
    return key in ("id", "vin", "subject") or key.endswith(("_id", "_ids"))


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(key, item) for item in value]
    if not isinstance(value, str):
        return value
    if key in PHONE_KEYS or key.endswith("_phone"):
        return mask_phone(value)
    if key in ID_NUMBER_KEYS or key.endswith("_id_number"):
        return mask_id_number(value)
    if _is_identifier(key) or len(value) < 11 or not ELEVEN_DIGITS.search(value):
        return value  # mask_text would change nothing
    return mask_text(value)


def mask_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """A copy of the envelope whose ``data`` holds no full phone or ID number."""
    masked = copy.copy(envelope)
    masked["data"] = _mask_value("data", envelope.get("data") or {})
    return masked

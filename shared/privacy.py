"""Customer privacy (客户隐私): phones and ID numbers, checked, normalised and masked.

Full numbers are shown only to the roles a service allows; everywhere else,
including logs and reporting, they appear masked (138****5678).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import date
from typing import Any

from shared.config import phone_key_secret, read_jwt_secret
from shared.domain import InvalidInput

MOBILE = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# In free text: an 11-digit mobile (with or without +86 / 0086 / 86 in front, its groups run together or
# split by a space or a dash as people type them) or an 18-character resident ID, not inside a longer number.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)((?:\+?86|0086)[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")


def normalise_phone(raw: str, field: str = "phone") -> str:
    """A mainland mobile number as 11 digits: spaces, dashes and +86 / 0086 removed."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
    if not MOBILE.match(digits):
        raise InvalidInput(field, "must be a mainland mobile number: 11 digits starting 13-19")
    return digits


def mask_phone(phone: str | None) -> str | None:
    """138****5678."""
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def phone_key(phone: str | None, key: bytes | None = None) -> str | None:
    """A keyed pseudonym of a phone (号码密钥): HMAC-SHA256 of its 11 digits, as 64 hex characters.

    Reporting matches an order to the lead filed under the same phone by it, exactly, where the masked
    phone (138****5678) is shared by thousands of numbers. Keyed, not a plain hash: there are only about
    2 billion mainland mobiles, so an unkeyed hash is read back by trying them all; without the key
    (``shared.config.phone_key_secret``) this one is not. The same phone typed with spaces or +86 gives
    the same key. ``key``: this process's key unless given.
    """
    if not phone:
        return None
    try:
        digits = normalise_phone(phone)
    except InvalidInput:  # a number stored before the rules: its digits, so both sides still agree
        digits = re.sub(r"\D", "", phone)
    return hmac.new(key or process_phone_key(), digits.encode(), hashlib.sha256).hexdigest()


_process_key: list[bytes] = []  # the key this process's app was built with (``use_phone_key``)


def use_phone_key(key: bytes) -> None:
    """Make ``key`` this process's phone key (the app factory calls it with its settings' secret)."""
    _process_key[:] = [key]


def process_phone_key() -> bytes:
    """This process's phone key: the one its app was built with, else derived from the environment now."""
    return _process_key[0] if _process_key else phone_key_secret(read_jwt_secret())


def validate_id_number(raw: str, field: str = "id_number") -> str:
    """An 18-character resident ID (居民身份证号) with a valid birth date and check character."""
    value = (raw or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise InvalidInput(field, "must be 18 characters: 17 digits and a digit or X")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidInput(field, "holds no valid birth date") from None
    expected = _ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11]
    if value[17] != expected:
        raise InvalidInput(field, f"check character is wrong (expected {expected})")
    return value


def mask_id_number(value: str | None) -> str | None:
    """110101********4514."""
    if not value:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "****"


def mask_text(text: str) -> str:
    """Mask every phone and ID number found in free text (log lines, error messages, notes).

    Masked as everywhere else (``138****5678``, ``110101********4514``); a country code in front is kept.
    Used on whole log lines and on dead-letter errors, so it must never leave a full number behind.
    """
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    return _PHONE_IN_TEXT.sub(lambda m: (m.group(1) or "") + m.group(2) + "****" + m.group(4), text)


class MaskingFilter(logging.Filter):
    """Keeps personal numbers out of every log line, whatever code wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_personal_fields(value: Any) -> Any:
    """A copy with every value under a phone or ID-number key (``phone``, ``customer_phone``, ``id_number``) masked."""
    if isinstance(value, dict):
        return {key: _mask_field(str(key), item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_personal_fields(item) for item in value]
    return value


def _mask_field(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return mask_personal_fields(value)
    if key == "phone" or key.endswith("_phone"):
        return mask_phone(value)
    if key == "id_number" or key.endswith("_id_number"):
        return mask_id_number(value)
    return value

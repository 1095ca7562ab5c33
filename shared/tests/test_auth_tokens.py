"""Bearer tokens: a verified token is remembered, but never past its expiry, and a forged one never."""
from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest

from shared.web.auth import Unauthorized, decode_token, mint_token

SECRET = "unit-secret-0123456789abcdef0123456789"


def test_a_token_that_worked_is_refused_once_it_expires() -> None:
    token = mint_token(SECRET, "consultant", "c1", ttl=timedelta(seconds=2))
    assert decode_token(SECRET, f"Bearer {token}").sub == "c1"  # verified, and now remembered
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and jwt.decode(token, options={"verify_signature": False})["exp"] > time.time():
        time.sleep(0.1)
    with pytest.raises(Unauthorized, match="expired"):
        decode_token(SECRET, f"Bearer {token}")


def test_a_token_signed_with_another_secret_is_refused_every_time() -> None:
    forged = mint_token("another-secret-0123456789abcdef0123456", "sales_manager", "m1")
    for _ in range(2):
        with pytest.raises(Unauthorized, match="not valid"):
            decode_token(SECRET, f"Bearer {forged}")


def test_the_same_token_under_another_secret_is_not_taken_from_what_was_remembered() -> None:
    token = mint_token(SECRET, "consultant", "c1")
    assert decode_token(SECRET, f"Bearer {token}").role == "consultant"
    with pytest.raises(Unauthorized, match="not valid"):
        decode_token("other-secret-0123456789abcdef012345678", f"Bearer {token}")

"""The phone's keyed pseudonym (号码密钥) events carry so reporting matches orders to leads exactly.

Expected keys were worked out outside Python, with OpenSSL:
``printf 13812345678 | openssl dgst -sha256 -hmac phone-key-test-secret-0123456789abcdef`` and, for the key
derived from the token secret, ``printf "dealer phone key v1" | openssl dgst -sha256 -hmac <token secret>``
then ``printf 13812345678 | openssl dgst -sha256 -mac HMAC -macopt hexkey:<that>``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from dealer_testing import DEFAULT_SECRET
from shared import privacy
from shared.config import MIN_SECRET_LENGTH, PHONE_KEY_VAR, PUBLISHED_SECRETS, SecretRefused, phone_key_secret
from shared.privacy import mask_phone, mask_text, phone_key
from shared.web.app import build_app

OWN_SECRET = "phone-key-test-secret-0123456789abcdef"
KEY_UNDER_OWN_SECRET = "d391b590d09ac5bb761623a6858862f644702c7b8700886035208797aa35a4bd"  # of 13812345678
KEY_DERIVED_FROM_TEST_TOKEN_SECRET = "923b2ace19d954d99365e96a4b1a27e42d26e9a4d56fdaf4a8bd90fcd5c03b42"
PHONE, SAME_MASK = "13812345678", "13899995678"  # both 138****5678


@pytest.fixture(autouse=True)
def process_key_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no PHONE_KEY_SECRET and leaves the process's key as it found it."""
    monkeypatch.delenv(PHONE_KEY_VAR, raising=False)
    before = list(privacy._process_key)
    yield
    privacy._process_key[:] = before


def test_the_key_is_the_hmac_sha256_of_the_eleven_digits_under_the_phone_key_secret() -> None:
    assert phone_key(PHONE, OWN_SECRET.encode()) == KEY_UNDER_OWN_SECRET


@pytest.mark.parametrize("typed", ["138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "0086 13812345678",
                                   "8613812345678", " 13812345678 "])
def test_the_same_phone_typed_with_spaces_dashes_or_86_gives_the_same_key(typed: str) -> None:
    assert phone_key(typed, OWN_SECRET.encode()) == KEY_UNDER_OWN_SECRET


def test_without_phone_key_secret_the_key_is_derived_from_the_token_secret() -> None:
    assert phone_key(PHONE, phone_key_secret(DEFAULT_SECRET)) == KEY_DERIVED_FROM_TEST_TOKEN_SECRET


def test_an_empty_phone_key_secret_counts_as_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PHONE_KEY_VAR, "")
    assert phone_key(PHONE, phone_key_secret(DEFAULT_SECRET)) == KEY_DERIVED_FROM_TEST_TOKEN_SECRET


def test_phone_key_secret_when_set_is_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PHONE_KEY_VAR, OWN_SECRET)
    assert phone_key(PHONE, phone_key_secret(DEFAULT_SECRET)) == KEY_UNDER_OWN_SECRET


def test_a_different_key_secret_gives_a_different_key() -> None:
    other = "another-phone-key-secret-0123456789abcdef"
    assert phone_key(PHONE, other.encode()) != KEY_UNDER_OWN_SECRET
    assert phone_key(PHONE, phone_key_secret(other)) != KEY_DERIVED_FROM_TEST_TOKEN_SECRET


def test_two_phones_that_mask_alike_have_different_keys() -> None:
    assert mask_phone(PHONE) == mask_phone(SAME_MASK) == "138****5678"
    assert phone_key(PHONE, OWN_SECRET.encode()) != phone_key(SAME_MASK, OWN_SECRET.encode())


def test_the_key_reveals_no_digit_of_the_phone() -> None:
    key = phone_key(PHONE, OWN_SECRET.encode())
    assert key is not None and len(key) == 64 and set(key) <= set("0123456789abcdef")
    assert not any(PHONE[i:i + 4] in key for i in range(len(PHONE) - 3))  # no four of its digits in a row
    assert key != hashlib.sha256(PHONE.encode()).hexdigest()  # not the unkeyed hash anyone could brute-force
    assert mask_text(key) == key  # nothing in it a log would take for a phone


def test_no_phone_has_no_key() -> None:
    assert phone_key(None, OWN_SECRET.encode()) is None and phone_key("", OWN_SECRET.encode()) is None


def test_an_app_makes_keys_with_its_own_token_secret(tmp_path: Path) -> None:
    build_app("probe", "Probe", [], {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "JWT_SECRET": DEFAULT_SECRET})
    assert phone_key(PHONE) == KEY_DERIVED_FROM_TEST_TOKEN_SECRET


@pytest.mark.parametrize("secret", sorted(PUBLISHED_SECRETS | {"a" * (MIN_SECRET_LENGTH - 1)}))
def test_an_app_refuses_a_published_or_short_phone_key_secret(secret: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PHONE_KEY_VAR, secret)
    with pytest.raises(SecretRefused) as refused:
        build_app("probe", "Probe", [], {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
                                         "JWT_SECRET": DEFAULT_SECRET})
    assert PHONE_KEY_VAR in str(refused.value)


def test_no_key_is_made_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SecretRefused):
        phone_key_secret("")

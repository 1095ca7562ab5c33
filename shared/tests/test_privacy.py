"""Phones and ID numbers: normalised, validated, masked, kept out of logs."""
from __future__ import annotations

import logging

import pytest

from shared.domain import InvalidInput
from shared.privacy import MaskingFilter, mask_id_number, mask_phone, mask_text, normalise_phone, validate_id_number


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "138 1234 5678"])
def test_phones_are_normalised_to_eleven_digits_before_comparison(raw: str) -> None:
    assert normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["", "12812345678", "1381234567", "138123456789", "abc"])
def test_a_phone_that_is_not_a_mainland_mobile_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_phone(raw)


def test_masks_show_only_the_ends() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("110101199003074514") == "110101********4514"


def test_a_resident_id_with_a_wrong_check_character_is_refused() -> None:
    assert validate_id_number("110101199003074514") == "110101199003074514"
    with pytest.raises(InvalidInput, match="check character"):
        validate_id_number("110101199003074515")


def test_a_resident_id_with_an_impossible_birth_date_is_refused() -> None:
    with pytest.raises(InvalidInput, match="birth date"):
        validate_id_number("110101199013374514")


def test_phones_and_ids_in_free_text_are_masked() -> None:
    text = "call 13812345678 about id 110101199003074514, order 20261122000001"
    assert mask_text(text) == "call 138****5678 about id 110101********4514, order 20261122000001"


def test_log_lines_never_carry_a_full_phone(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.privacy")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.privacy"):
        logger.info("customer %s called", "13812345678")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text

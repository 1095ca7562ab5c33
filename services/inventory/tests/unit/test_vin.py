from __future__ import annotations

import pytest

from inventory.vin import check_digit, validate_vin
from shared.domain import InvalidInput

# Each checked by hand against the ISO 3779 weights; the first is the textbook example.
VALID_VINS = [
    "1M8GDM9AXKP042788",  # check digit X (remainder 10)
    "11111111111111111",
    "LSVAU2182N2183290",  # SAIC-Volkswagen, China
    "1HGCM82633A004352",
    "JH4KA7561PC008269",
]


@pytest.mark.parametrize("vin", VALID_VINS)
def test_real_vins_with_correct_check_digit_are_accepted(vin: str) -> None:
    assert validate_vin(vin) == vin


def test_vin_is_uppercased_and_stripped_for_storage() -> None:
    assert validate_vin("  lsvau2182n2183290\n") == "LSVAU2182N2183290"


@pytest.mark.parametrize(
    "vin, length", [("", 0), ("1M8GDM9AXKP04278", 16), ("1M8GDM9AXKP0427881", 18)]
)
def test_vin_must_be_17_characters(vin: str, length: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_vin(vin)
    assert caught.value.field == "vin"
    assert f"must be 17 characters, got {length}" in caught.value.detail


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_letters_i_o_q_are_forbidden(letter: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_vin(f"1M8GDM9AXKP04278{letter}")
    assert "I, O and Q are not allowed" in caught.value.detail
    assert "position 17" in caught.value.detail


@pytest.mark.parametrize(
    "vin", ["1M8GDM9AXKP-42788", "1M8GDM9AXKP 42788", "1M8GDM9AXKPÖ42788"]
)
def test_characters_outside_a_to_z_and_digits_are_refused(vin: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_vin(vin)
    assert "only letters A-Z and digits 0-9" in caught.value.detail
    assert "position 12" in caught.value.detail


def test_wrong_check_digit_is_refused_naming_the_expected_one() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_vin("1M8GDM9A5KP042788")
    assert caught.value.field == "vin"
    assert "position 9 is '5' but should be 'X'" in caught.value.detail


def test_one_mistyped_character_breaks_the_check_digit() -> None:
    with pytest.raises(InvalidInput, match="is '2' but should be '4'"):
        validate_vin("LSVAU2182N2183291")


@pytest.mark.parametrize("vin", VALID_VINS)
def test_check_digit_is_the_ninth_character_of_a_valid_vin(vin: str) -> None:
    assert check_digit(vin) == vin[8]


def test_check_digit_ten_is_written_x() -> None:
    assert check_digit("1M8GDM9A0KP042788") == "X"


def test_check_digit_needs_a_well_formed_vin() -> None:
    with pytest.raises(InvalidInput, match="must be 17 characters"):
        check_digit("ABC")

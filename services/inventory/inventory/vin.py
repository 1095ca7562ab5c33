"""VIN (车架号) checks: ISO 3779 shape plus the North-American check digit.

A mistyped VIN would put a car in stock that no maker, lender or registration
office recognises, so every VIN is checked before it enters inventory.
"""

from __future__ import annotations

import string

from shared.domain import InvalidInput

VIN_LENGTH = 17
CHECK_DIGIT_POSITION = 9  # 1-based, as printed on the car and in ISO 3779
FORBIDDEN_LETTERS = "IOQ"  # too easily confused with 1, 0 and 0
ALLOWED = set(string.ascii_uppercase + string.digits) - set(FORBIDDEN_LETTERS)

# Letters stand for digits when the check digit is computed (ISO 3779 / 49 CFR 565).
TRANSLITERATION = {
    **dict.fromkeys("AJ", 1),
    **dict.fromkeys("BKS", 2),
    **dict.fromkeys("CLT", 3),
    **dict.fromkeys("DMU", 4),
    **dict.fromkeys("ENV", 5),
    **dict.fromkeys("FW", 6),
    **dict.fromkeys("GPX", 7),
    **dict.fromkeys("HY", 8),
    **dict.fromkeys("RZ", 9),
    **{digit: int(digit) for digit in string.digits},
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def validate_vin(vin: str) -> str:
    """Return the VIN normalised for storage, or say exactly why it cannot be a real VIN."""
    normalised = _normalise_and_check_shape(vin)
    expected = _compute_check_digit(normalised)
    actual = normalised[CHECK_DIGIT_POSITION - 1]
    if actual != expected:
        raise InvalidInput(
            "vin",
            f"check digit at position {CHECK_DIGIT_POSITION} is '{actual}' "
            f"but should be '{expected}'; the VIN is probably mistyped",
        )
    return normalised


def check_digit(vin: str) -> str:
    """Return the check digit a VIN should carry, so staff can see what was expected."""
    return _compute_check_digit(_normalise_and_check_shape(vin))


def _normalise_and_check_shape(vin: str) -> str:
    """Uppercase and strip the VIN, then refuse a wrong length or character."""
    normalised = vin.strip().upper()
    if len(normalised) != VIN_LENGTH:
        raise InvalidInput(
            "vin", f"must be {VIN_LENGTH} characters, got {len(normalised)}"
        )
    for position, char in enumerate(normalised, start=1):
        if char in FORBIDDEN_LETTERS:
            raise InvalidInput(
                "vin",
                f"letters I, O and Q are not allowed in a VIN; "
                f"found '{char}' at position {position}",
            )
        if char not in ALLOWED:
            raise InvalidInput(
                "vin",
                f"only letters A-Z and digits 0-9 are allowed; "
                f"found {char!r} at position {position}",
            )
    return normalised


def _compute_check_digit(normalised: str) -> str:
    """Weighted sum of transliterated characters modulo 11; 10 is written 'X'."""
    total = sum(TRANSLITERATION[c] * w for c, w in zip(normalised, WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)

"""What the store sells: models, trims, colours, guide prices, and how their VINs are made.

A VIN here is built as a maker would: world maker code, model and trim codes, the
ISO 3779 check digit in the ninth place, model year, plant and serial number.
The check digit is computed here; inventory verifies it on arrival.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Trim:
    """One configuration of a model (配置) and its maker's guide price (厂家指导价)."""

    name: str
    code: str
    msrp: Decimal


@dataclass(frozen=True)
class Model:
    """A model line, its trims and colours, and its share of the store's customers."""

    name: str
    code: str
    popularity: float
    trims: tuple[Trim, ...]
    colors: tuple[str, ...]
    fleet_trim: str  # the trim of its car in the test-drive fleet (试驾车)
    fleet_color: str
    model_class: str  # 车型大类, as inventory's catalogue files it: targets and commission count by it


MODELS = (
    Model("Aurora", "AU", 0.45, (Trim("1.5T Comfort", "C1", Decimal("149900.00")),
                                  Trim("2.0T Luxury", "L2", Decimal("199900.00"))),
          ("white", "black", "silver", "blue"), "2.0T Luxury", "white", model_class="sedan"),
    Model("Borealis", "BR", 0.35, (Trim("2.0T Elite", "E2", Decimal("229900.00")),
                                    Trim("2.0T 4WD Flagship", "F4", Decimal("269900.00"))),
          ("white", "black", "grey", "red"), "2.0T Elite", "grey", model_class="SUV"),
    Model("Comet", "CM", 0.20, (Trim("EV Standard", "S5", Decimal("119900.00")),
                                 Trim("EV Long Range", "R7", Decimal("139900.00"))),
          ("white", "green", "silver", "orange"), "EV Long Range", "green", model_class="NEV"),
)
BY_NAME = {m.name: m for m in MODELS}
COLOR_WEIGHTS = (0.4, 0.3, 0.2, 0.1)  # white sells best, the loud colour least
COST_RATIO = Decimal("0.86")  # what the store pays the maker, of the guide price

_VIN_VALUES = {**dict.fromkeys("AJ", 1), **dict.fromkeys("BKS", 2), **dict.fromkeys("CLT", 3),
               **dict.fromkeys("DMU", 4), **dict.fromkeys("ENV", 5), **dict.fromkeys("FW", 6),
               **dict.fromkeys("GPX", 7), **dict.fromkeys("HY", 8), **dict.fromkeys("RZ", 9),
               **{d: int(d) for d in string.digits}}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
WMI = "LDM"  # world maker code: L for China
MODEL_YEAR = "T"  # 2026
PLANT = "N"


@dataclass(frozen=True)
class Spec:
    """A car as an order names it: model, trim, colour."""

    model: str
    trim: str
    color: str

    @property
    def msrp(self) -> Decimal:
        return next(t.msrp for t in BY_NAME[self.model].trims if t.name == self.trim)


def vin_check_digit(vin: str) -> str:
    """ISO 3779 / 49 CFR 565: weighted sum of transliterated characters modulo 11, 10 written X."""
    remainder = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def make_vin(spec: Spec, serial: int) -> str:
    """The VIN of the ``serial``-th car built, its check digit in place."""
    model = BY_NAME[spec.model]
    trim = next(t for t in model.trims if t.name == spec.trim)
    draft = f"{WMI}{model.code}{trim.code}0" + "0" + f"{MODEL_YEAR}{PLANT}{serial:06d}"  # ninth: the check digit
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def choose_model(rng: random.Random) -> Model:
    """A model, as often as customers ask for it."""
    return rng.choices(MODELS, weights=[m.popularity for m in MODELS])[0]


def choose_spec(rng: random.Random, model: Model) -> Spec:
    """A trim (the cheaper one a little more often) and a colour of a model."""
    trim = rng.choices(model.trims, weights=(0.55, 0.45))[0]
    return Spec(model.name, trim.name, rng.choices(model.colors, weights=COLOR_WEIGHTS)[0])


def fleet_spec(model: Model) -> Spec:
    """The model's test-drive car."""
    return Spec(model.name, model.fleet_trim, model.fleet_color)


def fleet_vin(model: Model) -> str:
    """The VIN of the model's test-drive car (the first cars built of each model)."""
    return make_vin(fleet_spec(model), MODELS.index(model) + 1)

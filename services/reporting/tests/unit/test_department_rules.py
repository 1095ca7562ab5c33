"""The rules of the paperwork and after-sales figures (DOMAIN.md round 2), each worked out by hand."""
from __future__ import annotations

from decimal import Decimal

from reporting.department_rules import Satisfaction, is_recommend_answer, is_scale_answer, vat_included


def test_vat_is_price_times_13_over_113_to_the_fen_half_up() -> None:
    assert vat_included(Decimal("113.00")) == Decimal("13.00")  # 113 x 13 / 113
    assert vat_included(Decimal("100000.00")) == Decimal("11504.42")  # 11504.4247..: down
    assert vat_included(Decimal("189900.00")) == Decimal("21846.90")  # 21846.9026..: down
    assert vat_included(Decimal("1.00")) == Decimal("0.12")  # 0.11504..: 0.115 and more rounds up


def test_nine_and_ten_promote_seven_and_eight_are_passive_six_and_below_detract() -> None:
    scores = Satisfaction()
    for recommend in (10, 9, 8, 7, 6, 0):
        scores.add((5, 5, 5), recommend)
    assert (scores.promoters, scores.passives, scores.detractors, scores.responses) == (2, 2, 2, 6)
    assert scores.nps == 0.0  # (2 - 2) / 6 x 100


def test_csi_is_the_average_of_every_one_to_five_answer_given() -> None:
    scores = Satisfaction()
    scores.add((5, 4, 3), 9)
    scores.add((2, None, 4), 3)  # an answer left out counts on neither side
    assert (scores.answer_points, scores.answers, scores.csi) == (18, 5, 3.6)  # 12 + 6 = 18 over 5
    assert scores.nps == 0.0  # one promoter, one detractor


def test_no_questionnaire_gives_no_csi_and_no_nps_rather_than_zero() -> None:
    assert (Satisfaction().csi, Satisfaction().nps) == (None, None)


def test_answers_outside_their_scales_are_not_answers() -> None:
    assert [is_scale_answer(v) for v in (0, 1, 5, 6, True, "5")] == [False, True, True, False, False, False]
    assert [is_recommend_answer(v) for v in (-1, 0, 10, 11, False)] == [False, True, True, False, False]

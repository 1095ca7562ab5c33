"""The rules of the figures drawn from the back office's paperwork and after-sales (DOMAIN.md, round 2); no framework.

- Revenue net of VAT (不含税收入): the price includes 13% VAT, tax = price × 13 ÷ 113 to the fen, half up, on
  each sale (as its invoice says); the net is the price less that tax, summed over the sales.
- CSI (客户满意度) from the return-visit questionnaire (回访问卷): the average of its three 1–5 answers (sales
  process, delivery, facility) over every questionnaire answered: answer points ÷ answers.
- NPS (净推荐值) from the would-recommend answer (0–10): % promoters (9–10) minus % detractors (0–6); 7–8 are
  passives, counted in the responses only.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

VAT_RATE = Decimal(13)  # 增值税 13 %, included in the deal price
FEN = Decimal("0.01")
CALL_OUTCOMES = ("booked", "declined", "no_answer", "wrong_number")  # 保养提醒: how a reminder call ended
GRADES = ("vip", "first", "second", "other")  # VIP / 一级 / 二级 / other
CUSTOMER_SOURCES = ("sale", "walk_in")  # bought here; bought elsewhere (外购车)
PENETRATION = ("loan", "commercial_insurance", "compulsory_insurance")  # 金融, 商业险, 交强险 渗透率
SCALES = ("sales_process", "delivery", "facility")  # the questionnaire's 1–5 answers
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6


def vat_included(price: Decimal) -> Decimal:
    """The VAT inside a tax-inclusive price: price × 13 ÷ 113, to the fen, half up."""
    return (price * VAT_RATE / (100 + VAT_RATE)).quantize(FEN, rounding=ROUND_HALF_UP)


def is_scale_answer(value: object) -> bool:
    """A 1–5 answer (a bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def is_recommend_answer(value: object) -> bool:
    """A 0–10 would-recommend answer."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


@dataclass
class Satisfaction:
    """Questionnaires added up: CSI's answer points and answers, NPS's promoters, passives and detractors."""

    questionnaires: int = 0
    answer_points: int = 0
    answers: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    def add(self, scales: Iterable[int | None], recommend: int | None) -> None:
        """One questionnaire: its 1–5 answers given and its 0–10 one."""
        given = [answer for answer in scales if answer is not None]
        self.questionnaires += 1
        self.answer_points += sum(given)
        self.answers += len(given)
        if recommend is None:
            return
        if recommend >= PROMOTER_FROM:
            self.promoters += 1
        elif recommend <= DETRACTOR_UP_TO:
            self.detractors += 1
        else:
            self.passives += 1

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def csi(self) -> float | None:
        """Average of the 1–5 answers, two places; None with no answer."""
        return round(self.answer_points / self.answers, 2) if self.answers else None

    @property
    def nps(self) -> float | None:
        """% promoters − % detractors, in points with two places; None with no response."""
        if not self.responses:
            return None
        return round((self.promoters - self.detractors) * 100 / self.responses, 2)

    def figures(self) -> dict[str, object]:
        """As reports show it: each figure with what it was computed from."""
        return {"questionnaires": self.questionnaires, "csi": self.csi,
                "csi_details": {"answer_points": self.answer_points, "answers": self.answers},
                "nps": self.nps, "nps_details": {"promoters": self.promoters, "passives": self.passives,
                                                 "detractors": self.detractors, "responses": self.responses}}

"""The month's scorecard template (绩效考核表): the sheet's weights and targets, the working days meetings are due
on, and the per-class commission deductions (扣发). A month no sales manager changed uses the store's default.
(Setting it is a use case: ``reporting.pay.services``.)"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from reporting.dates import aware
from reporting.domain import MODEL_CLASSES
from reporting.meetings.domain import DEFAULT_WORKING_DAYS
from reporting.models import ScorecardTemplate
from reporting.pay.domain import DEFAULT_DEDUCTION, DEFAULT_SHEET, SheetLine, cents


@dataclass(frozen=True)
class Template:
    """What the month's scorecard, meetings and commissions follow."""

    month: str
    lines: tuple[SheetLine, ...] = DEFAULT_SHEET
    working_days: tuple[int, ...] = DEFAULT_WORKING_DAYS
    class_deductions: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MODEL_CLASSES,
                                                                                      DEFAULT_DEDUCTION))
    set_by: str | None = None
    set_at: datetime | None = None


def template_of(session: Session, month: str) -> Template:
    """The month's template, or the store's default sheet."""
    row = session.get(ScorecardTemplate, month)
    if row is None:
        return Template(month)
    lines = tuple(SheetLine(item["line"], sheet.kpi, Decimal(item["weight"]), Decimal(item["target"]))
                  for item, sheet in zip(sorted(row.lines, key=lambda i: i["line"]), DEFAULT_SHEET, strict=True))
    deductions = {name: Decimal(row.class_deductions.get(name, DEFAULT_DEDUCTION)) for name in MODEL_CLASSES}
    return Template(month, lines, tuple(row.working_days), deductions, row.set_by, aware(row.set_at))


def template_view(template: Template) -> dict[str, Any]:
    """The template as the API and the event give it: Decimals as text."""
    return {"month": template.month,
            "lines": [{"line": s.line, "kpi": s.kpi, "weight": f"{s.weight:.4f}", "target": f"{s.target:.4f}"}
                      for s in template.lines],
            "working_days": list(template.working_days),
            "class_deductions": {name: f"{cents(amount):f}" for name, amount in template.class_deductions.items()},
            "set_by": template.set_by, "set_at": template.set_at}

"""Use cases of the pay figures' inputs: a sales manager sets a month's scorecard template (绩效考核表)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reporting import events
from reporting.dates import aware, month_range
from reporting.domain import MODEL_CLASSES
from reporting.meetings.domain import DEFAULT_WORKING_DAYS
from reporting.models import ScorecardTemplate
from reporting.pay.domain import DEFAULT_DEDUCTION, DEFAULT_SHEET, SheetLine, weights_problem
from reporting.pay.template import Template, template_view
from shared.actors import Actor
from shared.clock import utcnow
from shared.domain import InvalidInput


def _merged_lines(changes: list[dict[str, Any]]) -> tuple[SheetLine, ...]:
    """The default sheet with the lines a manager changed; the weights must add up to 100% (422 on ``lines``)."""
    by_line = {item["line"]: item for item in changes}
    if len(by_line) != len(changes):
        raise InvalidInput("lines", "each line may appear once")
    lines = tuple(SheetLine(s.line, s.kpi, by_line.get(s.line, {}).get("weight", s.weight),
                            by_line.get(s.line, {}).get("target", s.target)) for s in DEFAULT_SHEET)
    problem = weights_problem(s.weight for s in lines)
    if problem:
        raise InvalidInput("lines", problem)
    return lines


def set_template(session: Session, month: str, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """A sales manager sets the month's sheet, working days and class deductions; what is left out is the default.

    The template replaces the month's; written to the outbox (``reporting.scorecard_template.set``) in the same
    transaction, for a payroll system to follow.
    """
    month_range(month)
    lines = _merged_lines(data.get("lines") or [])
    deductions = {name: data.get("class_deductions", {}).get(name, DEFAULT_DEDUCTION) for name in MODEL_CLASSES}
    template = Template(month, lines, tuple(sorted(set(data.get("working_days") or DEFAULT_WORKING_DAYS))),
                        deductions, actor.sub, utcnow())
    view = template_view(template)
    row = session.get(ScorecardTemplate, month, with_for_update=True) or ScorecardTemplate(month=month)
    row.lines = [{k: item[k] for k in ("line", "weight", "target")} for item in view["lines"]]
    row.working_days, row.class_deductions = view["working_days"], view["class_deductions"]
    row.set_by, row.set_at = actor.sub, template.set_at  # type: ignore[assignment]
    session.add(row)
    session.flush()
    events.publish(session, "reporting.scorecard_template.set", month, {
        **{k: view[k] for k in ("month", "lines", "working_days", "class_deductions")},
        "by": actor.sub, "at": aware(template.set_at).isoformat()})  # type: ignore[arg-type]
    session.commit()
    return view

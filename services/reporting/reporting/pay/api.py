"""HTTP routes of the scorecard, its template, commission (提成), the groups' and weekly reports, weekly plans.

Every staff role is let through the guard: a group's supervisor (主管) may hold any role, so each route
then checks the caller against the group (``reporting.pay.access``), as a consultant is checked against
their own rows.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from reporting import dates
from reporting.api import answer_json_or_csv
from reporting.domain import STAFF_ROLES
from reporting.meetings.services import write_weekly_plan
from reporting.pay import access
from reporting.pay.commission import commissions, commissions_table, visible
from reporting.pay.domain import MANAGER, MEMBER_ROLES, REPORT_READERS
from reporting.pay.schemas import (
    CommissionsOut,
    GroupsOut,
    MonthArgs,
    PlanIn,
    PlanOut,
    ScorecardArgs,
    ScorecardOut,
    TemplateIn,
    TemplateOut,
    WeeklyArgs,
    WeeklyOut,
)
from reporting.pay.scorecard import scorecard, scorecard_table
from reporting.pay.services import set_template
from reporting.pay.template import template_of, template_view
from reporting.reports.groups import groups_report, groups_table
from reporting.reports.weekly import week_days, week_of, weekly, weekly_table
from reporting.staff.queries import group_of
from shared.web.app import db, settings
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("pay", __name__, url_prefix="/api/v1",
                description="Scorecards, commission, the groups' and weekly reports (绩效考核表, 提成, 周销售进度)")


def _today() -> date:
    return dates.today(settings().timezone)


def _month(args: dict[str, Any]) -> str:
    month = args["month"] or dates.month_of(_today())
    dates.month_range(month)  # 2026-13 is a 422 naming month
    return month


def _readable(everyone: tuple[str, ...]) -> set[str] | None:
    """The groups the caller may read (None: all; empty for staff who supervise none: their lists are empty)."""
    return access.readable_groups(db(), current_actor(), everyone)


@blp.get("/scorecard-template/<month>")
@blp.response(200, TemplateOut)
@require(*STAFF_ROLES)
def get_template(month: str) -> Any:
    """The month's scorecard sheet, working days and class deductions (the store's default when unchanged)."""
    dates.month_range(month)
    return template_view(template_of(db(), month))


@blp.put("/scorecard-template/<month>")
@blp.arguments(TemplateIn)
@blp.response(200, TemplateOut)
@require(MANAGER)
def put_template(data: dict[str, Any], month: str) -> Any:
    """Change the month's weights and targets (weights add up to 100%), working days and class deductions."""
    return set_template(db(), month, data, current_actor())


@blp.get("/scorecards")
@blp.arguments(ScorecardArgs, location="query")
@blp.response(200, ScorecardOut)
@require(*STAFF_ROLES)
def get_scorecard(args: dict[str, Any]) -> Any:
    """A group's supervisor's scorecard (绩效考核表) for a month: a sales manager any group's, a supervisor theirs."""
    month, session = _month(args), db()
    access.check_group_reader(session, current_actor(), args["group_id"])
    group_of(session, args["group_id"])
    report = scorecard(session, args["group_id"], month, _today())
    return answer_json_or_csv(args, report, scorecard_table, f"scorecard-{args['group_id']}-{month}")


@blp.get("/commissions")
@blp.arguments(MonthArgs, location="query")
@blp.response(200, CommissionsOut)
@require(*STAFF_ROLES)
def get_commissions(args: dict[str, Any]) -> Any:
    """Commission (提成) per consultant and group: a sales manager all, a supervisor their groups', a consultant
    their own rows; ``?format=csv`` for payroll."""
    month, actor = _month(args), current_actor()
    groups = access.readable_groups(db(), actor)
    own = actor.sub if actor.role in MEMBER_ROLES else None
    # staff who supervise no group and sell in none read an empty sheet: nothing of anyone's is theirs to see
    report = commissions(db(), month, groups, own) if visible(groups, own) else {"month": month, "items": []}
    return answer_json_or_csv(args, report, commissions_table, f"commissions-{month}")


@blp.get("/reports/groups")
@blp.arguments(MonthArgs, location="query")
@blp.response(200, GroupsOut)
@require(*STAFF_ROLES)
def get_groups_report(args: dict[str, Any]) -> Any:
    """Each group's units, target, completion, five rates and leaderboard (a supervisor: their groups)."""
    month = _month(args)
    report = groups_report(db(), month, _today(), _readable(REPORT_READERS))
    return answer_json_or_csv(args, report, groups_table, f"groups-{month}")


@blp.get("/reports/weekly")
@blp.arguments(WeeklyArgs, location="query")
@blp.response(200, WeeklyOut)
@require(*STAFF_ROLES)
def get_weekly_report(args: dict[str, Any]) -> Any:
    """The weekly progress report (周销售进度) per group and for the store, with each group's plan."""
    week = args["week"] or week_of(_today())
    week_days(week)
    report = weekly(db(), week, _readable(REPORT_READERS))
    return answer_json_or_csv(args, report, weekly_table, f"weekly-{week}")


@blp.put("/weekly-plans/<week>/<group_id>")
@blp.arguments(PlanIn)
@blp.response(200, PlanOut)
@require(*STAFF_ROLES)
def put_weekly_plan(data: dict[str, Any], week: str, group_id: str) -> Any:
    """The group's supervisor (or a sales manager) writes next week's plan on the week's report."""
    week_days(week)
    return write_weekly_plan(db(), week, group_id, data["plan"], current_actor())

"""The reporting routes: the managers' reports (JSON or CSV), then targets and rebuilds.

Each route reads its parameters (``reporting.schemas``), runs a report (``reporting.reports``), a
read (``reporting.queries``) or a use case (``reporting.services``) and answers what it returns.
CSV tables go out through ``shared.web.csv_safe``, which keeps formula-like text cells from running
when the file is opened in a spreadsheet (CSV injection).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import request

from reporting import dates, queries, services
from reporting.domain import (
    AFTER_SALES_READERS,
    CAMPAIGN_READERS,
    FUNNEL_READERS,
    LOST_REASON_READERS,
    REBUILDERS,
    SALES_READERS,
    STATUS_READERS,
    STOCK_READERS,
    TARGET_READERS,
    TARGET_SETTERS,
    own_rows_only,
)
from reporting.reports import Table
from reporting.reports.after_sales import after_sales, after_sales_table
from reporting.reports.campaigns import campaigns, campaigns_table
from reporting.reports.consultants import consultants, consultants_table
from reporting.reports.funnel import funnel, funnel_table
from reporting.reports.lost_reasons import lost_reasons, lost_reasons_table
from reporting.reports.ranges import current_month, date_range, sales_range, trailing_days
from reporting.reports.sales import daily_table, sales, sales_daily, sales_table
from reporting.reports.stock import stock, stock_table
from reporting.schemas import (
    AfterSalesArgs,
    AfterSalesOut,
    CampaignsOut,
    ConsultantsOut,
    DailyArgs,
    FormatArgs,
    FunnelArgs,
    FunnelOut,
    LostReasonsArgs,
    LostReasonsOut,
    MonthArgs,
    RangeArgs,
    RebuildOut,
    SalesArgs,
    SalesDailyOut,
    SalesOut,
    StatusOut,
    StockOut,
    TargetsIn,
    TargetsOut,
)
from reporting.staff.queries import group_of
from shared.clock import utcnow
from shared.web import csv_safe
from shared.web.app import db, settings
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports for managers (报表)")
manage = Blueprint("manage", __name__, url_prefix="/api/v1", description="Targets and rebuilds")


def _today() -> date:
    return dates.today(settings().timezone)


def answer_json_or_csv(args: dict[str, Any], report: dict[str, Any], table: Callable[[dict[str, Any]], Table],
            filename: str) -> Any:
    """The report as JSON, or as CSV when ``?format=csv`` or ``Accept: text/csv`` asks for it."""
    accepted = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    if args.get("format") == "csv" or accepted == "text/csv":
        header, rows = table(report)
        return csv_safe.csv_response(header, rows, filename)
    return report


@blp.get("/reports/funnel")
@blp.arguments(FunnelArgs, location="query")
@blp.response(200, FunnelOut)
@require(*FUNNEL_READERS)
def funnel_report(args: dict[str, Any]) -> Any:
    """The funnel and its KPIs (建卡率, 邀约到店率, 再回展厅率, 试乘试驾率, 30天转化率, 转介绍率).

    The team's, one consultant's, or one sales group's (小组).
    """
    first, last = date_range(args, _today())
    if args["group_id"] is not None:
        group_of(db(), args["group_id"])  # an unknown group is a 404, not a funnel of zeros
    report = funnel(db(), first, last, args["consultant_id"], args["group_id"])
    return answer_json_or_csv(args, report, funnel_table, f"funnel-{first}-{last}")


@blp.get("/reports/lost-reasons")
@blp.arguments(LostReasonsArgs, location="query")
@blp.response(200, LostReasonsOut)
@require(*LOST_REASON_READERS)
def lost_reasons_report(args: dict[str, Any]) -> Any:
    """Leads lost in the range and still lost, by reason (战败原因) and competitor's brand, with shares."""
    first, last = date_range(args, _today())
    report = lost_reasons(db(), first, last, args["consultant_id"])
    return answer_json_or_csv(args, report, lost_reasons_table, f"lost-reasons-{first}-{last}")


@blp.get("/reports/campaigns")
@blp.arguments(RangeArgs, location="query")
@blp.response(200, CampaignsOut)
@require(*CAMPAIGN_READERS)
def campaigns_report(args: dict[str, Any]) -> Any:
    """Campaigns (市场活动) running in the range: invited, arrived, test drives, orders, deliveries."""
    first, last = date_range(args, _today())
    return answer_json_or_csv(args, campaigns(db(), first, last), campaigns_table, f"campaigns-{first}-{last}")


@blp.get("/reports/sales")
@blp.arguments(SalesArgs, location="query")
@blp.response(200, SalesOut)
@require(*SALES_READERS)
def sales_report(args: dict[str, Any]) -> Any:
    """Deliveries (交车) of a day or a month: units, revenue, breakdowns, model mix."""
    label, first, last = sales_range(args["period"], args["date"], _today())
    report = {"period": args["period"], "date": label, **sales(db(), first, last, own_rows_only(current_actor()))}
    return answer_json_or_csv(args, report, sales_table, f"sales-{label}")


@blp.get("/reports/sales/daily")
@blp.arguments(DailyArgs, location="query")
@blp.response(200, SalesDailyOut)
@require(*SALES_READERS)
def sales_trend(args: dict[str, Any]) -> Any:
    """Units and revenue per day over the last ``days`` days (30 by default) ending ``to``."""
    first, last = trailing_days(args["to"], args["days"], _today())
    report = sales_daily(db(), first, last, own_rows_only(current_actor()))
    return answer_json_or_csv(args, report, daily_table, f"sales-daily-{first}-{last}")


@blp.get("/reports/consultants")
@blp.arguments(MonthArgs, location="query")
@blp.response(200, ConsultantsOut)
@require(*SALES_READERS)
def consultants_report(args: dict[str, Any]) -> Any:
    """Consultants of a month, ranked: work, deliveries, target and completion (a consultant: own row)."""
    month = current_month(args["month"], _today())
    report = consultants(db(), month, own_rows_only(current_actor()))
    return answer_json_or_csv(args, report, consultants_table, f"consultants-{month}")


@blp.get("/reports/stock")
@blp.arguments(FormatArgs, location="query")
@blp.response(200, StockOut)
@require(*STOCK_READERS)
def stock_report(args: dict[str, Any]) -> Any:
    """Stock on hand, ageing (库龄), the test-drive fleet and slow movers."""
    report = stock(db(), utcnow(), settings().timezone)
    return answer_json_or_csv(args, report, stock_table, f"stock-{report['as_of']}")


@blp.get("/reports/after-sales")
@blp.arguments(AfterSalesArgs, location="query")
@blp.response(200, AfterSalesOut)
@require(*AFTER_SALES_READERS)
def after_sales_report(args: dict[str, Any]) -> Any:
    """CSI, complaints and maintenance reminders due within ``window`` days."""
    today = _today()
    first, last = date_range(args, today)
    report = after_sales(db(), first, last, today, args["window"])
    return answer_json_or_csv(args, report, after_sales_table, f"after-sales-{first}-{last}")


@manage.put("/targets/<month>")
@manage.arguments(TargetsIn)
@manage.response(200, TargetsOut)
@require(*TARGET_SETTERS)
def put_targets(data: dict[str, Any], month: str) -> Any:
    """Set each consultant's unit target for the month; completion counts that month's deliveries."""
    return services.set_targets(db(), month, data["targets"], current_actor())


@manage.get("/targets/<month>")
@manage.response(200, TargetsOut)
@require(*TARGET_READERS)
def get_targets(month: str) -> Any:
    """The month's targets (a consultant: their own)."""
    return queries.targets_view(db(), month, own_rows_only(current_actor()))


@manage.post("/admin/rebuild")
@manage.response(202, RebuildOut)
@require(*REBUILDERS)
def rebuild() -> Any:
    """Recompute every projection from the event store (the worker does it; follow its progress)."""
    run = services.request_rebuild(db(), current_actor())
    return run, 202, {"Location": f"/api/v1/admin/rebuilds/{run.id}"}


@manage.get("/admin/rebuilds/<run_id>")
@manage.response(200, RebuildOut)
@require(*REBUILDERS)
def rebuild_progress(run_id: str) -> Any:
    """How far a rebuild has got."""
    return queries.rebuild_run(db(), run_id)


@manage.get("/admin/status")
@manage.response(200, StatusOut)
@require(*STATUS_READERS)
def service_status() -> Any:
    """Events stored, feed cursors and the latest rebuild."""
    return queries.status(db())

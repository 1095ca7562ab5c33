"""Report routes: read the parameters, run the report, answer JSON or CSV."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import request

from reporting import clock, csv_out
from reporting.access import AFTER_SALES_READERS, FUNNEL_READERS, SALES_READERS, STOCK_READERS, own_rows_only
from reporting.ranges import current_month, date_range, sales_range, trailing_days
from reporting.reports.after_sales import after_sales
from reporting.reports.consultants import consultants
from reporting.reports.funnel import funnel
from reporting.reports.sales import sales, sales_daily
from reporting.reports.stock import stock
from reporting.schemas import (
    AfterSalesArgs,
    AfterSalesOut,
    ConsultantsOut,
    DailyArgs,
    FormatArgs,
    FunnelOut,
    MonthArgs,
    RangeArgs,
    SalesArgs,
    SalesDailyOut,
    SalesOut,
    StockOut,
)
from shared.outbox import utcnow
from shared.web.app import db, settings
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports for managers (报表)")


def _today() -> date:
    return clock.today(settings().timezone)


def _answer(args: dict[str, Any], report: dict[str, Any], table: Callable[[dict[str, Any]], csv_out.Table],
            filename: str) -> Any:
    """The report as JSON, or as CSV when ``?format=csv`` or ``Accept: text/csv`` asks for it."""
    accepted = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    if args.get("format") == "csv" or accepted == "text/csv":
        return csv_out.csv_response(table(report), filename)
    return report


@blp.get("/reports/funnel")
@blp.arguments(RangeArgs, location="query")
@blp.response(200, FunnelOut)
@require(*FUNNEL_READERS)
def funnel_report(args: dict[str, Any]) -> Any:
    """The funnel and the KPIs (建卡率, 邀约到店率, 再回展厅率, 试乘试驾率, 30天转化率) with numerators."""
    first, last = date_range(args, _today())
    return _answer(args, funnel(db(), first, last), csv_out.funnel_table, f"funnel-{first}-{last}")


@blp.get("/reports/sales")
@blp.arguments(SalesArgs, location="query")
@blp.response(200, SalesOut)
@require(*SALES_READERS)
def sales_report(args: dict[str, Any]) -> Any:
    """Deliveries (交车) of a day or a month: units, revenue, breakdowns, model mix."""
    label, first, last = sales_range(args["period"], args["date"], _today())
    report = {"period": args["period"], "date": label, **sales(db(), first, last, own_rows_only(current_actor()))}
    return _answer(args, report, csv_out.sales_table, f"sales-{label}")


@blp.get("/reports/sales/daily")
@blp.arguments(DailyArgs, location="query")
@blp.response(200, SalesDailyOut)
@require(*SALES_READERS)
def sales_trend(args: dict[str, Any]) -> Any:
    """Units and revenue per day over the last ``days`` days (30 by default) ending ``to``."""
    first, last = trailing_days(args["to"], args["days"], _today())
    report = sales_daily(db(), first, last, own_rows_only(current_actor()))
    return _answer(args, report, csv_out.daily_table, f"sales-daily-{first}-{last}")


@blp.get("/reports/consultants")
@blp.arguments(MonthArgs, location="query")
@blp.response(200, ConsultantsOut)
@require(*SALES_READERS)
def consultants_report(args: dict[str, Any]) -> Any:
    """Consultants of a month, ranked: work, deliveries, target and completion (a consultant: own row)."""
    month = current_month(args["month"], _today())
    report = consultants(db(), month, own_rows_only(current_actor()))
    return _answer(args, report, csv_out.consultants_table, f"consultants-{month}")


@blp.get("/reports/stock")
@blp.arguments(FormatArgs, location="query")
@blp.response(200, StockOut)
@require(*STOCK_READERS)
def stock_report(args: dict[str, Any]) -> Any:
    """Stock on hand, ageing (库龄), the test-drive fleet and slow movers."""
    report = stock(db(), utcnow(), settings().timezone)
    return _answer(args, report, csv_out.stock_table, f"stock-{report['as_of']}")


@blp.get("/reports/after-sales")
@blp.arguments(AfterSalesArgs, location="query")
@blp.response(200, AfterSalesOut)
@require(*AFTER_SALES_READERS)
def after_sales_report(args: dict[str, Any]) -> Any:
    """CSI, complaints and maintenance reminders due within ``window`` days."""
    today = _today()
    first, last = date_range(args, today)
    report = after_sales(db(), first, last, today, args["window"])
    return _answer(args, report, csv_out.after_sales_table, f"after-sales-{first}-{last}")

"""What ``reporting.public`` promises the benchmarks: the store's row of an event, the store's counts, every
projection row, and the same rows worked out in memory, equal to what the consumer wrote."""
from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from reporting.models import StoredEvent
from reporting.public import (
    distinct_events_stored,
    expected_projections,
    mask_event,
    projection_rows,
    stored_count,
    stored_row,
)

DAY = date(2026, 10, 14)


def _comparable(tables: dict[str, list[dict[str, Any]]]) -> dict[str, set[tuple[Any, ...]]]:
    """Rows as sets of tuples, columns in name order; times in UTC, money to the cent (SQLite drops both)."""
    def norm(value: Any) -> Any:
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value
    return {table: {tuple(norm(row[name]) for name in sorted(row)) for row in rows} for table, rows in tables.items()}


def _one_customer(events: Any) -> list[dict[str, Any]]:
    """A call filed as a lead, an appointment kept the next day, an order two days later, then the delivery."""
    inquiry = events.inquiry(events.at(DAY, 9), "phone", "c1")
    lead = events.lead(events.at(DAY, 10), "c1", "walk_in", (inquiry["data"]["inquiry_id"],))
    lead_id = lead["data"]["lead_id"]
    appointment = events.appointment(lead_id, events.at(DAY, 11), "c1")
    order = events.order_placed(events.at(DAY + timedelta(days=3), 14), lead_id, "c1")
    return [inquiry, lead, appointment,
            events.visit(lead_id, events.at(DAY + timedelta(days=1), 12), 1, "c1",
                         appointment["data"]["appointment_id"]),
            order, events.delivered(events.at(DAY + timedelta(days=8), 16), order["data"]["order_id"], lead_id)]


def test_the_tables_the_consumer_wrote_are_the_rows_worked_out_in_memory(app, events, consume) -> None:
    stream = _one_customer(events)
    consume(stream)
    with app.extensions["dealer"].sessions() as session:
        found = projection_rows(session)
    assert _comparable(found) == _comparable(expected_projections(stream))
    totals: dict[tuple[str, str], Counter[str]] = {}
    for table in ("daily_counts", "consultant_day_counts"):
        for row in found[table]:
            totals.setdefault((table, row["consultant_id"]), Counter())[row["metric"]] += row["value"]
    # By hand: one of each stage, c1's; 建卡率, 邀约到店率 and 30天转化率 1 of 1, 转介绍率 0 of 1; the first visit
    # opens each lead-day set: each rate's counters for the team ('') and their twins for c1 (all c1's work).
    rates = {"rate_filing_inquiries": 1, "rate_filing_filed": 1, "rate_arrival_booked": 1, "rate_arrival_kept": 1,
             "rate_conversion_leads": 1, "rate_conversion_converted": 1, "rate_referral_leads": 1,
             "rate_drive_first_visited": 1, "rate_drive_first_visited_or_drove": 1, "rate_return_first_visits": 1}
    assert totals == {("daily_counts", ""): rates, ("consultant_day_counts", "c1"): rates,
                      ("daily_counts", "c1"): {"inquiries": 1, "leads": 1, "appointments": 1, "visits": 1,
                                               "orders": 1, "deliveries": 1}}


def test_the_counts_of_the_store_count_an_event_delivered_twice_once(app, events, consume) -> None:
    first, second = events.inquiry(events.at(DAY, 9)), events.inquiry(events.at(DAY, 10))
    consume([first, second, first])
    with app.extensions["dealer"].sessions() as session:
        assert (stored_count(session), distinct_events_stored(session)) == (2, 2)


def test_a_stored_row_is_the_row_the_consumer_stores_with_no_full_phone_or_id_number(app, events, consume) -> None:
    delivery = events.delivered(events.at(DAY, 16), events.new_id(), None)
    consume([delivery])
    with app.extensions["dealer"].sessions() as session:
        stored = session.scalars(select(StoredEvent)).one()
    row = stored_row(mask_event(delivery), stored.stored_at)
    assert (row["source"], row["event_id"], row["event_type"], row["subject"], json.loads(row["body"])) == (
        stored.source, stored.event_id, stored.event_type, stored.subject, json.loads(stored.body))
    assert row["occurred_at"] == datetime.fromisoformat(delivery["time"]).astimezone(UTC)
    assert "13812345678" not in row["body"] and "110101199003074514" not in row["body"]

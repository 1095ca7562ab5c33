"""A batch applied as the consumer runner applies it: one event failing leaves no trace of itself."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from reporting.consumers import store_and_project
from reporting.models import DailyCount, StoredEvent

DAY = date(2026, 10, 20)


def test_a_failed_event_in_a_batch_changes_no_figure_and_is_not_stored(app, events) -> None:
    lead = events.lead(events.at(DAY), "c1")
    lead_id = lead["data"]["lead_id"]
    broken = events.visit(lead_id, events.at(DAY), 1, "c1")
    broken["data"]["visit_number"] = "first"  # breaks the projection after it counted the visit
    good = events.visit(lead_id, events.at(DAY, 15), 2, "c1")
    next_day = DAY.replace(day=21)
    broken_first = events.visit(lead_id, events.at(next_day), 3, "c1")  # the first to touch its day's rows
    broken_first["data"]["visit_number"] = "third"
    good_after = events.visit(lead_id, events.at(next_day, 15), 4, "c1")
    failures = []
    with app.extensions["dealer"].sessions() as session, session.begin():
        for envelope in (lead, events.visit(lead_id, events.at(DAY, 9), 1, "c1"), broken, good, broken_first,
                         good_after):
            try:
                with session.begin_nested():  # the runner's savepoint per event
                    store_and_project(session, envelope)
            except ValueError:
                failures.append(envelope["id"])
    assert failures == [broken["id"], broken_first["id"]]
    with app.extensions["dealer"].sessions() as session:
        visits = dict(session.execute(select(DailyCount.day, DailyCount.value)
                                      .where(DailyCount.metric == "visits")).all())
        stored = session.scalar(select(func.count()).select_from(StoredEvent))
    assert visits == {DAY: 2, next_day: 1}  # the good visits only: each broken one was rolled back whole
    assert stored == 4  # so a retry of a broken event, once fixed, is not mistaken for a duplicate


def _deliveries(batch):
    import json

    from shared.consumer import Delivery

    return [Delivery(n, json.dumps(e).encode(), {}, e, None) for n, e in enumerate(batch, start=1)]


def _runner(app):
    from reporting.worker import SPEC
    from shared.config import load_settings
    from shared.consumer import EventConsumer

    return EventConsumer(load_settings("reporting"), app.extensions["dealer"].sessions, dict(SPEC.handlers),
                         batch_handler=SPEC.batch_handler)


def test_a_batch_with_a_broken_event_is_applied_event_by_event_and_only_the_broken_one_fails(app, events) -> None:
    lead = events.lead(events.at(DAY), "c1")
    lead_id = lead["data"]["lead_id"]
    broken = events.visit(lead_id, events.at(DAY), 1, "c1")
    broken["data"]["visit_number"] = "first"
    good = events.visit(lead_id, events.at(DAY, 15), 2, "c1")
    runner = _runner(app)
    failures = runner._apply(_deliveries([lead, broken, good]))
    assert [d.envelope["id"] for d, _ in failures] == [broken["id"]]
    with app.extensions["dealer"].sessions() as session:
        visits = session.scalar(select(func.sum(DailyCount.value)).where(DailyCount.metric == "visits"))
        stored = session.scalar(select(func.count()).select_from(StoredEvent))
    assert (visits, stored) == (1, 2)


def test_a_batch_applied_at_once_gives_the_figures_of_the_same_events_one_by_one(app, events, client) -> None:
    from dealer_testing import token
    from reporting.rebuild.replay import rebuild_projections

    lead = events.lead(events.at(DAY), "c1", inquiry_ids=())
    lead_id = lead["data"]["lead_id"]
    inquiry = events.inquiry(events.at(DAY, 9), channel="walk_in", by="c1")
    appointment = events.appointment(lead_id, events.at(DAY, 11))
    batch = [inquiry, lead, appointment,
             events.visit(lead_id, events.at(DAY, 12), 1, "c1", appointment["data"]["appointment_id"]),
             events.test_drive(lead_id, events.at(DAY, 13)), events.order_placed(events.at(DAY, 14), lead_id)]
    assert _runner(app)._apply(_deliveries(batch)) == []
    url = f"/api/v1/reports/funnel?from={DAY}&to={DAY}"
    at_once = client.get(url, headers=token("sales_manager", "m1")).get_json()
    with app.extensions["dealer"].sessions() as session, session.begin():
        rebuild_projections(session, chunk=1)  # one event at a time
    assert client.get(url, headers=token("sales_manager", "m1")).get_json() == at_once
    assert at_once["rate_details"]["appointment_arrival_rate"] == {"numerator": 1, "denominator": 1}
    assert at_once["rate_details"]["conversion_30d"] == {"numerator": 1, "denominator": 1, "not_yet_30_days": 0,
                                                         "ordered_so_far": 0}  # past its 30 days: judged

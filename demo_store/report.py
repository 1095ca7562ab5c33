"""Before and after a seed: an empty, running store first; at the end, what was made and what reporting saw."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from demo_store.client import Desk, SeedError, wait_until
from demo_store.plan import Plan


def check_empty(desk: Desk, departments: tuple[str, ...]) -> bool:
    """Refuse a store that is down or already holds data; answers whether reporting runs."""
    down = [name for name in departments if not desk.ready(name)]
    if down:
        raise SeedError(f"not running: {', '.join(down)} (start the store with `make run` first)")
    leads = desk.call("m1", "GET", "leads", "/leads?page_size=1")["total"]
    cars = desk.call("k1", "GET", "inventory", "/vehicles?page_size=1")["total"]
    if leads or cars:
        raise SeedError(f"the store already holds {leads} lead(s) and {cars} car(s); seed fills an empty store "
                        "(start from fresh databases, e.g. remove var/)")
    return desk.ready("reporting")


def funnel_of(desk: Desk, plan: Plan) -> dict[str, Any]:
    query = f"/reports/funnel?from={plan.first_day.isoformat()}&to={plan.last_day.isoformat()}"
    return dict(desk.call("m1", "GET", "reporting", query))


def wait_for_reporting(desk: Desk, plan: Plan) -> dict[str, Any]:
    """Wait until reporting has heard every planned lead, appointment, test drive, order and delivery."""
    counts = plan.counts()
    expected = {"leads": counts["file_lead"], "appointments": counts["book_appointment"],
                "test_drives": counts["test_drive"], "orders": counts["place_order"], "deliveries": counts["deliver"]}

    def caught_up() -> dict[str, Any] | None:
        funnel = funnel_of(desk, plan)
        return funnel if all(funnel.get(k) == v for k, v in expected.items()) else None

    return wait_until(f"reporting to count {expected}", caught_up, timeout=180)


def missed_appointments(plan: Plan, before: date | None = None) -> int:
    """Appointments for a day before ``before`` (the period's last), neither kept nor cancelled: the no-shows (爽约).

    The leads worker marks them no-show once their local day is over, on the real clock: at its start and every
    5 minutes, so within minutes of the seed.
    """
    closed = {a.body["appointment_id"][1:] for a in plan.actions
              if a.verb == "record_visit" and a.body["appointment_id"]}
    closed |= {a.ref for a in plan.actions if a.verb == "cancel_appointment"}
    scheduled = {a.names: a.body["scheduled_at"] for a in plan.actions if a.verb == "book_appointment"}
    scheduled |= {a.ref: a.body["scheduled_at"] for a in plan.actions if a.verb == "reschedule_appointment"}
    day = before or plan.last_day
    return sum(1 for ref, at in scheduled.items()
               if ref not in closed and datetime.fromisoformat(at).astimezone(plan.args.tz).date() < day)


def lost_by_reason(plan: Plan) -> str:
    """The losses (战败) by reason code, the commonest first: "price 5, competitor 4"."""
    reasons = Counter(a.body["reason_code"] for a in plan.actions if a.verb == "mark_lost")
    return ", ".join(f"{code} {n}" for code, n in reasons.most_common()) or "none"


def summarise(plan: Plan, desk: Desk, funnel: dict[str, Any] | None, seconds: float) -> str:
    """A few lines on what the store now holds."""
    counts, args = plan.counts(), plan.args
    lines = [
        f"seeded {args.days} day(s) {plan.first_day}..{plan.last_day} (seed {args.seed}, scale {args.scale:g}): "
        f"{len(plan.actions)} actions, {desk.requests_made()} requests in {seconds:.1f} s",
        f"  leads {counts['file_lead']}, inquiries {counts['log_inquiry']}, follow-ups {counts['follow_up']}, "
        f"appointments {counts['book_appointment']}, visits {counts['record_visit']}, "
        f"test drives {counts['test_drive']}, lost {counts['mark_lost']} ({lost_by_reason(plan)}), "
        f"reopened {counts['reopen_lead']}",
        f"  appointments rescheduled {counts['reschedule_appointment']}, cancelled {counts['cancel_appointment']}, "
        f"missed {missed_appointments(plan)} (the leads worker marks them no-show within 5 minutes)",
        f"  cars received {counts['receive_car']}, orders {counts['place_order']} "
        f"({counts['cancel_order']} cancelled), deliveries {counts['deliver']}",
        f"  after-sales: return visits {counts['call_back']}, services {counts['record_service']}, "
        f"complaints resolved {counts['resolve_complaint']}",
    ]
    if funnel is None:
        lines.append("  reporting is not running: no targets set, no funnel to show")
    else:
        stages = ", ".join(f"{k} {funnel[k]}" for k in ("inquiries", "leads", "appointments", "visits",
                                                        "test_drives", "orders", "deliveries"))
        lines.append(f"  reporting funnel: {stages}")
        lines.append(f"  rates: {funnel.get('rates')}")
    return "\n".join(lines)

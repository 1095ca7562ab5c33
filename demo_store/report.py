"""Before and after a seed: an empty, running store first; at the end, what was made and what reporting saw."""
from __future__ import annotations

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


def summarise(plan: Plan, desk: Desk, funnel: dict[str, Any] | None, seconds: float) -> str:
    """A few lines on what the store now holds."""
    counts, args = plan.counts(), plan.args
    lines = [
        f"seeded {args.days} day(s) {plan.first_day}..{plan.last_day} (seed {args.seed}, scale {args.scale:g}): "
        f"{len(plan.actions)} actions, {desk.requests_made()} requests in {seconds:.1f} s",
        f"  leads {counts['file_lead']}, inquiries {counts['log_inquiry']}, follow-ups {counts['follow_up']}, "
        f"appointments {counts['book_appointment']}, visits {counts['record_visit']}, "
        f"test drives {counts['test_drive']}, lost {counts['mark_lost']}",
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

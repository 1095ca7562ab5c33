"""HTTP routes of a consultant's day: the agenda (今日待办) and a lead's activities."""
from __future__ import annotations

from datetime import date
from typing import Any

from leads.agenda import queries, views
from leads.agenda.schemas import ActivitiesOut, AgendaArgs, AgendaOut
from leads.services import get_lead
from shared.actors import Actor, Forbidden
from shared.business_time import store_zone
from shared.clock import utcnow
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("agenda", __name__, url_prefix="/api/v1", description="A consultant's day and a lead's history")
SALES = ("consultant", "sales_manager")


def whose_agenda(actor: Actor, consultant_id: str | None) -> str:
    """A consultant reads their own agenda; a manager reads anyone's (``consultant_id``), by default their own."""
    if actor.is_manager:
        return consultant_id or actor.sub
    if consultant_id not in (None, actor.sub):
        raise Forbidden("A consultant reads only their own agenda; consultant_id must be your own id.",
                        errors={"consultant_id": ["must be your own id"]})
    return actor.sub


@blp.get("/agenda")
@blp.arguments(AgendaArgs, location="query")
@blp.response(200, AgendaOut)
@require(*SALES)
def agenda(args: dict[str, Any]) -> dict[str, Any]:
    """The day's work of one consultant: follow-ups due and overdue, appointments, and leads idle 7 days or more.

    Days are the store's local days (DEALER_TZ); ``date`` defaults to today in the store. The overdue and idle
    lists are long for a busy consultant: each answers its ``limit`` most urgent items and its total.
    """
    actor = current_actor()
    consultant_id = whose_agenda(actor, args.get("consultant_id"))
    day: date = args.get("date") or utcnow().astimezone(store_zone()).date()
    bounds = queries.Day.of(day)
    lists = views.split_work(queries.work_rows(db(), consultant_id, bounds), args["limit"])
    lists["appointments"] = queries.appointments_on(db(), consultant_id, bounds)
    return {"date": day, "consultant_id": consultant_id, **views.agenda_lists(lists, day, actor)}


@blp.get("/leads/<lead_id>/activities")
@blp.response(200, ActivitiesOut)
@require(*SALES)
def lead_activities(lead_id: str) -> dict[str, Any]:
    """The lead's history, oldest first: filing, follow-ups, appointments, visits, owner changes, test drives, loss.

    Free text (summaries, the loss reason) is masked as GET /leads/{id} masks the phone: in full only for the
    lead's owner and sales managers.
    """
    lead = get_lead(db(), lead_id)
    return {"items": views.activities(lead, queries.history(db(), lead.id), current_actor())}

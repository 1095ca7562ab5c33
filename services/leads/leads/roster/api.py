"""HTTP routes of the duty roster (值班表)."""
from __future__ import annotations

from typing import Any

from leads.roster import queries, services
from leads.roster.schemas import RosterIn, RosterOut, day_of
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("roster", __name__, url_prefix="/api/v1", description="The duty roster (值班表) DCC leads follow")
SETTERS = ("sales_manager",)
READERS = ("consultant", "sales_manager", "online_sales")  # the DCC, to know who is on; consultants, their days


@blp.put("/roster/<date>")
@blp.arguments(RosterIn)
@blp.response(200, RosterOut)
@require(*SETTERS)
def set_roster(data: dict[str, Any], date: str) -> Any:
    """Set who is on duty on a local day (YYYY-MM-DD); the DCC's leads go to them in turn, in this order."""
    return services.set_roster(db(), day_of(date), data["consultant_ids"], current_actor())


@blp.get("/roster/<date>")
@blp.response(200, RosterOut)
@require(*READERS)
def get_roster(date: str) -> Any:
    """Who is on duty on a local day (YYYY-MM-DD), in the order the turn goes round."""
    return queries.roster_of(db(), day_of(date))

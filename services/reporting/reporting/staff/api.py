"""HTTP routes of the staff directory (员工名录) and the sales groups (小组)."""
from __future__ import annotations

from datetime import date
from typing import Any

from reporting import dates
from reporting.domain import GROUP_READERS, STAFF_KEEPERS, STAFF_READERS, names_only
from reporting.staff import queries, services
from reporting.staff.schemas import GroupDateArgs, GroupIn, GroupList, GroupOut, StaffIn, StaffList, StaffOut, id_of
from shared.web.app import db, settings
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("staff", __name__, url_prefix="/api/v1", description="The staff directory and the sales groups")


def _today() -> date:
    return dates.today(settings().timezone)


@blp.put("/staff/<staff_id>")
@blp.arguments(StaffIn)
@blp.response(200, StaffOut)
@require(*STAFF_KEEPERS)
def put_staff(data: dict[str, Any], staff_id: str) -> Any:
    """Add or change someone on the staff directory; the id is the sub of their token."""
    return services.put_staff(db(), id_of(staff_id, "staff_id"), data, current_actor())


@blp.get("/staff")
@blp.response(200, StaffList)
@require(*STAFF_READERS)
def list_staff() -> Any:
    """The staff directory with each person's group today (a consultant: ids and names only)."""
    return queries.staff_directory(db(), _today(), names_only(current_actor()))


@blp.put("/groups/<group_id>")
@blp.arguments(GroupIn)
@blp.response(200, GroupOut)
@require(*STAFF_KEEPERS)
def put_group(data: dict[str, Any], group_id: str) -> Any:
    """Name a group, its supervisor and its members from a day; a member of another group moves here."""
    return services.put_group(db(), id_of(group_id, "group_id"), data, current_actor(), _today())


@blp.get("/groups")
@blp.response(200, GroupList)
@require(*GROUP_READERS)
def list_groups() -> Any:
    """Every group with its members today."""
    return queries.groups_on(db(), _today())


@blp.get("/groups/<group_id>")
@blp.arguments(GroupDateArgs, location="query")
@blp.response(200, GroupOut)
@require(*GROUP_READERS)
def get_group(args: dict[str, Any], group_id: str) -> Any:
    """One group with its members on a day (``?date=``, today by default)."""
    return queries.group_on(db(), group_id, args["date"] or _today())

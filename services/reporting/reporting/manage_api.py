"""Routes for the service's own data: targets (sales managers) and rebuilds (ops)."""
from __future__ import annotations

from typing import Any

from reporting import services
from reporting.access import REBUILDERS, STATUS_READERS, TARGET_READERS, TARGET_SETTERS, own_rows_only
from reporting.rebuild import request_rebuild
from reporting.schemas import RebuildOut, StatusOut, TargetsIn, TargetsOut
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("manage", __name__, url_prefix="/api/v1", description="Targets and rebuilds")


@blp.put("/targets/<month>")
@blp.arguments(TargetsIn)
@blp.response(200, TargetsOut)
@require(*TARGET_SETTERS)
def put_targets(data: dict[str, Any], month: str) -> Any:
    """Set each consultant's unit target for the month; completion counts that month's deliveries."""
    return services.set_targets(db(), month, data["targets"], current_actor())


@blp.get("/targets/<month>")
@blp.response(200, TargetsOut)
@require(*TARGET_READERS)
def get_targets(month: str) -> Any:
    """The month's targets (a consultant: their own)."""
    return services.targets_view(db(), month, own_rows_only(current_actor()))


@blp.post("/admin/rebuild")
@blp.response(202, RebuildOut)
@require(*REBUILDERS)
def rebuild() -> Any:
    """Recompute every projection from the event store (the worker does it; follow its progress)."""
    run = request_rebuild(db(), current_actor())
    return run, 202, {"Location": f"/api/v1/admin/rebuilds/{run.id}"}


@blp.get("/admin/rebuilds/<run_id>")
@blp.response(200, RebuildOut)
@require(*REBUILDERS)
def rebuild_progress(run_id: str) -> Any:
    """How far a rebuild has got."""
    return services.rebuild_run(db(), run_id)


@blp.get("/admin/status")
@blp.response(200, StatusOut)
@require(*STATUS_READERS)
def service_status() -> Any:
    """Events stored, feed cursors and the latest rebuild."""
    return services.status(db())

"""HTTP routes of marketing consent (营销同意) and notices (优惠活动通知)."""
from __future__ import annotations

from typing import Any

from after_sales.customers.views import phone_for
from after_sales.notices import queries, services
from after_sales.notices.schemas import (
    ConsentIn,
    ConsentOut,
    NoticeFilter,
    NoticeIn,
    NoticeOut,
    NoticePage,
    RecipientPage,
)
from after_sales.web import LIST_READERS, WRITERS, store_today
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint
from shared.web.pagination import PageArgs, page_of

blp = Blueprint("notices", __name__, url_prefix="/api/v1", description="Marketing consent and notices")


@blp.put("/customers/<customer_id>/consent")
@blp.arguments(ConsentIn)
@blp.response(200, ConsentOut)
@require(*WRITERS)
def record_consent(data: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """Record marketing consent given (``true``) or withdrawn (``false``) and how the customer said so."""
    services.record_consent(db(), customer_id, data, current_actor())
    return services.consent_of(db(), customer_id)


@blp.get("/customers/<customer_id>/consent")
@blp.response(200, ConsentOut)
@require(*LIST_READERS)
def get_consent(customer_id: str) -> dict[str, Any]:
    """A customer's marketing consent and its history."""
    return services.consent_of(db(), customer_id)


@blp.post("/notices")
@blp.arguments(NoticeIn)
@blp.response(201, NoticeOut)
@require(*WRITERS)
def send_notice(data: dict[str, Any]) -> Any:
    """Send a notice to a segment (grade, model, due for service); only consenting customers receive it."""
    return services.send_notice(db(), data, current_actor(), store_today())


@blp.get("/notices")
@blp.arguments(NoticeFilter, location="query")
@blp.response(200, NoticePage)
@require(*LIST_READERS)
def list_notices(args: dict[str, Any]) -> dict[str, Any]:
    """Notices sent, the newest first."""
    return page_of(db(), queries.notices(), args["page"], args["page_size"])


@blp.get("/notices/<notice_id>")
@blp.response(200, NoticeOut)
@require(*LIST_READERS)
def get_notice(notice_id: str) -> Any:
    """One notice."""
    return services.get_notice(db(), notice_id)


@blp.get("/notices/<notice_id>/recipients")
@blp.arguments(PageArgs, location="query")
@blp.response(200, RecipientPage)
@require(*LIST_READERS)
def list_recipients(args: dict[str, Any], notice_id: str) -> dict[str, Any]:
    """Who a notice went to, phones masked per role."""
    services.get_notice(db(), notice_id)
    page = page_of(db(), queries.recipients(notice_id), args["page"], args["page_size"])
    actor = current_actor()
    return {**page, "items": [{"customer_id": r.customer_id, "name": r.customer.name,
                               "phone": phone_for(actor, r.customer.phone), "grade": r.customer.grade}
                              for r in page["items"]]}

"""The route that prints an order's papers (单据) as PDF: check the kind, gather the data, render."""
from __future__ import annotations

import os

from flask import Response, current_app

from orders.documents import queries
from orders.documents.papers import KINDS, sheet_of
from orders.documents.render import render
from orders.documents.sheet import Store
from orders.views import customer_as_seen_by  # the orders API's own masking rule, not a copy
from shared.clock import utcnow
from shared.domain import NotFound
from shared.web.app import db
from shared.web.auth import current_actor, require
from shared.web.blueprint import Blueprint

blp = Blueprint("documents", __name__, url_prefix="/api/v1", description="An order's printed papers (单据), as PDF")
PRINTERS = ("consultant", "sales_manager", "back_office")  # the staff who hand papers to the customer
DEFAULT_STORE_NAME = "4S 店"


def store() -> Store:
    """The store printed at the head of each paper: ``DEALER_STORE_NAME``, ``_ADDRESS``, ``_PHONE`` settings."""
    def setting(name: str, default: str = "") -> str:
        return str(current_app.config.get(name) or os.environ.get(name) or default)
    return Store(setting("DEALER_STORE_NAME", DEFAULT_STORE_NAME), setting("DEALER_STORE_ADDRESS"),
                 setting("DEALER_STORE_PHONE"))


@blp.get("/orders/<order_id>/documents/<kind>")
@blp.response(200, content_type="application/pdf")
@blp.doc(parameters=[{"in": "path", "name": "kind", "required": True,
                      "schema": {"type": "string", "enum": list(KINDS)}}],
         responses={"200": {"description": "The paper as an A4 PDF, in Chinese",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
@require(*PRINTERS)
def print_paper(order_id: str, kind: str) -> Response:
    """Print one of the order's papers: quote (报价单), intention (购车意向书), deposit_receipt (订金条),
    contract (合同), delivery_checklist (交车检验表) or settlement (结算单).

    404 for an unknown order or kind; 409 when the paper's data does not exist yet (the receipt before the
    deposit, the checklist before a car is reserved, the settlement before full payment); the customer's
    numbers masked as in the order's JSON.
    """
    if kind not in KINDS:  # a paper that does not exist, like an order that does not: 404, naming the kinds
        reason = f"must be one of {', '.join(KINDS)}"
        raise NotFound(f"No such paper: kind {reason}.", errors={"kind": [reason]})  # the input is not echoed
    actor = current_actor()
    data = queries.paper_data(db(), order_id, kind, store(), lambda order: customer_as_seen_by(order, actor))
    pdf = render(sheet_of(kind, data, utcnow()))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{kind}-{order_id}.pdf"', "Cache-Control": "no-store"})

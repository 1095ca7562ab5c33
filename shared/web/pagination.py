"""Lists answer ``{"items": [...], "page", "page_size", "total"}``, the same on every service."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


class PageArgs(ma.Schema):
    """``?page=&page_size=`` with sane bounds."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100000))
    page_size = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


def page_of(session: Session, query: Select[Any], page: int, page_size: int) -> dict[str, Any]:
    """One page of ``query``'s rows and the total count."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(query.limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": list(items), "page": page, "page_size": page_size, "total": total}


def page_schema(item: type[ma.Schema]) -> type[ma.Schema]:
    """The response schema of a list of ``item``."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item)),
        "page": ma.fields.Integer(), "page_size": ma.fields.Integer(), "total": ma.fields.Integer(),
    }, name=f"{item.__name__.removesuffix('Schema')}Page")

"""The raw HTTP figure: a bare Flask + SQLAlchemy endpoint that inserts one row, nothing else.

Same gunicorn settings and the same database engine settings as the services
(``shared.db``: WAL, busy timeout, pool), so the difference is what the platform
adds: validation, auth, idempotency, outbox, metrics and logging.
"""
from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import session_factory


class Base(DeclarativeBase):
    """The bare app's one table."""


class Row(Base):
    """One customer row: the same width as a lead, with a unique phone."""

    __tablename__ = "bare_rows"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    model_interest: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def create_app() -> Flask:
    """Flask with one POST route writing one row."""
    sessions = session_factory(os.environ["BARE_DATABASE_URL"])
    app = Flask("bare")

    @app.post("/rows")
    def add_row() -> tuple[object, int]:
        body = request.get_json()
        row = Row(id=str(uuid.uuid4()), name=body["name"], phone=body["phone"], source=body["source"],
                  model_interest=body["model_interest"], created_at=datetime.now(UTC))
        with sessions() as session:
            session.add(row)
            session.commit()
        return jsonify(id=row.id, phone=row.phone), 201

    return app

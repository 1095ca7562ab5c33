"""Errors a pure domain raises; the HTTP edge turns each into a problem+json answer.

Kept free of Flask so domain modules stay framework-free and testable with fakes.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule does not hold (answered 409 with the reason)."""

    status = 409
    title = "Business rule violated"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    """The thing asked for does not exist (404)."""

    status = 404
    title = "Not found"


class InvalidInput(DomainError):
    """A field is well-formed JSON but fails a domain check (422, names the field)."""

    status = 422
    title = "Validation failed"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors={field: [message]})
        self.field = field


class Unavailable(DomainError):
    """A department this request depends on did not answer in time (503)."""

    status = 503
    title = "Service unavailable"

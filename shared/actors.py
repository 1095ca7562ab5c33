"""Who may do what: the store's roles and the caller of a use case, free of any web framework.

Use cases take an ``Actor`` and raise ``Forbidden``; the web layer (``shared.web.auth``) builds
the actor from a bearer token and turns ``Forbidden`` into a 403, and an event handler can build
one for a system caller, without either importing Flask.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.domain import DomainError

ROLES = ("consultant", "sales_manager", "online_sales", "back_office", "inventory_clerk", "after_sales", "ops",
         "service")
MANAGERS = ("sales_manager",)
ANY_ROLE = ROLES


class Forbidden(DomainError):
    """A valid caller whose role (or relation to the record) may not do this."""

    status = 403
    title = "Forbidden"


@dataclass(frozen=True)
class Actor:
    """Who is calling: user id, role and display name (from the token)."""

    sub: str
    role: str
    name: str = ""

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGERS

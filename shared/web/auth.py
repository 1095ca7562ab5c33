"""Bearer JWT auth (HS256) and the roles of the store's departments.

A route states which roles may call it; no or bad token is 401, a role that
may not is 403. Tokens are minted by ``dealer token`` (and by the store's login).
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import jwt
from flask import current_app, g, request

from shared.actors import ROLES, Actor, Forbidden
from shared.domain import DomainError

F = TypeVar("F", bound=Callable[..., Any])


class Unauthorized(DomainError):
    """No token, or one that is expired, forged or malformed."""

    status = 401
    title = "Unauthorized"


def mint_token(secret: str, role: str, sub: str, name: str = "", ttl: timedelta = timedelta(hours=12)) -> str:
    """A signed token for one user and role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    now = datetime.now(UTC)
    claims = {"sub": sub, "role": role, "name": name or sub, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_token(secret: str, header: str | None) -> Actor:
    """The actor of an ``Authorization: Bearer`` header, or Unauthorized saying why."""
    if not header or not header.startswith("Bearer "):
        raise Unauthorized("An 'Authorization: Bearer <token>' header is required.")
    claims = _verified_claims(secret, header[7:].strip())
    if claims["exp"] <= time.time():  # checked on every use: a verified token is remembered until it expires
        raise Unauthorized("The token has expired.")
    return Actor(sub=claims["sub"], role=claims["role"], name=str(claims.get("name", "")))


@functools.lru_cache(maxsize=1024)
def _verified_claims(secret: str, token: str) -> dict[str, Any]:
    """A token's claims once its signature, expiry and role check out (raises Unauthorized otherwise).

    A client sends the same token with every request; verifying its signature once instead of
    per request saves a share of every request's time. Failures are not remembered.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["sub", "role", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The token is not valid.") from None
    if claims.get("role") not in ROLES or not isinstance(claims.get("sub"), str):
        raise Unauthorized("The token carries no known role.")
    return claims


def current_actor() -> Actor:
    """The caller of the request being served (after ``require``)."""
    return cast(Actor, g.actor)


def _authorise(roles: tuple[str, ...]) -> Actor:
    actor = decode_token(current_app.config["JWT_SECRET"], request.headers.get("Authorization"))
    if actor.role not in roles:
        raise Forbidden(f"Role '{actor.role}' may not do this; allowed: {', '.join(roles)}.")
    g.actor = actor
    return actor


def require(*roles: str) -> Callable[[F], F]:
    """Let only callers with one of ``roles`` through to the view."""
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if "actor" not in g:
                _authorise(roles)
            return view(*args, **kwargs)
        guarded._required_roles = roles  # type: ignore[attr-defined]
        return cast(F, guarded)
    return decorate


def authorise_before_parsing() -> None:
    """Check the caller before the body is parsed: no token is 401, a wrong role 403, then 422."""
    view = current_app.view_functions.get(request.endpoint or "")
    roles = getattr(view, "_required_roles", None)
    if roles:
        _authorise(roles)

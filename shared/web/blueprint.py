"""The services' Blueprint: flask-smorest's, with each arguments schema built once and every operation named.

Given a schema class, webargs builds a new instance for every request it parses;
building a marshmallow schema deep-copies all its fields, which cost a tenth of a
request's time. One instance per route serves every request just as well.

Client generators name their methods from ``operationId``, so every operation gets
one, stable because it is the view function's name in camelCase (``list_leads`` ->
``listLeads``), and a description (the docstring's body, or its summary line).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
from marshmallow import Schema


def operation_id(function_name: str) -> str:
    """``record_follow_up`` -> ``recordFollowUp``."""
    first, *rest = function_name.strip("_").split("_")
    return first + "".join(word.capitalize() for word in rest)


class Blueprint(flask_smorest.Blueprint):
    """``flask_smorest.Blueprint`` whose ``arguments`` instantiate a schema class once, at import."""

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        """As flask-smorest's, with ``schema`` made an instance up front; unknown query parameters refused.

        A filter the route does not know (a misspelt name, a date that is no filter) answers 422
        naming it, instead of being ignored and returning everything.
        """
        instance = schema() if isinstance(schema, type) else schema
        if kwargs.get("location") == "query":
            kwargs.setdefault("unknown", ma.RAISE)
        return super().arguments(instance, *args, **kwargs)

    def _store_endpoint_docs(self, endpoint: str, obj: Any, parameters: Any, tags: Any, **options: Any) -> None:
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        name = getattr(obj, "__name__", endpoint)
        for method, doc in self._docs[endpoint].items():
            if method == "parameters":
                continue
            docstring = doc.get("docstring", {})
            manual = doc.setdefault("manual_doc", {})
            manual.setdefault("operationId", operation_id(name))
            if not docstring.get("description"):
                manual.setdefault("description", docstring.get("summary") or name.replace("_", " ").capitalize())

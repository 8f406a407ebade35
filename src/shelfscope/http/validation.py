"""Pydantic validation errors in the API's error shape: one field name per problem, one sentence.

Used by the app's handler for request bodies and parameters, by routers that validate a form or a
query model themselves, and by services that validate a stored payload (a job's). No FastAPI here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shelfscope.errors import ValidationFailed

# Where FastAPI found a value: not part of the field's name.
_PLACES = ("body", "query", "path", "header", "cookie")


def field_name(loc: Sequence[Any], prefix: str = "") -> str:
    """('body', 'created', 3, 'x1') -> 'created[3].x1', the way the services name fields."""
    name = prefix
    for i, part in enumerate(loc):
        # FastAPI's locations start with the place; a model validated directly has none, and its own
        # field may be called `path` or `body` (a folder import's `path`).
        if i == 0 and part in _PLACES and len(loc) > 1 and not name:
            continue
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def error_fields(errors: Iterable[Mapping[str, Any]], prefix: str = "") -> list[dict[str, str]]:
    """[{"field", "message"}] for pydantic's `errors()`; fields named below `prefix` when given."""
    fields = []
    for err in errors:
        field = field_name(err.get("loc", ()), prefix)
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            field = prefix or "body"
            message = f"is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})"
        fields.append({"field": field, "message": message})
    return fields


def validation_failed(
    errors: Iterable[Mapping[str, Any]], *, prefix: str = "", lead: str = ""
) -> ValidationFailed:
    """The ValidationFailed (422) for these errors: `lead` then "field: message; ..." as the detail."""
    fields = error_fields(errors, prefix)
    listed = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "The request is not valid."
    return ValidationFailed(f"{lead}{listed}", fields=fields)

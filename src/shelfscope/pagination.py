"""Keyset pagination: opaque cursors and the `{"items", "next_cursor", "total"}` page shape."""

from __future__ import annotations

import base64
import json
import math
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from shelfscope.errors import ValidationFailed
from shelfscope.ids import in_id_range

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# The `limit` query parameter of every list (services check it again with check_limit).
PageLimit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None = None


def encode_cursor(values: list[Any]) -> str:
    """The sort key of the last row seen, as an opaque URL-safe string."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return in_id_range(value)
    return value is None or isinstance(value, str | bool)


def decode_cursor(cursor: str, expected_len: int) -> list[Any]:
    """The values a cursor carries, checked the way every list can rely on: finite scalars, ints in the
    database's range, and a whole number last (each list's keyset ends with an id or a number)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationFailed.field("cursor", "is not a cursor this API returned") from None
    if not isinstance(values, list) or len(values) != expected_len:
        raise ValidationFailed.field("cursor", "does not belong to this list or sort order")
    if not all(_scalar(v) for v in values) or not (values and in_id_range(values[-1])):
        raise ValidationFailed.field("cursor", "is not a cursor this API returned")
    return values


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def newest_first_after(
    cursor: str, at_column: InstrumentedAttribute[datetime], id_column: InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """Rows after a (timestamp, id) cursor in newest-first order: older, or as old with a lower id."""
    raw_at, raw_id = decode_cursor(cursor, 2)
    try:
        at, last_id = datetime.fromisoformat(str(raw_at)), int(raw_id)
    except (TypeError, ValueError):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned") from None
    if at.tzinfo is None:
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    return or_(at_column < at, and_(at_column == at, id_column < last_id))

"""Keyset pagination: opaque cursors and the `{"items", "next_cursor", "total"}` page shape."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from shelfscope.errors import ValidationFailed

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None = None


def encode_cursor(values: list[Any]) -> str:
    """The sort key of the last row seen, as an opaque URL-safe string."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, expected_len: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.field("cursor", "is not a cursor this API returned") from None
    if not isinstance(values, list) or len(values) != expected_len:
        raise ValidationFailed.field("cursor", "does not belong to this list or sort order")
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
    return or_(at_column < at, and_(at_column == at, id_column < last_id))

"""Size caps on what a job stores: its result (an import's report), its error and each log line.

What a handler reports is often user-controlled (class names, file names, messages quoting an
archive); without a cap one hostile archive stored a 624 MB result and a 624 MB log, and every job
list carried it from then on. The caps are column types, so every write of these columns is capped,
whichever code path makes it. Whatever is cut says how much: a string ends with
"… [N more characters]", and a result lists the entries it dropped under `truncated` (path -> count).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# One log line, and a job's error (the one line the API shows; the traceback goes to the log).
MAX_LOG_CHARS = 16_000
MAX_ERROR_CHARS = 4_000
# Inside a result: one string, one list or mapping, nesting; and the result as JSON.
MAX_RESULT_TEXT = 4_000
MAX_RESULT_ITEMS = 2_000
MAX_RESULT_DEPTH = 32
MAX_RESULT_CHARS = 1_000_000
TRUNCATED_KEY = "truncated"


def cap_text(text: str, limit: int) -> str:
    """The text, or its first `limit` characters and a count of the rest."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


class _Capper:
    def __init__(self, text_limit: int, item_limit: int) -> None:
        self.text_limit = text_limit
        self.item_limit = item_limit
        self.dropped: dict[str, int] = {}

    def _drop(self, path: str, count: int) -> None:
        self.dropped[path] = self.dropped.get(path, 0) + count

    def cap(self, value: Any, path: str, depth: int) -> Any:
        if isinstance(value, str):
            return cap_text(value, self.text_limit)
        if not isinstance(value, list | dict):
            return value
        if depth >= MAX_RESULT_DEPTH:
            self._drop(path or ".", 1)
            return None
        if isinstance(value, list):
            if len(value) > self.item_limit:
                self._drop(path or ".", len(value) - self.item_limit)
            return [self.cap(v, f"{path}[]", depth + 1) for v in value[: self.item_limit]]
        if len(value) > self.item_limit:
            self._drop(path or ".", len(value) - self.item_limit)
        out: dict[str, Any] = {}
        for key, item in list(value.items())[: self.item_limit]:
            name = cap_text(str(key), 200)
            out[name] = self.cap(item, f"{path}.{name[:40]}" if path else name[:40], depth + 1)
        return out


def cap_result(result: dict[str, Any]) -> dict[str, Any]:
    """The result with long strings and lists cut (counted under `truncated`); tighter caps are
    tried until its JSON fits MAX_RESULT_CHARS."""
    text_limit, item_limit = MAX_RESULT_TEXT, MAX_RESULT_ITEMS
    while True:
        capper = _Capper(text_limit, item_limit)
        capped: dict[str, Any] = capper.cap(result, "", 0)
        if capper.dropped:
            capped[TRUNCATED_KEY] = dict(list(capper.dropped.items())[:100])
        if len(json.dumps(capped, default=str)) <= MAX_RESULT_CHARS or item_limit <= 1:
            return capped
        text_limit, item_limit = max(100, text_limit // 4), max(1, item_limit // 4)


class CappedText(TypeDecorator[str]):
    """TEXT whose writes are cut to `limit` characters (with the count of the rest)."""

    impl = Text
    cache_ok = True

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else cap_text(value, self.limit)


class CappedResult(TypeDecorator[dict[str, Any]]):
    """JSON (JSONB on PostgreSQL) whose writes go through cap_result."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else cap_result(value)

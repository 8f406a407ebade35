"""Typed results shared by every part of the client. Unknown fields from a newer server are ignored,
so an older client keeps working; each resource module defines the shapes it returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from shelfscope.client._transport import Transport


class Model(BaseModel):
    """Base of the client's result types: frozen, tolerant of fields it does not know."""

    model_config = ConfigDict(frozen=True, extra="ignore", protected_namespaces=())


class Job(Model):
    id: int
    kind: str
    status: str  # queued, running, succeeded, failed, cancelled
    progress: float = 0.0
    stage: str | None = None
    payload: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    error: str | None = None
    queue: str = "default"
    label: str | None = None
    cancel_requested: bool = False
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


class JobEvent(Model):
    """One event of a job's stream: `job` (the job changed), `log` (a line) or `end`."""

    type: str
    job: Job | None = None
    log: dict[str, Any] | None = None
    status: str | None = None


ProgressCallback = Callable[[Job], None]

M = TypeVar("M", bound=Model)


def iterate_pages(
    transport: Transport,
    path: str,
    model: type[M],
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 500,
    limit: int | None = None,
) -> Iterator[M]:
    """Every item of a cursor-paged list endpoint (`{"items", "next_cursor"}`), a page at a time, so a
    million-row listing never sits in memory at once. `limit` stops after that many items."""
    query: dict[str, Any] = {**(params or {}), "limit": page_size}
    seen = 0
    while True:
        page = transport.json("GET", path, params=query)
        for raw in page["items"]:
            yield model.model_validate(raw)
            seen += 1
            if limit is not None and seen >= limit:
                return
        cursor = page.get("next_cursor")
        if not cursor:
            return
        query["cursor"] = cursor

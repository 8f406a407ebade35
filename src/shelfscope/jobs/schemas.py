"""API shapes of jobs, their log lines and metric points."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    progress: float
    stage: str | None
    payload: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    attempt: int
    cancel_requested: bool
    runner: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    created_by: int | None


class JobEnvelope(BaseModel):
    """What every endpoint that starts or changes a job answers (202 for new work)."""

    job: JobOut


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None
    total: int | None


class LogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    level: str
    message: str


class LogPage(BaseModel):
    items: list[LogOut]
    next_cursor: str | None
    total: int | None


class MetricOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    name: str
    value: float | None  # NaN (a diverged loss) is stored as null
    step: int | None


class MetricPage(BaseModel):
    items: list[MetricOut]
    next_cursor: str | None
    total: int | None

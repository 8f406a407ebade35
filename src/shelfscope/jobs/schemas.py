"""API shapes of jobs, their log lines and metric points."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field, field_validator

_TRACEBACK = "Traceback (most recent call last):"


def without_traceback(text: str) -> str:
    """`text` up to any Python traceback in it: tracebacks stay in the server log, never in answers."""
    head, found, _ = text.partition(_TRACEBACK)
    return head.rstrip() or "the job failed (details are in the server log)" if found else text


def _text(values: dict[str, Any] | None, key: str) -> str | None:
    value = (values or {}).get(key)
    return value.strip() or None if isinstance(value, str) else None


def _urls(payload: dict[str, Any] | None) -> str | None:
    """A URL import's sources: the one URL, or how many ("12 URLs")."""
    urls = [u for u in (payload or {}).get("urls") or [] if isinstance(u, str) and u.strip()]
    if len(urls) == 1:
        return str(urls[0]).strip()
    return f"{len(urls)} URLs" if urls else None


def job_label(payload: dict[str, Any] | None, result: dict[str, Any] | None) -> str | None:
    """The file and/or dataset (or library folder) a job works on, from the fields handlers put in
    their payload and result ("shelves.zip → Shelves", "12 URLs → shelf-photos"); None when it works on
    neither (a storage check)."""
    path = _text(payload, "path")
    file = (
        _text(payload, "upload_name")
        or (PureWindowsPath(PurePosixPath(path).name).name if path else None)
        or _text(payload, "url")
        or _urls(payload)
        or _text(result, "filename")
    )
    dataset = _text(result, "dataset_name") or _text(payload, "dataset_name")
    if dataset is None and file is not None and "urls" in (payload or {}):
        dataset = _text(payload, "folder")
    parts = [part for part in (file, dataset) if part]
    return " → ".join(dict.fromkeys(parts)) or None


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
    queue: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    created_by: int | None

    @field_validator("error")
    @classmethod
    def _error(cls, value: str | None) -> str | None:
        return without_traceback(value) if value else value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str | None:
        return job_label(self.payload, self.result)


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

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return without_traceback(value)


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

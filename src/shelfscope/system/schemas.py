"""Shapes of the system endpoints: health and stats."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Check(BaseModel):
    ok: bool
    latency_ms: float
    detail: str | None = None


class StorageCheck(Check):
    backend: str


class JobsCheck(BaseModel):
    ok: bool
    runner: str
    workers: int
    detail: str | None = None


class HealthChecks(BaseModel):
    database: Check
    storage: StorageCheck
    jobs: JobsCheck


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    checks: HealthChecks


class Stats(BaseModel):
    images: int
    datasets: int
    annotations: int
    classes: int
    models: int
    jobs_running: int

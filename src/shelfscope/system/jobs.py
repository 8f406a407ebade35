"""Diagnostic jobs: `system.ping` proves a runner executes jobs end to end (and times the round trip)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler


class PingPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")


@job_handler("system.ping", payload=PingPayload)
def ping(ctx: JobContext, payload: PingPayload) -> dict[str, Any]:
    return {"pong": True, "worker": ctx.worker}

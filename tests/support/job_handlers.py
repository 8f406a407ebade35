"""Job kinds only the tests use. Loaded in the test process and in every worker through
Settings.job_modules (SHELFSCOPE_JOB_MODULES=tests.support.job_handlers)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shelfscope.errors import ValidationFailed
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.storage import new_key


class StepsPayload(BaseModel):
    steps: int = 3
    sleep_s: float = 0.0


class WaitPayload(BaseModel):
    seconds: float = 60.0


class FailPayload(BaseModel):
    message: str = "the handler failed on purpose"


@job_handler("test.steps", payload=StepsPayload)
def steps(ctx: JobContext, payload: StepsPayload) -> dict[str, Any]:
    """Cooperative work in steps, reporting a log line, a metric point and progress per step."""
    for i in range(payload.steps):
        ctx.check_cancelled()
        ctx.log(f"step {i + 1} of {payload.steps}")
        ctx.metric("loss", 1.0 / (i + 1), step=i)
        ctx.progress((i + 1) / payload.steps, f"step {i + 1} of {payload.steps}")
        time.sleep(payload.sleep_s)
    return {"steps": payload.steps}


@job_handler("test.wait", payload=WaitPayload)
def wait(ctx: JobContext, payload: WaitPayload) -> dict[str, Any]:
    """Runs until cancelled (checking often) or until the time is up."""
    ctx.log("waiting")
    ctx.progress(0.5, "waiting")
    deadline = time.monotonic() + payload.seconds
    while time.monotonic() < deadline:
        if ctx.cancelled():
            ctx.log("saw the cancel; cleaning up")
            ctx.check_cancelled()
        time.sleep(0.02)
    return {"waited": payload.seconds}


@job_handler("test.stubborn", payload=WaitPayload)
def stubborn(ctx: JobContext, payload: WaitPayload) -> dict[str, Any]:
    """Never looks at the cancel flag: only stopping its process ends it early."""
    ctx.log("started; this job ignores cancellation")
    deadline = time.monotonic() + payload.seconds
    while time.monotonic() < deadline:
        time.sleep(0.02)
    return {"waited": payload.seconds}


@job_handler("test.fail", payload=FailPayload)
def fail(ctx: JobContext, payload: FailPayload) -> dict[str, Any]:
    ctx.log("about to fail")
    raise RuntimeError(payload.message)


@job_handler("test.resumable", payload=WaitPayload, resumable=True, max_attempts=2)
def resumable(ctx: JobContext, payload: WaitPayload) -> dict[str, Any]:
    """The first attempt runs long (long enough to be interrupted); a retry finishes at once."""
    if ctx.attempt == 1:
        ctx.log("first attempt: working slowly")
        deadline = time.monotonic() + payload.seconds
        while time.monotonic() < deadline:
            ctx.check_cancelled()
            time.sleep(0.02)
    return {"attempt": ctx.attempt}


class ChattyPayload(BaseModel):
    calls: int = 1000
    fail: bool = False


@job_handler("test.chatty", payload=ChattyPayload)
def chatty(ctx: JobContext, payload: ChattyPayload) -> dict[str, Any]:
    """Reports progress far more often than it should be written, then ends (or fails) at once."""
    for i in range(1, payload.calls + 1):
        ctx.progress(0.9 * i / payload.calls, f"call {i}")
    if payload.fail:
        raise ValueError("failed right after the last progress call")
    return {"calls": payload.calls}


class ArtifactPayload(BaseModel):
    text: str = "weights"


@job_handler("test.artifact", payload=ArtifactPayload)
def artifact(ctx: JobContext, payload: ArtifactPayload) -> dict[str, Any]:
    """Writes a file to scratch space, stores it as an artifact and records odd metric values."""
    scratch = ctx.settings.data_dir / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / f"job-{ctx.job_id}.txt"
    path.write_text(payload.text)
    key = ctx.upload_artifact(new_key("artifacts", ".txt"), path)
    ctx.metric("loss", float("nan"), step=0)
    ctx.metric("loss", 0.5, step=1)
    return {"key": key}


@job_handler("test.bad_result", payload=ArtifactPayload)
def bad_result(ctx: JobContext, payload: ArtifactPayload) -> dict[str, Any]:
    return {"score": float("nan")}


# ---- queues (ml and interactive) --------------------------------------------------------------------


class EchoPayload(BaseModel):
    value: Any = None


class BlockPayload(BaseModel):
    """Runs until `release` exists (a file path), or until cancelled or the time is up."""

    release: str
    seconds: float = 60.0


class _Loaded:
    memory_bytes = 1024


@job_handler("test.interactive.echo", payload=EchoPayload, queue="interactive")
def interactive_echo(ctx: JobContext, payload: EchoPayload) -> dict[str, Any]:
    """Answers at once: what it was given, its process, and how often its process cache loaded a model
    (1 from the second call on in the same worker: workers outlive their jobs)."""
    from shelfscope.ml.cache import process_cache

    cache = process_cache(ctx.settings.ml_model_cache_mb)
    cache.get("test.interactive.echo", _Loaded)
    return {"echo": payload.value, "pid": os.getpid(), "loads": cache.loads}


@job_handler("test.interactive.invalid", payload=EchoPayload, queue="interactive")
def interactive_invalid(ctx: JobContext, payload: EchoPayload) -> dict[str, Any]:
    raise ValidationFailed.field("points", "point 3 (x=900) is outside the 640 x 480 image")


@job_handler("test.interactive.wait", payload=WaitPayload, queue="interactive")
def interactive_wait(ctx: JobContext, payload: WaitPayload) -> dict[str, Any]:
    deadline = time.monotonic() + payload.seconds
    while time.monotonic() < deadline:
        ctx.check_cancelled()
        time.sleep(0.02)
    return {"waited": payload.seconds}


@job_handler("test.interactive.crash", payload=EchoPayload, queue="interactive")
def interactive_crash(ctx: JobContext, payload: EchoPayload) -> dict[str, Any]:
    raise RuntimeError("a bug in the handler")


@job_handler("test.ml.block", payload=BlockPayload, queue="ml")
def ml_block(ctx: JobContext, payload: BlockPayload) -> dict[str, Any]:
    """Holds an ml worker until the test releases it."""
    ctx.progress(0.5, "blocked")
    release = Path(payload.release)
    deadline = time.monotonic() + payload.seconds
    while not release.exists() and time.monotonic() < deadline:
        ctx.check_cancelled()
        time.sleep(0.02)
    return {"pid": os.getpid()}


@job_handler("test.ml.echo", payload=EchoPayload, queue="ml")
def ml_echo(ctx: JobContext, payload: EchoPayload) -> dict[str, Any]:
    return {"echo": payload.value, "pid": os.getpid()}

"""Runs one claimed job: the code both runners (and tests, inline) share.

The handler runs in the calling thread. A watcher thread beats the heartbeat, flushes progress and
sees a cancel request; when the handler ignores a cancel past the grace period, the watcher marks the
job cancelled and calls `hard_stop` (workers pass os._exit: only killing the process stops Python code
that never looks at ctx.cancelled()).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pydantic
from sqlalchemy import select

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.errors import ShelfscopeError
from shelfscope.jobs import service
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.jobs.models import Job
from shelfscope.jobs.registry import HandlerSpec, find_handler
from shelfscope.storage import Storage

log = logging.getLogger("shelfscope.jobs")

# Exit status of a worker process stopped because its job ignored a cancel (the supervisor restarts it).
HARD_STOP_EXIT_CODE = 70
HardStop = Callable[[], None]


@dataclass
class WorkerEnv:
    """The long-lived parts a worker process owns: its own engine and storage, and its name."""

    settings: Settings
    db: Database
    storage: Storage
    worker_id: str


def worker_name(prefix: str = "", pid: int | None = None) -> str:
    """'host:pid': which process holds a job (shown to people, matched by the supervisor)."""
    return f"{prefix}{socket.gethostname()}:{pid or os.getpid()}"[:128]


def hard_exit() -> None:
    os._exit(HARD_STOP_EXIT_CODE)


@dataclass(frozen=True)
class _Claimed:
    kind: str
    payload: dict[str, Any]
    created_by: int | None
    attempt: int


def _load(db: Database, job_id: int) -> _Claimed:
    with db.read() as session:
        row = session.execute(
            select(Job.kind, Job.payload, Job.created_by, Job.attempt).where(Job.id == job_id)
        ).one()
    return _Claimed(
        kind=row.kind, payload=dict(row.payload or {}), created_by=row.created_by, attempt=row.attempt
    )


def _error_text(exc: BaseException) -> str:
    """One line for the API and the job's log; the traceback goes to the server log only."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _error_body(exc: BaseException) -> dict[str, Any] | None:
    """A ShelfscopeError's JSON body (kind, detail and facts), kept so whoever waits on the job can
    raise the same error; None for any other exception (a bug: its details stay in the server log)."""
    if not isinstance(exc, ShelfscopeError):
        return None
    try:
        body: dict[str, Any] = json.loads(json.dumps(exc.to_body(), default=str, allow_nan=False))
    except ValueError:  # a fact JSON can't hold (NaN): the kind and the sentence still travel
        body = {"error": exc.kind, "detail": exc.detail}
    return body


def _as_result(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump(mode="json")
    if not isinstance(value, dict):
        raise TypeError(f"a job handler must return a dict or a pydantic model, not {type(value).__name__}")
    # Round trip now, so a value JSON can't hold (NaN, a set) fails this job, not the database write.
    result: dict[str, Any] = json.loads(json.dumps(value, allow_nan=False))
    return result


class _Watcher(threading.Thread):
    """Heartbeat and cancel watch for one running job."""

    def __init__(self, ctx: JobContext, settings: Settings, hard_stop: HardStop | None) -> None:
        super().__init__(name=f"job-{ctx.job_id}-watcher", daemon=True)
        self.ctx = ctx
        self.interval = settings.job_heartbeat_s
        self.grace = settings.job_cancel_grace_s
        self.hard_stop = hard_stop
        self.done = threading.Event()
        # Set when the watcher itself ended the job (past the grace); the handler's outcome is then moot.
        self.stopped_job = False

    def run(self) -> None:
        deadline: float | None = None
        while not self.done.wait(self._wait(deadline)):
            try:
                # A busy database does not raise here (see JobContext.flush): the beat is late, and
                # the local runner's sweep does not count a live worker's job as stale.
                self.ctx.flush(heartbeat=True)
            except Exception:
                log.exception("job %s: heartbeat failed; retrying", self.ctx.job_id)
                continue
            if not self.ctx.cancelled():
                continue
            now = time.monotonic()
            if deadline is None:
                deadline = now + self.grace
            if now >= deadline and not self.done.is_set():
                self._stop_job()
                return

    def _wait(self, deadline: float | None) -> float:
        if deadline is None:
            return self.interval
        return max(0.0, min(self.interval, deadline - time.monotonic()))

    def _stop_job(self) -> None:
        ctx = self.ctx
        outcome = "its worker process was stopped" if self.hard_stop else "it was marked cancelled"
        ctx.log(f"the job did not stop within {self.grace:g}s of the cancel; {outcome}", "warning")
        ctx.flush()
        self.stopped_job = service.confirm_cancelled(ctx.db, ctx.job_id, ctx.worker)
        if self.hard_stop is not None and not self.done.is_set():
            log.warning("job %s ignored its cancel; stopping worker %s", ctx.job_id, ctx.worker)
            self.hard_stop()


def run_claimed_job(env: WorkerEnv, job_id: int, *, hard_stop: HardStop | None = hard_exit) -> None:
    """Execute a job this worker has claimed (status running, worker = env.worker_id) to its end."""
    claimed = _load(env.db, job_id)
    ctx = JobContext(
        job_id=job_id,
        kind=claimed.kind,
        user_id=claimed.created_by,
        attempt=claimed.attempt,
        worker=env.worker_id,
        settings=env.settings,
        db=env.db,
        storage=env.storage,
    )
    spec = find_handler(claimed.kind)
    if spec is None:
        ctx.log(f"no handler for kind {claimed.kind!r} is registered in worker {env.worker_id}", "error")
        ctx.flush()
        service.fail_job(env.db, job_id, env.worker_id, f"unknown job kind {claimed.kind!r} on this worker")
        return
    watcher = _Watcher(ctx, env.settings, hard_stop)
    watcher.start()
    try:
        _run_handler(ctx, spec, claimed.payload, watcher)
    finally:
        watcher.done.set()
        watcher.join()


def _run_handler(ctx: JobContext, spec: HandlerSpec[Any], payload: dict[str, Any], watcher: _Watcher) -> None:
    started = time.monotonic()
    db, job_id, worker = ctx.db, ctx.job_id, ctx.worker
    try:
        result = _as_result(spec.func(ctx, spec.parse_payload(payload)))
    except JobCancelled:
        ctx.log("stopped after the cancel request", "warning")
        ctx.flush()
        service.confirm_cancelled(db, job_id, worker)
        return
    except Exception as exc:
        if watcher.stopped_job:
            return
        # The traceback goes to the server log only; users see the one-line error.
        log.error("job %s (%s) failed", job_id, spec.kind, exc_info=exc)
        ctx.log(f"the job failed: {_error_text(exc)}", "error")
        ctx.flush()
        if ctx.cancelled():
            service.confirm_cancelled(db, job_id, worker)
        else:
            service.fail_job(db, job_id, worker, _error_text(exc), _error_body(exc))
        return
    if ctx.has_unflushed:  # one write fewer for a job that reported nothing (a click)
        ctx.flush()
    _, stage = ctx.last_progress
    finished = service.finish_job(db, job_id, worker, result, stage)
    # A cancel that arrived while the handler was finishing wins; the result is dropped.
    if not finished and service.confirm_cancelled(db, job_id, worker):
        ctx.log("finished after the cancel request; the result was discarded", "warning")
        ctx.flush()
    log.info("job %s (%s) ended after %.3fs", job_id, spec.kind, time.monotonic() - started)


def prune_ended_interactive(settings: Settings, db: Database) -> int:
    """Delete the interactive jobs that ended more than settings.interactive_job_retention_h ago (the
    runners' periodic sweep); 0 hours keeps them all."""
    if settings.interactive_job_retention_h <= 0:
        return 0
    cutoff = utcnow() - timedelta(hours=settings.interactive_job_retention_h)
    pruned = service.prune_interactive(db, cutoff)
    if pruned:
        log.info("deleted %d interactive jobs that ended before %s", pruned, cutoff.isoformat())
    return pruned


def run_job_inline(settings: Settings, db: Database, storage: Storage, job_id: int) -> Job:
    """Claim a queued job and run its handler in this thread, without any runner (for unit tests and
    one-off use). A cancel is honoured cooperatively; nothing is ever killed. Returns the final row."""
    env = WorkerEnv(settings=settings, db=db, storage=storage, worker_id=worker_name("inline@"))
    if service.claim_job(db, job_id, env.worker_id):
        run_claimed_job(env, job_id, hard_stop=None)
    with db.read() as session:
        return service.get_job(session, job_id)

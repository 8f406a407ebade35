"""Interactive jobs: a request that runs one job on the `interactive` queue and waits for its result.

A SAM click or "detect on this image" must run where the models are loaded (a worker, perhaps on a
GPU machine), yet answer the request that asked for it. `call` submits the job, blocks the calling
thread until the job ends and returns its result, or raises what the handler raised (a 422 naming a
field stays a 422 naming that field). A job that does not end in time is cancelled, and the caller
gets 503 (no worker took it) or 504 (it started but ran too long).

Waiting costs little: the local runner notifies the moment an interactive job ends (see
LocalRunner.ended_mark), and other runners are polled every few milliseconds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel

from shelfscope import errors
from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import Conflict, Internal, ShelfscopeError, TimedOut, Unavailable
from shelfscope.jobs import service
from shelfscope.jobs.registry import find_handler
from shelfscope.jobs.schemas import without_traceback

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

# Polling a runner that does not notify: start fast (a warm click takes tens of milliseconds) and
# back off to this, so a slow job costs a few reads a second.
_FIRST_POLL_S = 0.002
_MAX_POLL_S = 0.02
# With notifications, the row is still read this often: a worker killed mid-job notifies nobody.
_BACKSTOP_S = 0.05


@runtime_checkable
class EndNotifier(Protocol):
    """A runner that can wake waiters when an interactive job ends (the local runner)."""

    def ended_mark(self) -> int: ...

    def wait_ended(self, mark: int, timeout: float) -> None: ...


def call(
    settings: Settings,
    db: Database,
    runner: JobRunner,
    *,
    kind: str,
    payload: dict[str, Any] | BaseModel,
    user_id: int | None,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Run the interactive job `kind` and return its result. Raises the handler's ShelfscopeError
    (same kind, detail and facts) when it failed, Internal when it crashed, Unavailable (503) when no
    worker took it and TimedOut (504) when it ran past `timeout_s` (default
    settings.interactive_timeout_s); a job given up on is cancelled.

    Call it with no write transaction open: the job's own writes (submit, the worker's claim and
    result) would wait on it, on SQLite for the whole timeout."""
    spec = find_handler(kind)
    if spec is not None and spec.queue != "interactive":
        raise ValueError(f"{kind} runs on the {spec.queue} queue; call() runs interactive jobs only")
    body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    timeout = settings.interactive_timeout_s if timeout_s is None else timeout_s
    notifier = runner if isinstance(runner, EndNotifier) else None
    mark = notifier.ended_mark() if notifier is not None else 0
    with db.writer() as session:
        job_id = service.submit_job(session, runner, kind, body, user_id).id
    deadline = time.monotonic() + timeout
    poll = _FIRST_POLL_S
    while True:
        left = deadline - time.monotonic()
        if notifier is not None:
            notifier.wait_ended(mark, max(0.0, min(left, _BACKSTOP_S)))
            mark = notifier.ended_mark()
        else:
            time.sleep(max(0.0, min(left, poll)))
            poll = min(poll * 1.5, _MAX_POLL_S)
        outcome = service.job_outcome(db, job_id)
        if service.is_terminal(outcome.status):
            return settle(job_id, kind, outcome)
        if time.monotonic() >= deadline:
            return _give_up(db, runner, job_id, kind, timeout, user_id)


def settle(job_id: int, kind: str, outcome: service.Outcome) -> dict[str, Any]:
    """The result of an ended job, or the error it ended with."""
    if outcome.status == "succeeded":
        return dict(outcome.result or {})
    if outcome.status == "cancelled":
        raise Conflict(f"Job {job_id} ({kind}) was cancelled before it finished.", job_id=job_id)
    if outcome.error_body:
        raise stored_error(outcome.error_body)
    reason = without_traceback(outcome.error or "no reason was recorded")
    raise Internal(f"The {kind} job failed: {reason}", job_id=job_id)


def stored_error(body: dict[str, Any]) -> ShelfscopeError:
    """The ShelfscopeError a handler raised, rebuilt from its stored body: the class of its kind in
    shelfscope.errors (so the HTTP status matches), or a 500 that keeps an unknown kind's name."""
    extra = {k: v for k, v in body.items() if k not in ("error", "detail")}
    kind = str(body.get("error") or "Internal")
    detail = str(body.get("detail") or "The job failed.")
    known = {
        cls.kind: cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, ShelfscopeError) and cls is not ShelfscopeError
    }
    cls = known.get(kind)
    if cls is not None:
        return cls(detail, **extra)
    error = Internal(detail, **extra)
    error.kind = kind
    return error


def _give_up(
    db: Database, runner: JobRunner, job_id: int, kind: str, timeout: float, user_id: int | None
) -> dict[str, Any]:
    """Cancel a job past its time. If it ended meanwhile its outcome stands; otherwise 503 when it
    never started (no interactive worker free or running) and 504 when it ran too long."""
    try:
        with db.writer() as session:
            job = service.cancel_job(session, runner, job_id, user_id)
            started = job.started_at is not None
    except Conflict:  # it ended between the last read and the cancel
        return settle(job_id, kind, service.job_outcome(db, job_id))
    if not started:
        raise Unavailable(
            f"No worker took the {kind} job within {timeout:g}s: no interactive worker is running, "
            "or all of them are busy. The job was cancelled; try again.",
            job_id=job_id,
            timeout_s=timeout,
        )
    raise TimedOut(
        f"The {kind} job did not finish within {timeout:g}s and was cancelled. The first request "
        "after a worker starts loads the model (and a first click on an image computes its "
        "embedding), which on a CPU can take longer than later ones: try again, raise "
        "SHELFSCOPE_INTERACTIVE_TIMEOUT_S, or name the model in SHELFSCOPE_ML_PRELOAD so workers "
        "load it as they start.",
        job_id=job_id,
        timeout_s=timeout,
    )

"""Job logic: enqueue, list, cancel, and every state change as a guarded UPDATE.

Each transition names the status it expects in its WHERE clause (and, for a worker, that the job is
still its own), so a late write from a slow worker never overwrites a cancel or a recovery. A worker's
own transitions are retried while the database is busy (another writer held the lock past the busy
timeout): a job whose work is done must not be left running for the stale sweep to call interrupted.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

import pydantic
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Delete,
    Update,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from shelfscope.db import Database, utcnow
from shelfscope.db import all_models as _all_models  # noqa: F401 (jobs.created_by needs the users table)
from shelfscope.db.dialect import is_busy_error, is_postgres
from shelfscope.errors import Conflict, Internal, NotFound, ValidationFailed
from shelfscope.http.validation import validation_failed
from shelfscope.jobs.models import JOB_STATUSES, TERMINAL_STATUSES, Job, JobEvent
from shelfscope.jobs.registry import QUEUES, find_handler, registered_kinds
from shelfscope.pagination import decode_cursor, encode_cursor, newest_first_after

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

log = logging.getLogger(__name__)

INTERRUPTED_ERROR = "interrupted: the worker stopped while the job was running"
LOG_LEVELS = ("debug", "info", "warning", "error")
T = TypeVar("T")
P = ParamSpec("P")
# A worker's transition is tried this often while the database stays busy (each try already waited
# the busy timeout), with a short pause between tries.
_BUSY_TRIES = 4
_BUSY_PAUSE_S = 0.5


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None


@dataclass(frozen=True)
class JobSignal:
    """What a worker learns from the row while it runs a job."""

    still_mine: bool
    cancel_requested: bool


@dataclass(frozen=True)
class Recovery:
    failed: list[int]
    requeued: list[int]
    cancelled: list[int]
    # The queue of each requeued job, for the runner to wake (or route) it.
    queues: dict[int, str] = field(default_factory=dict)


def _deleted(session: Session, statement: Delete) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def _updated(session: Session, statement: Update) -> int:
    """Rows a guarded UPDATE changed: zero means the row was not in the expected state."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def retry_while_busy(func: Callable[P, T]) -> Callable[P, T]:
    """`func` (one write transaction, safe to repeat) tried again while the database is busy."""

    @functools.wraps(func)
    def retried(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, _BUSY_TRIES + 1):
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                if attempt == _BUSY_TRIES or not is_busy_error(exc):
                    raise
                log.warning(
                    "%s: the database is busy (try %d of %d); retrying", func.__name__, attempt, _BUSY_TRIES
                )
                time.sleep(_BUSY_PAUSE_S * attempt)
        raise AssertionError("unreachable")

    return retried


# ---- submitting ------------------------------------------------------------------------------------


def _new_job(kind: str, payload: dict[str, Any] | None, user_id: int | None, runner_name: str) -> Job:
    """A queued job row for `kind` with its payload validated by the handler's model."""
    spec = find_handler(kind)
    if spec is None:
        known = ", ".join(registered_kinds())
        raise ValidationFailed.field("kind", f"unknown job kind {kind!r}; known: {known}")
    if payload is not None and not isinstance(payload, dict):
        raise ValidationFailed.field("payload", "must be a JSON object")
    try:
        model = spec.parse_payload(payload or {})
    except pydantic.ValidationError as exc:
        raise validation_failed(
            exc.errors(), prefix="payload", lead=f"The payload for {kind} is not valid: "
        ) from None
    return Job(
        kind=kind,
        status="queued",
        runner=runner_name,
        payload=model.model_dump(mode="json"),
        progress=0.0,
        attempt=0,
        max_attempts=spec.max_attempts,
        cancel_requested=False,
        created_by=user_id,
        queue=spec.queue,
    )


def queue_in(
    session: Session, kind: str, payload: dict[str, Any] | None, user_id: int | None, runner_name: str
) -> Job:
    """A queued job added to the caller's transaction, so that it exists exactly when what the caller
    writes does (a job that follows up on an import). Not handed to a runner: after the commit, call
    `runners.hand_over` (local workers also find it by polling)."""
    job = _new_job(kind, payload, user_id, runner_name)
    session.add(job)
    session.flush()
    return job


def submit_job(
    session: Session, runner: JobRunner, kind: str, payload: dict[str, Any] | None, user_id: int | None
) -> Job:
    """Validate the payload with the handler's model, store a queued job and hand it to the runner."""
    job = _new_job(kind, payload, user_id, runner.name)
    session.add(job)
    session.commit()
    try:
        runner.submit(job.id, job.queue)
    except Exception as exc:
        # The row exists; leave it failed with the reason rather than queued forever.
        log.exception("could not hand job %s to the %s runner", job.id, runner.name)
        message = f"could not be queued: the {runner.name} runner refused it ({exc})"
        session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == "queued")
            .values(status="failed", error=message, finished_at=utcnow())
        )
        session.commit()
        raise Internal(
            f"Job {job.id} could not be queued: the {runner.name} job runner is not reachable.", job_id=job.id
        ) from exc
    return job


# ---- reading ---------------------------------------------------------------------------------------


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"Job {job_id} does not exist.", job_id=job_id)
    return job


def _status_filter(statuses: Sequence[str]) -> list[str]:
    wanted = [s.strip() for item in statuses for s in item.split(",") if s.strip()]
    for status in wanted:
        if status not in JOB_STATUSES:
            raise ValidationFailed.field("status", f"{status!r} is not one of {', '.join(JOB_STATUSES)}")
    return wanted


def list_jobs(
    session: Session,
    *,
    limit: int = 50,
    cursor: str | None = None,
    statuses: Sequence[str] = (),
    kind: str | None = None,
    queue: str | None = None,
    include_interactive: bool = True,
) -> Page[Job]:
    """Newest first, by (created_at, id) so the status and kind indexes serve the filtered lists.
    `include_interactive` False leaves out the interactive queue's jobs (a click each) unless `queue`
    asks for that queue by name."""
    filters: list[ColumnElement[bool]] = []
    if not include_interactive and not queue:
        filters.append(Job.queue != "interactive")
    wanted = _status_filter(statuses)
    if wanted:
        filters.append(Job.status.in_(wanted))
    if kind:
        filters.append(Job.kind == kind)
    if queue:
        if queue not in QUEUES:
            raise ValidationFailed.field("queue", f"{queue!r} is not one of {', '.join(QUEUES)}")
        filters.append(Job.queue == queue)
    total = session.scalar(select(func.count()).select_from(Job).where(*filters))
    query = select(Job).where(*filters)
    if cursor:
        query = query.where(newest_first_after(cursor, Job.created_at, Job.id))
    rows = list(session.scalars(query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    return Page(items=rows, next_cursor=next_cursor, total=total)


def list_events(
    session: Session,
    job_id: int,
    event_type: str,
    *,
    limit: int = 200,
    cursor: str | None = None,
    after_id: int = 0,
    name: str | None = None,
) -> Page[JobEvent]:
    """A job's log lines or metric points, oldest first (the order they are read in)."""
    get_job(session, job_id)
    filters: list[ColumnElement[bool]] = [JobEvent.job_id == job_id, JobEvent.type == event_type]
    if name:
        filters.append(JobEvent.name == name)
    total = session.scalar(select(func.count()).select_from(JobEvent).where(*filters))
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        if not isinstance(last, int):
            raise ValidationFailed.field("cursor", "is not a cursor this server issued")
        after_id = max(after_id, last)
    query = select(JobEvent).where(*filters, JobEvent.id > after_id).order_by(JobEvent.id).limit(limit + 1)
    rows = list(session.scalars(query))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].id])
    return Page(items=rows, next_cursor=next_cursor, total=total)


def new_logs(session: Session, job_id: int, after_id: int, limit: int) -> list[JobEvent]:
    """Log lines after `after_id` (for the live stream; no count, no existence check)."""
    query = (
        select(JobEvent)
        .where(JobEvent.job_id == job_id, JobEvent.type == "log", JobEvent.id > after_id)
        .order_by(JobEvent.id)
        .limit(limit)
    )
    return list(session.scalars(query))


# ---- cancelling ------------------------------------------------------------------------------------


def cancel_job(session: Session, runner: JobRunner, job_id: int, user_id: int | None = None) -> Job:
    """Queued: cancelled at once. Running: flagged; the worker stops it (or is stopped after the grace)."""
    now = utcnow()
    who = f" by user {user_id}" if user_id is not None else ""
    dequeue = (
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="cancelled", cancel_requested=True, finished_at=now, stage="cancelled")
    )
    flag = update(Job).where(Job.id == job_id, Job.status == "running").values(cancel_requested=True)
    dequeued = _updated(session, dequeue)
    flagged = 0 if dequeued else _updated(session, flag)
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFound(f"Job {job_id} does not exist.", job_id=job_id)
    if not (dequeued or flagged):
        raise Conflict(
            f"Job {job_id} is already {job.status}; only queued or running jobs can be cancelled.",
            job_id=job_id,
            status=job.status,
        )
    message = f"cancelled before it started{who}" if dequeued else f"cancel requested{who}"
    session.add(JobEvent(job_id=job_id, type="log", at=now, level="warning", message=message))
    session.commit()
    runner.request_cancel(job_id)
    return job


# ---- worker-side transitions -----------------------------------------------------------------------


def _claim_values(worker: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "status": "running",
        "worker": worker,
        "attempt": Job.attempt + 1,
        "started_at": now,
        "heartbeat_at": now,
        "error": None,
        "error_body": None,
    }


def claim_next(db: Database, worker: str, runner_name: str, queues: Collection[str]) -> int | None:
    """Take the oldest queued job of this runner in one of `queues`. PostgreSQL skips rows other
    workers hold; SQLite's write transaction begins IMMEDIATE, so one claimer at a time reads the queue."""
    in_queue = Job.queue == next(iter(queues)) if len(queues) == 1 else Job.queue.in_(list(queues))
    with db.write() as session:
        query = (
            select(Job.id)
            .where(Job.status == "queued", in_queue, Job.runner == runner_name)
            .order_by(Job.created_at, Job.id)
            .limit(1)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        claim = update(Job).where(Job.id == job_id, Job.status == "queued").values(**_claim_values(worker))
        return job_id if _updated(session, claim) else None


def claim_job(db: Database, job_id: int, worker: str) -> bool:
    """Take one given job (the Celery task names it); False when it is no longer queued."""
    claim = update(Job).where(Job.id == job_id, Job.status == "queued").values(**_claim_values(worker))
    with db.write() as session:
        return bool(_updated(session, claim))


def _mine(job_id: int, worker: str) -> ColumnElement[bool]:
    return and_(Job.id == job_id, Job.status == "running", Job.worker == worker)


def record_activity(
    db: Database,
    job_id: int,
    worker: str,
    *,
    progress: float | None = None,
    stage: str | None = None,
    events: Sequence[dict[str, Any]] = (),
    heartbeat: bool = False,
) -> JobSignal:
    """One write transaction for what a running job reports: progress, new events, its heartbeat."""
    with db.write() as session:
        if events:
            session.execute(insert(JobEvent), [{"job_id": job_id, **event} for event in events])
        values: dict[str, Any] = {}
        if progress is not None:
            values["progress"] = progress
        if stage is not None:
            values["stage"] = stage
        if heartbeat:
            values["heartbeat_at"] = utcnow()
        if values:
            session.execute(update(Job).where(_mine(job_id, worker)).values(**values))
        row = session.execute(
            select(Job.status, Job.worker, Job.cancel_requested).where(Job.id == job_id)
        ).one()
    return JobSignal(
        still_mine=row.status == "running" and row.worker == worker,
        cancel_requested=bool(row.cancel_requested),
    )


@retry_while_busy
def finish_job(db: Database, job_id: int, worker: str, result: dict[str, Any], stage: str | None) -> bool:
    """Succeeded, unless a cancel was requested meanwhile: then the cancel wins."""
    with db.write() as session:
        return succeed_in(session, job_id, worker, result, stage)


def succeed_in(session: Session, job_id: int, worker: str, result: dict[str, Any], stage: str | None) -> bool:
    """Inside the caller's write transaction: the job succeeded with `result`, if it still runs on this
    worker with no cancel requested. A handler whose work is one last transaction (an import's) marks
    its job here, so the job's status and the data it wrote commit together or not at all; the
    runner's own finish_job afterwards finds the job already ended and changes nothing."""
    succeed = (
        update(Job)
        .where(_mine(job_id, worker), Job.cancel_requested.is_(False))
        .values(status="succeeded", result=result, progress=1.0, stage=stage, finished_at=utcnow())
    )
    return bool(_updated(session, succeed))


@retry_while_busy
def fail_job(
    db: Database, job_id: int, worker: str, error: str, error_body: dict[str, Any] | None = None
) -> bool:
    """Failed with its one-line error and, when the handler raised a ShelfscopeError, that error's body."""
    fail = (
        update(Job)
        .where(_mine(job_id, worker))
        .values(status="failed", error=error, error_body=error_body, finished_at=utcnow())
    )
    with db.write() as session:
        return bool(_updated(session, fail))


@retry_while_busy
def confirm_cancelled(db: Database, job_id: int, worker: str | None, stage: str = "cancelled") -> bool:
    """Running → cancelled. `worker` None is the runner's own backstop, which holds no claim."""
    guard = _mine(job_id, worker) if worker else and_(Job.id == job_id, Job.status == "running")
    cancel = update(Job).where(guard).values(status="cancelled", stage=stage, finished_at=utcnow())
    with db.write() as session:
        return bool(_updated(session, cancel))


def set_external_id(db: Database, job_id: int, external_id: str) -> None:
    with db.write() as session:
        session.execute(update(Job).where(Job.id == job_id).values(external_id=external_id))


def _held_by_live_worker(alive: Mapping[str, datetime]) -> ColumnElement[bool]:
    """A job claimed by one of these live worker processes since it started (a pid reused by a later
    process does not vouch for a job its predecessor held)."""
    return or_(*[and_(Job.worker == worker, Job.started_at >= since) for worker, since in alive.items()])


def recover_interrupted(
    db: Database,
    runner_name: str,
    *,
    stale_before: datetime | None = None,
    workers: Collection[str] = (),
    alive: Mapping[str, datetime] | None = None,
) -> Recovery:
    """Running jobs whose worker is gone (heartbeat older than `stale_before`, or held by one of
    `workers`): requeued when the handler is resumable and attempts remain, cancelled when a cancel
    was pending, otherwise failed as interrupted. `alive` names worker processes known to be running
    (worker id: when it started): their jobs are not stale, however old their heartbeat; a busy
    database can hold a heartbeat back, but the job is still being worked on."""
    if stale_before is None and not workers:
        return Recovery([], [], [])
    gone: list[ColumnElement[bool]] = []
    if stale_before is not None:
        stale = func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at) < stale_before
        # NULL-safe: a row without a worker is not held by a live one.
        held = func.coalesce(_held_by_live_worker(alive), false()) if alive else false()
        gone.append(and_(stale, ~held))
    if workers:
        gone.append(Job.worker.in_(list(workers)))
    failed: list[int] = []
    requeued: list[int] = []
    cancelled: list[int] = []
    queues: dict[int, str] = {}
    with db.write() as session:
        rows = session.execute(
            select(
                Job.id, Job.kind, Job.queue, Job.worker, Job.attempt, Job.max_attempts, Job.cancel_requested
            )
            .where(Job.status == "running", or_(*gone))
            .order_by(Job.id)
        ).all()
        now = utcnow()
        for row in rows:
            guard = and_(Job.id == row.id, Job.status == "running", Job.worker == row.worker)
            spec = find_handler(row.kind)
            if row.cancel_requested:
                values: dict[str, Any] = {"status": "cancelled", "stage": "cancelled", "finished_at": now}
                note, bucket = f"worker {row.worker} stopped while cancelling; marked cancelled", cancelled
            elif spec is not None and spec.resumable and row.attempt < row.max_attempts:
                stage = f"requeued after interruption (attempt {row.attempt} of {row.max_attempts})"
                values = {
                    "status": "queued",
                    "worker": None,
                    "heartbeat_at": None,
                    "runner": runner_name,
                    "stage": stage,
                }
                note, bucket = f"worker {row.worker} stopped while the job was running; requeued", requeued
            else:
                values = {"status": "failed", "error": INTERRUPTED_ERROR, "finished_at": now}
                note, bucket = f"worker {row.worker} stopped while the job was running", failed
            if _updated(session, update(Job).where(guard).values(**values)):
                session.add(JobEvent(job_id=row.id, type="log", at=now, level="warning", message=note))
                bucket.append(row.id)
                queues[row.id] = row.queue
    if rows:
        log.warning("interrupted jobs: failed %s, requeued %s, cancelled %s", failed, requeued, cancelled)
    return Recovery(
        failed=failed, requeued=requeued, cancelled=cancelled, queues={i: queues[i] for i in requeued}
    )


# Ended interactive jobs deleted per transaction, so a long backlog never holds the write lock long.
_PRUNE_BATCH = 500


def prune_interactive(db: Database, finished_before: datetime) -> int:
    """Delete interactive jobs (a click each) that ended before `finished_before`, with their events;
    the number deleted. Their result was the answer to a request long since sent."""
    ended_long_ago = and_(
        Job.queue == "interactive", Job.status.in_(TERMINAL_STATUSES), Job.finished_at < finished_before
    )
    deleted = 0
    while True:
        # Read first: the usual answer is "nothing", and a read takes no write lock from anyone.
        with db.read() as session:
            oldest = select(Job.id).where(ended_long_ago).order_by(Job.id).limit(_PRUNE_BATCH)
            ids = list(session.scalars(oldest))
        if not ids:
            return deleted
        with db.write() as session:
            session.execute(delete(JobEvent).where(JobEvent.job_id.in_(ids)))
            gone = _deleted(session, delete(Job).where(Job.id.in_(ids), ended_long_ago))
        deleted += gone
        if len(ids) < _PRUNE_BATCH:
            return deleted


def others_running(db: Database, job_id: int, runner_name: str) -> bool:
    """Whether any job but this one is running under this runner (an interactive call asks: with the
    local runner every such job shares this machine's cores)."""
    with db.read() as session:
        other = session.execute(
            select(Job.id)
            .where(Job.status == "running", Job.runner == runner_name, Job.id != job_id)
            .limit(1)
        ).first()
    return other is not None


def job_state(db: Database, job_id: int) -> tuple[str, str | None, datetime | None] | None:
    """(status, external_id, started_at) for a runner deciding how to cancel, or None if unknown."""
    with db.read() as session:
        row = session.execute(
            select(Job.status, Job.external_id, Job.started_at).where(Job.id == job_id)
        ).first()
    return None if row is None else (row.status, row.external_id, row.started_at)


@dataclass(frozen=True)
class Outcome:
    """What a caller waiting on a job needs from its row."""

    status: str
    result: dict[str, Any] | None
    error: str | None
    error_body: dict[str, Any] | None


def job_outcome(db: Database, job_id: int) -> Outcome:
    """One narrow read of a job's status and outcome (polled while a request waits on the job)."""
    with db.read() as session:
        row = session.execute(
            select(Job.status, Job.result, Job.error, Job.error_body).where(Job.id == job_id)
        ).one_or_none()
    if row is None:
        raise NotFound(f"Job {job_id} does not exist.", job_id=job_id)
    return Outcome(status=row.status, result=row.result, error=row.error, error_body=row.error_body)


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


def hold_running_job(session: Session, job_id: int, worker: str) -> bool:
    """Inside the caller's write transaction: whether the job still runs on this worker with no cancel
    requested. On PostgreSQL its row stays locked until the caller commits, so the stale-job sweep
    cannot fail the job while its final transaction commits (SQLite writers hold the database lock)."""
    query = select(Job.status, Job.worker, Job.cancel_requested).where(Job.id == job_id)
    if is_postgres(session):
        query = query.with_for_update()
    row = session.execute(query).one_or_none()
    return row is not None and row.status == "running" and row.worker == worker and not row.cancel_requested


@retry_while_busy
def record_result(db: Database, job_id: int, worker: str, result: dict[str, Any]) -> bool:
    """Store a result on a job still running on this worker, before the handler fails it: a failed job
    keeps no result of its own, and some results (an import's report) tell the user what to fix."""
    with db.write() as session:
        return bool(_updated(session, update(Job).where(_mine(job_id, worker)).values(result=result)))


def checkpoint(session: Session, job_id: int, worker: str, result: dict[str, Any]) -> bool:
    """For a job that commits its work piece by piece, inside the transaction of one piece: while the
    job still runs on this worker with no cancel requested, store `result` as its partial result (what
    is done so far, committed with the piece, where a requeued run resumes) and return True; else
    return False, and the caller must not commit the piece."""
    # One guarded UPDATE: on PostgreSQL it also holds the job's row until the caller commits, as
    # hold_running_job's lock does.
    stmt = (
        update(Job)
        .where(_mine(job_id, worker), Job.cancel_requested.is_(False))
        .values(result=result)
        .execution_options(synchronize_session=False)
    )
    return bool(_updated(session, stmt))


def close_runs_of_ended_jobs(db: Database, table: Any, live_statuses: Collection[str]) -> list[int]:
    """Rows of `table` (a run table with status, error, finished_at and job_id) still live although
    their job is failed or cancelled: closed with the job's status and error. Returns their ids."""
    with db.write() as session:
        rows = session.execute(
            select(table, Job.status, Job.error)
            .join(Job, Job.id == table.job_id)
            .where(table.status.in_(list(live_statuses)), Job.status.in_(("failed", "cancelled")))
        ).all()
        for run, status, error in rows:
            run.status = status
            run.error = run.error or error
            run.finished_at = run.finished_at or utcnow()
        return [int(run.id) for run, _, _ in rows]

"""The live view of one job as server-sent events: `job` on every change, `log` per new line, `end`.

The generator polls with short-lived read sessions (no connection is held between polls), so a page
left open on a job costs one cheap query every poll and no pooled connection.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio

from shelfscope.db import Database
from shelfscope.jobs import service
from shelfscope.jobs.models import Job
from shelfscope.jobs.schemas import JobOut, LogOut

POLL_S = 0.3
KEEPALIVE_S = 15.0
_LOGS_PER_POLL = 500


def _snapshot(db: Database, job_id: int, after_log_id: int) -> tuple[JobOut | None, list[LogOut]]:
    with db.read() as session:
        # The row first: every line logged before it turned terminal is then already visible.
        job = session.get(Job, job_id)
        if job is None:
            return None, []
        logs = service.new_logs(session, job_id, after_log_id, _LOGS_PER_POLL)
        return JobOut.model_validate(job), [LogOut.model_validate(line) for line in logs]


def _event(name: str, data: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {data}\n\n"


async def job_event_stream(
    db: Database,
    job_id: int,
    *,
    is_disconnected: Callable[[], Awaitable[bool]],
    after_log_id: int = 0,
    poll_s: float = POLL_S,
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[str]:
    """Yields SSE frames until the job is terminal (then `end`) or the client goes away.

    Log events carry their id, so a reconnecting EventSource (Last-Event-ID) resumes without repeats.
    """
    last_job = ""
    last_sent = time.monotonic()
    while not await is_disconnected():
        job, logs = await anyio.to_thread.run_sync(_snapshot, db, job_id, after_log_id)
        if job is None:
            yield _event("end", json.dumps({"status": None, "detail": f"job {job_id} no longer exists"}))
            return
        frames = [_event("log", line.model_dump_json(), line.id) for line in logs]
        if logs:
            after_log_id = logs[-1].id
        job_json = job.model_dump_json()
        if job_json != last_job:
            frames.append(_event("job", job_json))
            last_job = job_json
        if service.is_terminal(job.status) and len(logs) < _LOGS_PER_POLL:
            frames.append(_event("end", json.dumps({"status": job.status})))
            yield "".join(frames)
            return
        if frames:
            yield "".join(frames)
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent >= keepalive_s:
            # A comment line: keeps proxies from closing an idle connection; EventSource ignores it.
            yield ": keepalive\n\n"
            last_sent = time.monotonic()
        await anyio.sleep(poll_s)

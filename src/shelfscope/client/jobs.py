"""Jobs: read one, follow its events (server-sent events, resumed after a dropped connection), wait
for it with a progress callback or bar, cancel it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from shelfscope.client._transport import Transport
from shelfscope.client.errors import JobFailed, TransportError, WaitTimedOut
from shelfscope.client.progress import job_bar
from shelfscope.client.types import Job, JobEvent, ProgressCallback, iterate_pages


class Jobs:
    def __init__(self, transport: Transport, progress: bool) -> None:
        self._t = transport
        self._progress = progress

    def get(self, job_id: int) -> Job:
        return Job.model_validate(self._t.json("GET", f"/api/v1/jobs/{job_id}"))

    def list(
        self, *, status: str | None = None, kind: str | None = None, limit: int | None = None
    ) -> Iterator[Job]:
        # The jobs list pages at most 200 (not the 500 of other lists).
        return iterate_pages(
            self._t, "/api/v1/jobs", Job, {"status": status, "kind": kind}, page_size=200, limit=limit
        )

    def cancel(self, job_id: int) -> Job:
        """Ask the job to stop; it ends `cancelled` at its next checkpoint (a batch, an epoch)."""
        return Job.model_validate(self._t.json("POST", f"/api/v1/jobs/{job_id}/cancel")["job"])

    def events(self, job_id: int) -> Iterator[JobEvent]:
        """The job's events as they happen, until `end`: `job` on every change (progress, stage,
        status), `log` per new line, `keepalive` when nothing happened for a while. A dropped
        connection is resumed without repeating log lines."""
        last_id: str | None = None
        failures = 0
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id is not None:
                headers["Last-Event-ID"] = last_id
            try:
                with self._t.stream(
                    "GET", f"/api/v1/jobs/{job_id}/stream", headers=headers, timeout_s=None
                ) as r:
                    event, event_id = "message", None
                    data: list[str] = []
                    for line in r.iter_lines():
                        if line == "":
                            if data:
                                parsed = _event(event, "\n".join(data))
                                if event_id is not None:
                                    last_id = event_id
                                failures = 0
                                yield parsed
                                if parsed.type == "end":
                                    return
                            event, data, event_id = "message", [], None
                        elif line.startswith(":"):
                            yield JobEvent(type="keepalive")
                        else:
                            name, _, value = line.partition(":")
                            value = value[1:] if value.startswith(" ") else value
                            if name == "event":
                                event = value
                            elif name == "data":
                                data.append(value)
                            elif name == "id":
                                event_id = value
            except TransportError:
                failures += 1
                if failures > self._t.retries:
                    raise
                time.sleep(min(10.0, 0.5 * 2**failures))
                continue
            # The server closed the stream without `end` (a restart): the job state decides.
            job = self.get(job_id)
            if job.done:
                yield JobEvent(type="job", job=job)
                yield JobEvent(type="end", status=job.status)
                return

    def wait(
        self,
        job_id: int,
        *,
        on_progress: ProgressCallback | None = None,
        progress: bool | None = None,
        timeout_s: float | None = None,
        raise_on_failure: bool = True,
    ) -> Job:
        """Block until the job ends and return its last state. `on_progress(job)` is called on every
        change; `progress=True` draws a bar on stderr. Raises `JobFailed` when it failed or was
        cancelled (unless `raise_on_failure=False`) and `WaitTimedOut` past `timeout_s`."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        show = self._progress if progress is None else progress
        job = self.get(job_id)
        with job_bar(job, enabled=show) as bar:
            if not job.done:
                for event in self.events(job_id):
                    if event.job is not None and event.job != job:
                        job = event.job
                        bar(job)
                        if on_progress is not None:
                            on_progress(job)
                    if event.type == "end":
                        break
                    if deadline is not None and time.monotonic() > deadline:
                        raise WaitTimedOut(job, timeout_s or 0.0)
                job = self.get(job_id)
                bar(job)
        if raise_on_failure and not job.ok:
            raise JobFailed(job)
        return job


def _event(name: str, data: str) -> JobEvent:
    try:
        parsed: Any = json.loads(data)
    except json.JSONDecodeError:
        parsed = {"text": data}
    if name == "job":
        return JobEvent(type="job", job=Job.model_validate(parsed))
    if name == "log":
        return JobEvent(type="log", log=parsed if isinstance(parsed, dict) else {"text": data})
    if name == "end":
        return JobEvent(type="end", status=parsed.get("status") if isinstance(parsed, dict) else None)
    return JobEvent(type=name)

"""Job runners behind one interface: `local` (worker processes under `shelfscope serve`) or `celery`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.models import Job
from shelfscope.jobs.registry import load_job_modules

log = logging.getLogger("shelfscope.jobs")


class JobRunner(Protocol):
    name: str

    def submit(self, job_id: int, queue: str) -> None:
        """Hand a committed, queued job to the workers of its queue (registry.QUEUES)."""
        ...

    def start(self) -> None:
        """Start workers or background duties (recovering interrupted jobs). Idempotent."""
        ...

    def stop(self) -> None:
        """Stop what start() started. Idempotent; safe when never started."""
        ...

    def health(self) -> dict[str, Any]:
        """{ok, runner, workers, detail}; returns within about a second."""
        ...

    def request_cancel(self, job_id: int) -> None:
        """Called after the cancel is recorded in the row: make it take effect."""
        ...


def open_runner(settings: Settings, db: Database) -> JobRunner:
    # Handlers must be registered here too: the server validates payloads with their models.
    load_job_modules(settings.job_modules)
    if settings.runner == "celery":
        # Imported only for this runner: the server starts without Celery when it isn't used.
        from shelfscope.jobs.runners.celery import CeleryRunner

        return CeleryRunner(settings, db)
    from shelfscope.jobs.runners.local import LocalRunner

    return LocalRunner(settings, db)


def hand_over(settings: Settings, db: Database, jobs: Sequence[Job]) -> None:
    """Hand jobs committed as queued (jobs.service.queue_in) to the runner, from anywhere (a worker
    process too). Best effort: a local worker finds a queued job by polling anyway; a Celery job that
    could not be sent stays queued and is logged."""
    if not jobs:
        return
    try:
        runner = open_runner(settings, db)
        for job in jobs:
            runner.submit(job.id, job.queue)
    except Exception:
        log.exception("could not hand jobs %s to the %s runner", [j.id for j in jobs], settings.runner)


__all__ = ["JobRunner", "hand_over", "open_runner"]

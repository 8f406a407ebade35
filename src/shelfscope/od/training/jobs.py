"""The training job: `od.training.run` on the `ml` queue. Torch is imported inside the handler only
(the server loads this module to validate payloads)."""

from __future__ import annotations

from typing import Any

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler, on_jobs_interrupted
from shelfscope.od.training.schemas import RUN_KIND, RunPayload


@job_handler(RUN_KIND, payload=RunPayload, resumable=True, queue="ml")
def train_run(ctx: JobContext, payload: RunPayload) -> dict[str, Any]:
    """Resumable: every epoch stores its checkpoint before the run records the epoch, so a requeued
    run resumes after the last epoch it recorded."""
    from shelfscope.od.training.execute import execute_run

    return execute_run(ctx, payload.run_id)


@on_jobs_interrupted
def close_orphaned_runs(settings: Settings, db: Database) -> None:
    """Runs whose job ended without their handler closing them (the worker died on the last attempt,
    or while cancelling) take the job's status; data no live run needs is then removed."""
    from shelfscope.od.training.data import release_unused
    from shelfscope.od.training.service import close_orphaned

    close_orphaned(db)
    release_unused(settings, db)

"""The training job: `pr.training.run` on the `ml` queue. Torch is imported inside the handler only
(the server loads this module to validate payloads)."""

from __future__ import annotations

import shutil
from typing import Any

from sqlalchemy import select

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler, on_jobs_interrupted
from shelfscope.pr.training.schemas import LIVE_STATUSES, RUN_KIND, RunPayload


@job_handler(RUN_KIND, payload=RunPayload, resumable=True, queue="ml")
def train_run(ctx: JobContext, payload: RunPayload) -> dict[str, Any]:
    """Resumable: every epoch stores its checkpoint before the run records the epoch, so a requeued
    attempt resumes after the last epoch it recorded."""
    from shelfscope.pr.training.execute import execute_run

    return execute_run(ctx, payload.run_id)


@on_jobs_interrupted
def close_orphaned_runs(settings: Settings, db: Database) -> None:
    """Runs whose job ended without their handler closing them (the worker died on the last attempt)
    take the job's status; downloaded images of runs no longer live are removed."""
    from shelfscope.pr.training.execute import image_cache
    from shelfscope.pr.training.models import PrTrainingRun
    from shelfscope.pr.training.service import close_orphaned

    close_orphaned(db)
    root = image_cache(settings.data_dir, 0).parent
    if not root.is_dir():
        return
    with db.read() as session:
        live = {
            str(i)
            for i in session.scalars(select(PrTrainingRun.id).where(PrTrainingRun.status.in_(LIVE_STATUSES)))
        }
    for folder in root.iterdir():
        if folder.name not in live:
            shutil.rmtree(folder, ignore_errors=True)

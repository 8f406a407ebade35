"""The evaluation job: `pr.evaluation.run` on the `ml` queue (torch inside the handler only)."""

from __future__ import annotations

from typing import Any

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler, on_jobs_interrupted
from shelfscope.pr.evaluation.schemas import EVALUATION_KIND, EvaluationPayload


@job_handler(EVALUATION_KIND, payload=EvaluationPayload, queue="ml")
def evaluate(ctx: JobContext, payload: EvaluationPayload) -> dict[str, Any]:
    from shelfscope.pr.evaluation.execute import execute_evaluation

    return execute_evaluation(ctx, payload.evaluation_id)


@on_jobs_interrupted
def close_orphaned_evaluations(settings: Settings, db: Database) -> None:
    from shelfscope.pr.evaluation.service import close_orphaned

    close_orphaned(db)

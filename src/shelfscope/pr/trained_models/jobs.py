"""The visual comparison job: `pr.models.compare` on the `ml` queue (torch inside the handler only)."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.pr.trained_models.schemas import COMPARE_KIND, ComparePayload


@job_handler(COMPARE_KIND, payload=ComparePayload, queue="ml")
def compare(ctx: JobContext, payload: ComparePayload) -> dict[str, Any]:
    from shelfscope.pr.trained_models.compare import compare_models

    return compare_models(ctx, payload.model_ids, payload.queries, payload.seed)

"""The extraction job: `pr.embeddings.extract` on the `ml` queue (torch inside the handler only)."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.pr.embeddings.schemas import EXTRACT_KIND, ExtractPayload


@job_handler(EXTRACT_KIND, payload=ExtractPayload, resumable=True, queue="ml")
def extract(ctx: JobContext, payload: ExtractPayload) -> dict[str, Any]:
    """Resumable: the job is incremental, so a requeued attempt embeds only what the last one did not
    store, and upserts again any rows whose points it did not write."""
    from shelfscope.pr.embeddings.execute import execute_extract

    return execute_extract(ctx, payload)

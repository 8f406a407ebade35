"""The fetch job: `ml.models.fetch` downloads one catalogue model into its folder."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.ml.catalogue import get_spec
from shelfscope.weights.download import download_model
from shelfscope.weights.schemas import FETCH_KIND, FetchPayload


# Resumable: a requeued fetch continues the files its dead worker had in the staging folder.
@job_handler(FETCH_KIND, payload=FetchPayload, resumable=True, queue="ml")
def fetch_model(ctx: JobContext, payload: FetchPayload) -> dict[str, Any]:
    spec = get_spec(payload.key, field="key")
    result = download_model(ctx.settings, spec, ctx)
    ctx.log(f"installed {spec.key}: {result.files} files, {result.size_on_disk:,} bytes in {result.folder}")
    return result.model_dump(mode="json")

"""Job handlers of pr/matching: `pr.matching.predict` (queue default: stored vectors and the index, no
model) and `pr.matching.search` (interactive: embeds one uploaded crop, so torch is imported inside)."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.pr.matching.schemas import (
    PREDICT_KIND,
    SEARCH_KIND,
    PredictPayload,
    PredictResult,
    SearchPayload,
)


@job_handler(PREDICT_KIND, payload=PredictPayload)
def predict(ctx: JobContext, payload: PredictPayload) -> dict[str, Any]:
    """Every unmatched cutout's candidates predicted again, a chunk of cutouts a transaction (a cancel
    or a failure keeps the chunks done and leaves the others' earlier candidates as they were)."""
    from shelfscope.pr.matching.predict import predict_collection
    from shelfscope.vectors import open_vectors

    def progress(done: int, total: int) -> None:
        ctx.progress(done / total if total else 1.0, f"{done} of {total} cutouts")
        ctx.check_cancelled()

    index = open_vectors(ctx.settings)
    try:
        written = predict_collection(
            ctx.db, index, payload.collection_id, top_k=ctx.settings.pr_matching_top_k, progress=progress
        )
    finally:
        index.close()
    ctx.log(f"{written} candidates written")
    return PredictResult(collection_id=payload.collection_id, candidates=written).model_dump(mode="json")


@job_handler(SEARCH_KIND, payload=SearchPayload, queue="interactive")
def search(ctx: JobContext, payload: SearchPayload) -> dict[str, Any]:
    from shelfscope.pr.matching.search import run_search

    return run_search(ctx, payload).model_dump(mode="json")

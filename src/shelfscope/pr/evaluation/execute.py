"""Evaluating a checkpoint on its run's test products (worker side): embed every readable test image
with the checkpoint, then ml/metrics/retrieval's report (Recall@K and mAP@R leave-one-out, every
cross-domain direction present, per category, hard cases, confused pairs)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelfscope.jobs.context import JobContext
from shelfscope.pr.evaluation import service
from shelfscope.pr.evaluation.models import PrEvaluation
from shelfscope.pr.training.fetch import download, fetch_images
from shelfscope.pr.training.models import PrCheckpoint

if TYPE_CHECKING:
    import numpy as np

    from shelfscope.ml.embeddings.checkpoint import Embedder
    from shelfscope.ml.embeddings.train import Sample

EMBED_BATCH = 32


def load(ctx: JobContext, path: Path) -> Embedder:
    from shelfscope.ml.embeddings.checkpoint import load_embedder
    from shelfscope.ml.runtime import apply_threads, pick_device

    apply_threads(ctx.settings)
    return load_embedder(path, pick_device(ctx.settings.ml_device))


def embed(embedder: Embedder, paths: list[Path]) -> tuple[np.ndarray, dict[int, str]]:
    """Embeddings of the readable images in `paths` order, and {index in paths: reason} for the rest."""
    from shelfscope.ml.embeddings.checkpoint import embed_paths

    vectors, skipped = embed_paths(embedder, paths, EMBED_BATCH)
    return vectors, {index: reason for index, reason in skipped}


def evaluate_samples(
    ctx: JobContext, checkpoint: Path, samples: list[Sample]
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """(metrics, report, skipped images) of the checkpoint on `samples`."""
    from shelfscope.ml.metrics.retrieval import evaluation_report

    if not samples:
        raise ValueError("there are no readable test images to evaluate on")
    embedder = load(ctx, checkpoint)
    vectors, broken = embed(embedder, [s.path for s in samples])
    skipped = [{"image_id": samples[i].image_id, "reason": reason} for i, reason in sorted(broken.items())]
    for entry in skipped:
        ctx.log(f"image {entry['image_id']} could not be read ({entry['reason']}); skipped", "warning")
    kept = [s for i, s in enumerate(samples) if i not in broken]
    if len(vectors) != len(kept):
        raise ValueError(f"the embedder returned {len(vectors)} embeddings for {len(kept)} readable images")
    report = evaluation_report(
        vectors,
        [s.product_id for s in kept],
        [s.domain for s in kept],
        [s.image_id for s in kept],
        [s.category for s in kept],
    )
    metrics = dict(report["overall"]) | {"products": len({s.product_id for s in kept}), "images": len(kept)}
    return metrics, {name: value for name, value in report.items()}, skipped


def execute_evaluation(ctx: JobContext, evaluation_id: int) -> dict[str, Any]:
    """The `pr.evaluation.run` job: the evaluation's checkpoint on its run's test split."""
    from shelfscope.pr.training.execute import categories_of, frozen_keys, samples_of

    with ctx.db.write() as session:
        row = session.get(PrEvaluation, evaluation_id)
        if row is None:
            raise ValueError(f"evaluation {evaluation_id} no longer exists")
        checkpoint = session.get(PrCheckpoint, row.checkpoint_id) if row.checkpoint_id is not None else None
        row.job_id = ctx.job_id
        row.status = "running" if checkpoint is not None else "failed"
        if checkpoint is None:
            row.error = "its checkpoint was deleted before it ran"
        run_id, split = row.run_id, row.split
        key = checkpoint.storage_key if checkpoint is not None else None
    if key is None:
        raise ValueError(f"evaluation {evaluation_id}: its checkpoint was deleted before it ran")
    folder = ctx.settings.data_dir / "tmp" / "pr-evaluation" / f"{evaluation_id}-{ctx.attempt}"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        path = download(ctx.storage, key, folder / "checkpoint.pt", ctx.log)
        fetched = fetch_images(ctx, frozen_keys(ctx.db, run_id, split), folder / "images")
        ctx.check_cancelled()
        samples = samples_of(ctx.db, run_id, fetched.paths, categories_of(ctx.db, run_id))[split]
        ctx.progress(0.3, f"embedding {len(samples)} test images")
        metrics, report, skipped = evaluate_samples(ctx, path, samples)
        report["skipped"] = fetched.skipped + skipped
    except Exception as exc:
        service.mark(ctx.db, evaluation_id, status="failed", error=str(exc)[:2000] or type(exc).__name__)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    service.record_result(ctx.db, evaluation_id, metrics, report)
    ctx.log(
        f"recall@1 {metrics.get('recall_at_1', 0):.4f}, recall@5 {metrics.get('recall_at_5', 0):.4f}, "
        f"mAP@R {metrics.get('map_at_r', 0):.4f} over {metrics['images']} images"
    )
    ctx.progress(1.0, "done")
    return {"evaluation_id": evaluation_id, "run_id": run_id, "metrics": metrics}

"""One embedding training run, start to end, inside the `pr.training.run` job (worker side).

Fetch the frozen images (retried; missing ones skipped and listed) -> ml/embeddings/train with the
run's sink (events.py: every epoch's FP16 checkpoint stored, `is_best` by val recall@1) -> evaluate the
best checkpoint on the test products (an evaluation row, pr/evaluation/execute.py). An attempt after a
dead worker, and a resumed run, start after the run's last recorded epoch from its checkpoint. A cancel
keeps the checkpoints; any failure marks the run failed with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from shelfscope.db import Database, utcnow
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.pr.evaluation import service as evaluations
from shelfscope.pr.products.models import Product
from shelfscope.pr.training.events import TRAINING_SHARE, RunSink, score
from shelfscope.pr.training.fetch import download, fetch_images
from shelfscope.pr.training.models import PrCheckpoint, PrTrainingImage, PrTrainingRun
from shelfscope.pr.training.service import train_config

if TYPE_CHECKING:
    from shelfscope.ml.embeddings.train import Sample

# How many skipped images the run's summary lists one by one (the count is always whole).
MAX_SKIPPED_LISTED = 500


def work_dir(ctx: JobContext, run_id: int) -> Path:
    return ctx.settings.data_dir / "tmp" / "pr-training" / f"{run_id}-{ctx.attempt}"


def image_cache(data_dir: Path, run_id: int) -> Path:
    """The run's downloaded images, kept across attempts and removed when the run ends."""
    return data_dir / "cache" / "pr-training" / str(run_id)


def _set(db: Database, run_id: int, **values: Any) -> None:
    with db.write() as session:
        run = session.get(PrTrainingRun, run_id)
        if run is not None:
            for name, value in values.items():
                setattr(run, name, value)


def execute_run(ctx: JobContext, run_id: int) -> dict[str, Any]:
    from shelfscope.ml.embeddings.train import TrainingCancelled

    with ctx.db.write() as session:
        run = session.get(PrTrainingRun, run_id)
        if run is None:
            raise ValueError(f"training run {run_id} no longer exists")
        if run.status not in ("queued", "running"):
            raise ValueError(f"training run {run_id} is already {run.status}")
        run.status = "running"
        run.started_at = run.started_at or utcnow()
        run.error = None
        session.flush()
        session.expunge(run)
    folder = work_dir(ctx, run_id)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        return _execute(ctx, run, folder)
    except (JobCancelled, TrainingCancelled):
        _set(ctx.db, run_id, status="cancelled", finished_at=utcnow(), current_batch=0)
        ctx.log("cancelled; the checkpoints so far are kept (resume from any of them)", "warning")
        raise JobCancelled(f"training run {run_id} was cancelled") from None
    except Exception as exc:
        _set(
            ctx.db, run_id, status="failed", finished_at=utcnow(), error=str(exc)[:2000] or type(exc).__name__
        )
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(image_cache(ctx.settings.data_dir, run_id), ignore_errors=True)


def samples_of(
    db: Database, run_id: int, paths: dict[int, Path], categories: dict[int, str | None]
) -> dict[str, list[Sample]]:
    """The run's frozen images that were fetched, as training samples by split."""
    from shelfscope.ml.embeddings.train import Sample

    out: dict[str, list[Sample]] = {"train": [], "val": [], "test": []}
    with db.read() as session:
        rows = session.execute(
            select(
                PrTrainingImage.product_image_id,
                PrTrainingImage.product_id,
                PrTrainingImage.domain,
                PrTrainingImage.split,
            )
            .where(PrTrainingImage.run_id == run_id)
            .order_by(PrTrainingImage.id)
        ).all()
    for image_id, product_id, domain, split in rows:
        path = paths.get(int(image_id))
        if path is not None:
            out[str(split)].append(
                Sample(
                    image_id=int(image_id),
                    product_id=int(product_id),
                    domain=str(domain),
                    path=path,
                    category=categories.get(int(product_id)),
                )
            )
    return out


def frozen_keys(db: Database, run_id: int, split: str | None = None) -> list[tuple[int, str]]:
    with db.read() as session:
        query = select(PrTrainingImage.product_image_id, PrTrainingImage.storage_key).where(
            PrTrainingImage.run_id == run_id
        )
        if split is not None:
            query = query.where(PrTrainingImage.split == split)
        return [(int(i), str(k)) for i, k in session.execute(query.order_by(PrTrainingImage.id))]


def categories_of(db: Database, run_id: int) -> dict[int, str | None]:
    """Each product's category as the catalogue has it now (None for a product since deleted)."""
    with db.read() as session:
        product_ids = select(PrTrainingImage.product_id).where(PrTrainingImage.run_id == run_id).distinct()
        return {
            int(i): c
            for i, c in session.execute(
                select(Product.id, Product.category).where(Product.id.in_(product_ids))
            )
        }


def _resume_point(ctx: JobContext, run: PrTrainingRun, folder: Path) -> tuple[Path | None, int]:
    """The checkpoint of the run's last recorded epoch (downloaded) and the next epoch; (None, 1) for a
    run that has not finished an epoch."""
    if run.current_epoch < 1:
        return None, 1
    with ctx.db.read() as session:
        row = session.scalars(
            select(PrCheckpoint).where(PrCheckpoint.run_id == run.id, PrCheckpoint.epoch == run.current_epoch)
        ).first()
        key = row.storage_key if row is not None else None
    if key is None:
        ctx.log(f"no checkpoint of epoch {run.current_epoch} is stored; training starts over", "warning")
        return None, 1
    path = download(ctx.storage, key, folder / "resume" / "checkpoint.pt", ctx.log)
    left = run.total_epochs - run.current_epoch
    ctx.log(
        f"resuming after epoch {run.current_epoch} from its checkpoint; "
        f"{left} epoch{'s' if left != 1 else ''} left"
        + (f" (attempt {ctx.attempt})" if ctx.attempt > 1 else "")
    )
    return path, run.current_epoch + 1


def model_info(run: PrTrainingRun) -> dict[str, Any]:
    from shelfscope.ml.catalogue import get_spec
    from shelfscope.ml.embeddings.model import PREPROCESSING

    config = train_config(run)
    return {
        "format": "shelfscope.embedding/1",
        "backbone": run.backbone,
        "family": get_spec(run.backbone).family,
        "embedding_dim": config.embedding_dim,
        "image_size": config.image_size,
        "preprocessing": dict(PREPROCESSING) | {"image_size": config.image_size},
    }


def _execute(ctx: JobContext, run: PrTrainingRun, folder: Path) -> dict[str, Any]:
    from shelfscope.ml.embeddings.train import train

    config = train_config(run)
    fetched = fetch_images(ctx, frozen_keys(ctx.db, run.id), image_cache(ctx.settings.data_dir, run.id))
    ctx.check_cancelled()
    samples = samples_of(ctx.db, run.id, fetched.paths, categories_of(ctx.db, run.id))
    resume_from, start_epoch = _resume_point(ctx, run, folder)
    sink = RunSink(ctx, run.id, run.total_epochs, model_info(run))
    skipped = list(fetched.skipped)
    stopped_early = False
    if start_epoch <= run.total_epochs:
        ctx.log(
            f"training {run.backbone} ({'pretrained' if run.pretrained else 'random init'}) on "
            f"{len(samples['train'])} images of {len({s.product_id for s in samples['train']})} products, "
            f"validating on {len(samples['val'])}; epochs {start_epoch}-{run.total_epochs}, "
            f"{config.products_per_batch}x{config.images_per_product} per batch at {config.image_size} px"
        )
        result = train(
            config,
            ctx.settings,
            samples["train"],
            samples["val"],
            folder / "train",
            sink,
            resume_from=resume_from,
            start_epoch=start_epoch,
        )
        ctx.check_cancelled()
        skipped += [{"image_id": image_id, "reason": reason} for image_id, reason in result.skipped]
        stopped_early = result.stopped_early
        if result.initial_metrics:
            _record_initial(ctx.db, run.id, result.initial_metrics)
        if stopped_early:
            ctx.log(
                f"stopped early after epoch {result.epochs_run}: "
                f"no better val recall@1 for {config.patience} epochs"
            )
    _record_skipped(ctx.db, run.id, skipped)
    ctx.progress(TRAINING_SHARE, "evaluating the best checkpoint on the test products")
    evaluation, eval_skipped = _evaluate_best(ctx, run.id, samples["test"], folder)
    if eval_skipped:
        _record_skipped(ctx.db, run.id, skipped + eval_skipped)
    _set(ctx.db, run.id, status="succeeded", finished_at=utcnow(), current_batch=0)
    ctx.progress(1.0, "done")
    with ctx.db.read() as session:
        done = session.get(PrTrainingRun, run.id)
        best_epoch = done.best_epoch if done is not None else None
        last_epoch = done.current_epoch if done is not None else None
    return {
        "run_id": run.id,
        "best_epoch": best_epoch,
        "last_epoch": last_epoch,
        "stopped_early": stopped_early,
        "skipped": len(skipped),
        "evaluation_id": evaluation["id"],
        "test": evaluation["metrics"],
    }


def _record_initial(db: Database, run_id: int, metrics: dict[str, float]) -> None:
    """The starting model's val metrics as epoch 0 of the history: the "before" of the charts."""
    with db.write() as session:
        run = session.get(PrTrainingRun, run_id)
        if run is not None:
            history = [r for r in run.metrics_history or [] if int(r.get("epoch", 0)) != 0]
            run.metrics_history = [{"epoch": 0, **metrics}, *history]


def _record_skipped(db: Database, run_id: int, skipped: list[dict[str, Any]]) -> None:
    with db.write() as session:
        run = session.get(PrTrainingRun, run_id)
        if run is None:
            return
        unique = list({int(s["image_id"]): s for s in skipped}.values())
        run.data_summary = dict(run.data_summary) | {
            "skipped": unique[:MAX_SKIPPED_LISTED],
            "skipped_count": len(unique),
        }


def _evaluate_best(
    ctx: JobContext, run_id: int, test: list[Sample], folder: Path
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The best checkpoint (by val recall@1) evaluated on the test split, as an evaluation row of this job."""
    from shelfscope.pr.evaluation.execute import evaluate_samples

    with ctx.db.write() as session:
        rows = list(session.scalars(select(PrCheckpoint).where(PrCheckpoint.run_id == run_id)))
        if not rows:
            raise ValueError("the run stored no checkpoint to evaluate")
        best = max(rows, key=lambda c: (*score(c.metrics or {}), -c.epoch))
        evaluation = evaluations.add_evaluation(session, best, status="running")
        evaluation.job_id = ctx.job_id
        evaluation_id, key, epoch = evaluation.id, best.storage_key, best.epoch
    try:
        path = download(ctx.storage, key, folder / "best" / "checkpoint.pt", ctx.log)
        metrics, report, skipped = evaluate_samples(ctx, path, test)
    except Exception as exc:
        evaluations.mark(ctx.db, evaluation_id, status="failed", error=str(exc)[:2000] or type(exc).__name__)
        raise
    evaluations.record_result(ctx.db, evaluation_id, metrics, report)
    ctx.log(
        f"test split, epoch {epoch}: recall@1 {metrics.get('recall_at_1', 0):.4f}, recall@5 "
        f"{metrics.get('recall_at_5', 0):.4f}, mAP@R {metrics.get('map_at_r', 0):.4f} "
        f"({metrics.get('queries', 0)} queries)"
    )
    return {"id": evaluation_id, "metrics": metrics}, skipped

"""One training run, start to end, inside the `od.training.run` job (worker side).

Prepare the version's data (data.py) -> hand the family's trainer a TrainConfig and the run's event
sink (events.py) -> evaluate the best model on the test split (ml/trainers/evaluate.py) -> register it
(an od_trained_models row, its folder stored under models/od/<id>/). A job requeued after its worker
died (attempt > 1) downloads the run's last and best checkpoints and resumes at the next epoch; a
cancel keeps the best checkpoint and registers nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from shelfscope.db import utcnow
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.ml.trainers.base import MANIFEST_NAME, ModelManifest, Resume, TrainConfig, TrainingCancelled
from shelfscope.ml.trainers.catalogue import get_architecture
from shelfscope.ml.trainers.families import make_trainer
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.training import data as train_data
from shelfscope.od.training.events import TRAINING_SHARE, RunEvents
from shelfscope.od.training.models import TrainingRun
from shelfscope.od.training.schemas import RunConfig
from shelfscope.storage import Storage

MODEL_AREA = "models/od"


def model_prefix(model_id: int) -> str:
    return f"{MODEL_AREA}/{model_id}/"


def _set(ctx: JobContext, run_id: int, **values: Any) -> None:
    with ctx.db.write() as session:
        run = session.get(TrainingRun, run_id)
        if run is not None:
            for name, value in values.items():
                setattr(run, name, value)


def store_folder(storage: Storage, folder: Path, prefix: str) -> int:
    """Every file of `folder` under `prefix` (relative paths kept); returns the bytes stored."""
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            storage.put_file(prefix + path.relative_to(folder).as_posix(), path)
            total += path.stat().st_size
    return total


def materialise_model(ctx: JobContext, model_id: int) -> Path:
    """A registered model's folder under DATA_DIR/cache/trained/<id>/ (downloaded once)."""
    target = ctx.settings.data_dir / "cache" / "trained" / str(model_id)
    if (target / MANIFEST_NAME).is_file():
        return target
    partial = target.with_name(f".{model_id}-{ctx.job_id}-{ctx.attempt}")
    shutil.rmtree(partial, ignore_errors=True)
    prefix = model_prefix(model_id)
    for key in ctx.storage.iter_keys(prefix):
        out = partial / key[len(prefix) :]
        out.parent.mkdir(parents=True, exist_ok=True)
        ctx.storage.download_to(key, out)
    if not (partial / MANIFEST_NAME).is_file():
        raise ValueError(f"model {model_id} has no stored {MANIFEST_NAME}")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def _resume(ctx: JobContext, run: TrainingRun, work_dir: Path) -> Resume | None:
    """Attempt > 1 with a stored last checkpoint: download it (and the best one beside it)."""
    if ctx.attempt <= 1 or not run.last_checkpoint_key or run.current_epoch < 1:
        return None
    folder = work_dir / "resume"
    folder.mkdir(parents=True, exist_ok=True)
    last = folder / Path(run.last_checkpoint_key).name
    ctx.storage.download_to(run.last_checkpoint_key, last)
    if run.best_checkpoint_key:
        ctx.storage.download_to(
            run.best_checkpoint_key, folder / ("best-" + Path(run.best_checkpoint_key).name)
        )
    left = run.total_epochs - run.current_epoch
    ctx.log(
        f"attempt {ctx.attempt}: resuming after epoch {run.current_epoch} from its checkpoint; "
        f"{left} epoch{'s' if left != 1 else ''} left"
    )
    return Resume(checkpoint=last, next_epoch=run.current_epoch + 1)


def _train_config(ctx: JobContext, config: RunConfig) -> TrainConfig:
    init_folder = materialise_model(ctx, config.init_model_id) if config.init_model_id else None
    return TrainConfig(
        epochs=config.epochs,
        batch_size=config.batch_size,
        image_size=config.image_size,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_epochs=config.warmup_epochs,
        scheduler=config.scheduler,
        patience=config.patience,
        augmentation=config.augmentation,
        seed=config.seed,
        mixed_precision=config.mixed_precision,
        device=config.device,
        pretrained=config.pretrained and init_folder is None,
        init_folder=init_folder,
        model_overrides=dict(config.model_overrides),
    )


def execute_run(ctx: JobContext, run_id: int) -> dict[str, Any]:
    with ctx.db.write() as session:
        run = session.get(TrainingRun, run_id)
        if run is None:
            raise ValueError(f"training run {run_id} no longer exists")
        if run.status not in ("queued", "running"):
            raise ValueError(f"training run {run_id} is already {run.status}")
        run.status = "running"
        run.started_at = run.started_at or utcnow()
        run.error = None
        session.flush()
        session.expunge(run)
    work_dir = ctx.settings.data_dir / "tmp" / "training" / f"{run_id}-{ctx.attempt}"
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    try:
        return _execute(ctx, run, work_dir)
    except (TrainingCancelled, JobCancelled):
        _set(ctx, run_id, status="cancelled", finished_at=utcnow())
        ctx.log("cancelled; the best checkpoint so far is kept", "warning")
        raise JobCancelled(f"training run {run_id} was cancelled") from None
    except Exception as exc:
        _set(ctx, run_id, status="failed", finished_at=utcnow(), error=str(exc)[:2000] or type(exc).__name__)
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        train_data.release_unused(ctx.settings, ctx.db)


def _execute(ctx: JobContext, run: TrainingRun, work_dir: Path) -> dict[str, Any]:
    arch = get_architecture(run.base_model)
    config = RunConfig.model_validate(run.config)
    data = train_data.prepare(ctx.settings, ctx.db, ctx.storage, run.dataset_version_id, arch.format, ctx)
    ctx.check_cancelled()
    resume = _resume(ctx, run, work_dir)
    trainer = make_trainer(arch, ctx.settings)
    events = RunEvents(ctx, run.id, config.epochs)
    ctx.log(
        f"training {arch.title} on {data.train_images} images ({len(data.classes)} classes), "
        f"{config.epochs} epochs at {config.image_size} px, batch {config.batch_size}"
    )
    outcome = trainer.train(data, _train_config(ctx, config), events, work_dir / "train", resume)
    ctx.check_cancelled()
    ctx.progress(TRAINING_SHARE, "evaluating the best model on the test split")
    from shelfscope.ml.trainers.evaluate import evaluate_folder

    split = "test" if data.test_images else "val"
    if split == "val":
        ctx.log("the version has no test images; the model is evaluated on the val split", "warning")
    metrics = evaluate_folder(outcome.model_folder, data, split)
    metrics["split"] = split
    ctx.log(
        f"{split} split: mAP50 {metrics['map50']:.4f}, mAP50-95 {metrics['map50_95']:.4f}, "
        f"precision {metrics['precision']:.3f}, recall {metrics['recall']:.3f}"
    )
    model_id = register_model(ctx, run, outcome.model_folder, metrics)
    _set(
        ctx,
        run.id,
        status="succeeded",
        finished_at=utcnow(),
        test_metrics=metrics,
        current_epoch=outcome.epochs_run,
    )
    ctx.progress(1.0, "done")
    if outcome.stopped_early:
        ctx.log(
            f"stopped early after epoch {outcome.epochs_run}: "
            f"no better val mAP50-95 for {config.patience} epochs"
        )
    return {
        "run_id": run.id,
        "model_id": model_id,
        "best_epoch": outcome.best_epoch,
        "epochs_run": outcome.epochs_run,
        "stopped_early": outcome.stopped_early,
        "test": {"map50": metrics["map50"], "map50_95": metrics["map50_95"], "split": split},
    }


def register_model(ctx: JobContext, run: TrainingRun, folder: Path, metrics: dict[str, Any]) -> int:
    """The model row (inactive until its folder is stored), then its files under models/od/<id>/. A
    resumed run that died while registering replaces the half-registered model."""
    manifest = ModelManifest.read(folder)
    with ctx.db.write() as session:
        for stale in session.scalars(select(TrainedModel).where(TrainedModel.training_run_id == run.id)):
            for key in list(ctx.storage.iter_keys(model_prefix(stale.id))):
                ctx.storage.delete(key)
            session.delete(stale)
        from shelfscope.od.versions.models import DatasetVersion

        version = session.get(DatasetVersion, run.dataset_version_id)
        mapping = sorted((version.class_mapping if version else []), key=lambda m: int(m["index"]))
        model = TrainedModel(
            name=run.name,
            training_run_id=run.id,
            base_model=run.base_model,
            family=run.family,
            dataset_id=run.dataset_id,
            dataset_version_id=run.dataset_version_id,
            artifact_key="",
            artifact_format="pytorch",
            input_size=manifest.input_size,
            class_mapping=[
                {"index": int(m["index"]), "class_id": m.get("class_id"), "name": m["name"]} for m in mapping
            ],
            metrics=metrics,
            is_active=False,
            created_by=run.created_by,
        )
        session.add(model)
        session.flush()
        model_id = model.id
    try:
        size = store_folder(ctx.storage, folder, model_prefix(model_id))
    except Exception:
        with ctx.db.write() as session:
            found = session.get(TrainedModel, model_id)
            if found is not None:
                session.delete(found)
        raise
    with ctx.db.write() as session:
        found = session.get(TrainedModel, model_id)
        if found is not None:
            found.artifact_key = model_prefix(model_id)
            found.artifact_size = size
            found.is_active = True
    ctx.log(f"registered model {model_id} ({size:,} bytes)")
    return model_id

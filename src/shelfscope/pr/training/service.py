"""Embedding training runs: backbones, start (every refusal before anything is stored), list, read, the
frozen image list, checkpoints (list, delete), cancel, resume and delete. The run itself is the
`pr.training.run` job (jobs.py, execute.py); services stay torch-free."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.jobs.schemas import JobOut
from shelfscope.ml.catalogue import CATALOGUE, ModelSpec, get_spec
from shelfscope.ml.embeddings.config import EmbedTrainConfig
from shelfscope.ml.weights import is_present, model_dir
from shelfscope.pagination import check_limit, decode_cursor, encode_cursor, newest_first_after
from shelfscope.pr.evaluation.models import PrEvaluation
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.pr.training import data as train_data
from shelfscope.pr.training.models import PrCheckpoint, PrTrainingImage, PrTrainingRun
from shelfscope.pr.training.schemas import (
    LIVE_STATUSES,
    RUN_KIND,
    RUN_STATUSES,
    SPLITS,
    BackboneOut,
    CheckpointOut,
    ConfigIn,
    ResumeIn,
    ResumeOut,
    RunEnvelope,
    RunIn,
    RunOut,
    RunPage,
    RunPayload,
    TrainingImageOut,
    TrainingImagePage,
)
from shelfscope.storage import Storage

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

CHECKPOINT_AREA = "checkpoints/pr"
# Fields of EmbedTrainConfig that are the run's own columns, not its method config.
_RUN_FIELDS = ("backbone", "pretrained")


def checkpoint_prefix(run_id: int) -> str:
    return f"{CHECKPOINT_AREA}/{run_id}/"


def checkpoint_key(run_id: int, epoch: int) -> str:
    return f"{checkpoint_prefix(run_id)}epoch-{epoch:04d}.pt"


# ---- backbones ----------------------------------------------------------------------------------------


def embedder_specs() -> list[ModelSpec]:
    return [spec for spec in CATALOGUE if spec.task == "embedder"]


def list_backbones(settings: Settings) -> list[BackboneOut]:
    token_set = bool(settings.ml_hub_token.get_secret_value())
    return [
        BackboneOut(
            key=spec.key,
            title=spec.title,
            family=spec.family,
            size_mb=spec.size_mb,
            licence=spec.licence,
            gated=spec.gated,
            installed=is_present(model_dir(settings, spec.key)),
            token_set=token_set,
            note=spec.note,
        )
        for spec in embedder_specs()
    ]


def _backbone(key: str) -> ModelSpec:
    spec = get_spec(key, field="backbone")
    if spec.task != "embedder":
        keys = ", ".join(s.key for s in embedder_specs())
        raise ValidationFailed.field(
            "backbone", f"{key!r} is a {spec.task}, not an embedder; use one of {keys}"
        )
    return spec


def _check_weights(settings: Settings, spec: ModelSpec, pretrained: bool) -> None:
    """Pretrained weights that are not installed: refused now rather than failing in the worker, with
    the ways to provide them (and the token a gated backbone needs when none is set)."""
    folder = model_dir(settings, spec.key)
    if not pretrained or is_present(folder):
        return
    gated = spec.gated and not settings.ml_hub_token.get_secret_value()
    if settings.ml_offline:
        fetch = "this installation is offline"
    elif gated:
        fetch = (
            f"its weights are gated on the hub: accept the licence on the {spec.hub_id} page and set "
            f"SHELFSCOPE_ML_HUB_TOKEN, then fetch it (`shelfscope models fetch {spec.key}`)"
        )
    else:
        fetch = f"fetch it (Settings → Models, or `shelfscope models fetch {spec.key}`)"
    raise Conflict(
        f"The pretrained weights of {spec.title} are not installed; {fetch}, or copy a save_pretrained "
        f"folder of {spec.hub_id} to {folder}, or train from scratch (pretrained: false).",
        backbone=spec.key,
        folder=str(folder),
        token_needed=gated,
    )


# ---- starting -----------------------------------------------------------------------------------------


def resolve_config(given: ConfigIn) -> dict[str, Any]:
    """EmbedTrainConfig's defaults <- what the request set, without the run's own fields."""
    values = {f.name: f.default for f in fields(EmbedTrainConfig) if f.name not in _RUN_FIELDS}
    for name in given.model_fields_set:
        value = getattr(given, name)
        if value is not None:
            values[name] = value
    return values


def train_config(run: PrTrainingRun) -> EmbedTrainConfig:
    return EmbedTrainConfig.from_dict(
        dict(run.config) | {"backbone": run.backbone, "pretrained": run.pretrained}
    )


def _default_name(spec: ModelSpec, body: RunIn) -> str:
    source = body.data.source.replace("_", " ")
    if body.data.dataset_id is not None:
        source = f"dataset {body.data.dataset_id}"
    return f"{spec.title} on {source}"


def start_run(
    session: Session, runner: JobRunner, settings: Settings, body: RunIn, user_id: int | None
) -> RunEnvelope:
    """Check everything, then store the run, its frozen image list and its job in one transaction."""
    spec = _backbone(body.backbone)
    config = resolve_config(body.config)
    plan = train_data.plan_data(
        session,
        body.data,
        min_products=settings.pr_training_min_products,
        min_images=settings.pr_training_min_images,
    )
    train_products = int(plan.summary["train"]["products"])
    if int(config["products_per_batch"]) > train_products:
        raise ValidationFailed.field(
            "config.products_per_batch",
            f"is {config['products_per_batch']}, but the train split has {train_products} products; "
            "a batch cannot hold more products than there are",
        )
    _check_weights(settings, spec, body.pretrained)
    run = PrTrainingRun(
        name=body.name or _default_name(spec, body),
        backbone=spec.key,
        pretrained=body.pretrained,
        config=config,
        data_config=body.data.model_dump(mode="json"),
        dataset_id=body.data.dataset_id,
        data_summary=plan.summary,
        status="queued",
        total_epochs=int(config["epochs"]),
        created_by=user_id,
    )
    session.add(run)
    session.flush()
    run_id = run.id
    train_data.freeze(session, run_id, plan.images)
    return _queue(session, runner, run_id, user_id)


def _queue(session: Session, runner: JobRunner, run_id: int, user_id: int | None) -> RunEnvelope:
    """Submit the run's job (this commits the run with it) and link them."""
    try:
        job = jobs.submit_job(session, runner, RUN_KIND, RunPayload(run_id=run_id).model_dump(), user_id)
    except Exception:
        failed = session.get(PrTrainingRun, run_id)
        if failed is not None:
            failed.status = "failed"
            failed.error = "its job could not be queued"
            session.commit()
        raise
    run = require_run(session, run_id)
    run.job_id = job.id
    session.commit()
    return RunEnvelope(run=run_out(session, run), job=JobOut.model_validate(job))


# ---- reading ------------------------------------------------------------------------------------------


def require_run(session: Session, run_id: int) -> PrTrainingRun:
    run = session.get(PrTrainingRun, run_id)
    if run is None:
        raise NotFound(f"Training run {run_id} does not exist.", run_id=run_id)
    return run


def describe(session: Session, runs: Sequence[PrTrainingRun]) -> list[RunOut]:
    """The API shape of each run; jobs and model counts looked up once for all of them."""
    job_ids = {r.job_id for r in runs if r.job_id is not None}
    run_ids = {r.id for r in runs}
    job_rows = {j.id: j for j in session.scalars(select(Job).where(Job.id.in_(job_ids)))} if job_ids else {}
    counts: dict[int, int] = {}
    if run_ids:
        counts = {
            int(run_id or 0): int(n)
            for run_id, n in session.execute(
                select(PrTrainedModel.run_id, func.count())
                .where(PrTrainedModel.run_id.in_(run_ids))
                .group_by(PrTrainedModel.run_id)
            )
        }
    out = []
    for run in runs:
        job = job_rows.get(run.job_id) if run.job_id is not None else None
        status = run.status
        if status in LIVE_STATUSES and job is not None and job.status in ("failed", "cancelled"):
            # The job ended without its handler closing the run (a dead worker's last attempt).
            status = job.status
        if status == "succeeded":
            progress = 1.0
        elif run.total_epochs:
            within = run.current_batch / run.total_batches if run.total_batches else 0.0
            progress = min(1.0, (run.current_epoch + min(within, 1.0)) / run.total_epochs)
        else:
            progress = 0.0
        out.append(
            RunOut(
                id=run.id,
                name=run.name,
                backbone=run.backbone,
                pretrained=run.pretrained,
                status=status,
                config=dict(run.config),
                data_config=dict(run.data_config),
                data_summary=dict(run.data_summary),
                dataset_id=run.dataset_id,
                current_epoch=run.current_epoch,
                total_epochs=run.total_epochs,
                current_batch=run.current_batch,
                total_batches=run.total_batches,
                progress=round(progress, 4),
                best_epoch=run.best_epoch,
                best_metrics=run.best_metrics,
                metrics_history=list(run.metrics_history or []),
                error=run.error or (job.error if job is not None and status == "failed" else None),
                job_id=run.job_id,
                created_by=run.created_by,
                created_at=run.created_at,
                started_at=run.started_at,
                finished_at=run.finished_at,
                model_count=counts.get(run.id, 0),
            )
        )
    return out


def run_out(session: Session, run: PrTrainingRun) -> RunOut:
    return describe(session, [run])[0]


def get_run(session: Session, run_id: int) -> RunOut:
    return run_out(session, require_run(session, run_id))


def list_runs(
    session: Session, *, statuses: Sequence[str] = (), limit: int = 50, cursor: str | None = None
) -> RunPage:
    """Newest first; `statuses` may be repeated or comma-separated."""
    check_limit(limit)
    wanted = [s.strip() for item in statuses for s in item.split(",") if s.strip()]
    for status in wanted:
        if status not in RUN_STATUSES:
            raise ValidationFailed.field("status", f"{status!r} is not one of {', '.join(RUN_STATUSES)}")
    filters: list[ColumnElement[bool]] = [PrTrainingRun.status.in_(wanted)] if wanted else []
    total = session.scalar(select(func.count()).select_from(PrTrainingRun).where(*filters))
    query = select(PrTrainingRun).where(*filters)
    if cursor:
        query = query.where(newest_first_after(cursor, PrTrainingRun.created_at, PrTrainingRun.id))
    rows = list(
        session.scalars(
            query.order_by(PrTrainingRun.created_at.desc(), PrTrainingRun.id.desc()).limit(limit + 1)
        )
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    return RunPage(items=describe(session, rows), next_cursor=next_cursor, total=total)


def list_images(
    session: Session, run_id: int, *, split: str | None = None, limit: int = 50, cursor: str | None = None
) -> TrainingImagePage:
    """The run's frozen list in id order, optionally one split."""
    check_limit(limit)
    require_run(session, run_id)
    if split is not None and split not in SPLITS:
        raise ValidationFailed.field("split", f"{split!r} is not one of {', '.join(SPLITS)}")
    filters: list[ColumnElement[bool]] = [PrTrainingImage.run_id == run_id]
    if split is not None:
        filters.append(PrTrainingImage.split == split)
    total = session.scalar(select(func.count()).select_from(PrTrainingImage).where(*filters))
    query = select(PrTrainingImage).where(*filters)
    if cursor:
        (after,) = decode_cursor(cursor, 1)
        query = query.where(PrTrainingImage.id > int(after))
    rows = list(session.scalars(query.order_by(PrTrainingImage.id).limit(limit + 1)))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return TrainingImagePage(
        items=[TrainingImageOut.model_validate(r) for r in rows[:limit]], next_cursor=next_cursor, total=total
    )


# ---- checkpoints --------------------------------------------------------------------------------------


def linked_models(session: Session, checkpoint_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    if checkpoint_ids:
        rows = session.execute(
            select(PrTrainedModel.checkpoint_id, PrTrainedModel.id)
            .where(PrTrainedModel.checkpoint_id.in_(list(checkpoint_ids)))
            .order_by(PrTrainedModel.id)
        )
        for checkpoint_id, model_id in rows:
            out[int(checkpoint_id or 0)].append(int(model_id))
    return out


def _checkpoint_out(row: PrCheckpoint, model_ids: list[int]) -> CheckpointOut:
    return CheckpointOut(
        id=row.id,
        run_id=row.run_id,
        epoch=row.epoch,
        size_bytes=row.size_bytes,
        metrics=dict(row.metrics or {}),
        is_best=row.is_best,
        created_at=row.created_at,
        model_ids=model_ids,
    )


def list_checkpoints(session: Session, run_id: int) -> list[CheckpointOut]:
    require_run(session, run_id)
    rows = list(
        session.scalars(
            select(PrCheckpoint).where(PrCheckpoint.run_id == run_id).order_by(PrCheckpoint.epoch)
        )
    )
    links = linked_models(session, [r.id for r in rows])
    return [_checkpoint_out(r, links.get(r.id, [])) for r in rows]


def require_checkpoint(session: Session, run_id: int, checkpoint_id: int) -> PrCheckpoint:
    row = session.get(PrCheckpoint, checkpoint_id)
    if row is None or row.run_id != run_id:
        raise NotFound(
            f"Training run {run_id} has no checkpoint {checkpoint_id}.",
            run_id=run_id,
            checkpoint_id=checkpoint_id,
        )
    return row


def delete_checkpoint(
    session: Session, storage: Storage, run_id: int, checkpoint_id: int, force: bool
) -> None:
    """Remove the checkpoint and its file. One a registered model came from needs `force` (the model
    keeps its own copy of the weights; its checkpoint link becomes empty). A live run's checkpoints stay
    (the worker resumes from them)."""
    run = require_run(session, run_id)
    row = require_checkpoint(session, run_id, checkpoint_id)
    if run.status in LIVE_STATUSES:
        raise Conflict(
            f"Training run {run_id} is {run.status}; cancel it before deleting its checkpoints.",
            run_id=run_id,
            status=run.status,
        )
    model_ids = linked_models(session, [row.id]).get(row.id, [])
    if model_ids and not force:
        raise Conflict(
            f"Checkpoint {checkpoint_id} (epoch {row.epoch}) is the source of registered model"
            f"{'s' if len(model_ids) > 1 else ''} {', '.join(map(str, model_ids))}; delete with force=true "
            "to remove it (the models keep their own copy of the weights).",
            checkpoint_id=checkpoint_id,
            model_ids=model_ids,
        )
    key = row.storage_key
    session.execute(
        update(PrTrainedModel).where(PrTrainedModel.checkpoint_id == row.id).values(checkpoint_id=None)
    )
    session.execute(
        update(PrEvaluation).where(PrEvaluation.checkpoint_id == row.id).values(checkpoint_id=None)
    )
    session.delete(row)
    session.commit()
    storage.delete(key)


# ---- cancel, resume, delete ---------------------------------------------------------------------------


def cancel_run(session: Session, runner: JobRunner, run_id: int, user_id: int | None) -> RunEnvelope:
    """A queued run is cancelled at once; a running one is flagged and stops at its next batch (its
    checkpoints are kept, so it can be resumed)."""
    run = require_run(session, run_id)
    if run.status not in LIVE_STATUSES:
        raise Conflict(
            f"Training run {run_id} is already {run.status}; only a queued or running run can be cancelled.",
            run_id=run_id,
            status=run.status,
        )
    job = session.get(Job, run.job_id) if run.job_id is not None else None
    if job is not None and job.status in ("queued", "running"):
        job = jobs.cancel_job(session, runner, job.id, user_id)
    session.refresh(run)
    if run.status == "queued" and (job is None or job.status == "cancelled"):
        run.status = "cancelled"
        run.finished_at = utcnow()
        session.commit()
        session.refresh(run)
    return RunEnvelope(run=run_out(session, run), job=JobOut.model_validate(job) if job is not None else None)


def resume_run(
    session: Session, runner: JobRunner, storage: Storage, run_id: int, body: ResumeIn, user_id: int | None
) -> ResumeOut:
    """Train on from a checkpoint (the latest by default) to the run's total epochs (or a new total):
    the checkpoints after it are removed (they belong to the path not taken) and a new job is queued."""
    run = require_run(session, run_id)
    if run.status in LIVE_STATUSES:
        raise Conflict(
            f"Training run {run_id} is {run.status}; it cannot be resumed.", run_id=run_id, status=run.status
        )
    if body.checkpoint_id is not None:
        start = session.get(PrCheckpoint, body.checkpoint_id)
        if start is None or start.run_id != run_id:
            raise ValidationFailed.field(
                "checkpoint_id", f"run {run_id} has no checkpoint {body.checkpoint_id}"
            )
    else:
        start = session.scalars(
            select(PrCheckpoint)
            .where(PrCheckpoint.run_id == run_id)
            .order_by(PrCheckpoint.epoch.desc())
            .limit(1)
        ).first()
        if start is None:
            raise ValidationFailed.field("checkpoint_id", f"run {run_id} has no checkpoint to resume from")
    total = body.epochs if body.epochs is not None else run.total_epochs
    remaining = total - start.epoch
    if remaining < 1:
        field = "epochs" if body.epochs is not None else "checkpoint_id"
        raise ValidationFailed.field(
            field,
            f"checkpoint {start.id} is epoch {start.epoch} of {total}: no epochs remain "
            "(ask for more with `epochs`)",
        )
    later = list(
        session.scalars(
            select(PrCheckpoint).where(PrCheckpoint.run_id == run_id, PrCheckpoint.epoch > start.epoch)
        )
    )
    links = linked_models(session, [c.id for c in later])
    if links:
        model_ids = sorted(m for ids in links.values() for m in ids)
        raise Conflict(
            f"Resuming from epoch {start.epoch} would remove later checkpoints that registered models "
            f"{', '.join(map(str, model_ids))} came from; resume from the latest checkpoint instead.",
            model_ids=model_ids,
        )
    later_keys = [c.storage_key for c in later]
    for row in later:
        session.execute(
            update(PrEvaluation).where(PrEvaluation.checkpoint_id == row.id).values(checkpoint_id=None)
        )
        session.delete(row)
    session.flush()
    best = _best_checkpoint(session, run_id)
    for row in session.scalars(select(PrCheckpoint).where(PrCheckpoint.run_id == run_id)):
        row.is_best = best is not None and row.id == best.id
    run.status = "queued"
    run.error = None
    run.finished_at = None
    run.total_epochs = total
    run.current_epoch = start.epoch
    run.current_batch = 0
    run.config = dict(run.config) | {"epochs": total}
    run.metrics_history = [r for r in run.metrics_history or [] if int(r.get("epoch", 0)) <= start.epoch]
    run.best_epoch = best.epoch if best else None
    run.best_metrics = dict(best.metrics) if best else None
    session.flush()
    envelope = _queue(session, runner, run_id, user_id)
    for key in later_keys:
        storage.delete(key)
    return ResumeOut(
        run=envelope.run,
        job=envelope.job,
        remaining_epochs=remaining,
        checkpoint_id=start.id,
        start_epoch=start.epoch + 1,
    )


def _best_checkpoint(session: Session, run_id: int) -> PrCheckpoint | None:
    rows = list(session.scalars(select(PrCheckpoint).where(PrCheckpoint.run_id == run_id)))
    scored = [r for r in rows if (r.metrics or {}).get("val_recall_at_1") is not None]
    if not scored:
        return None
    return max(
        scored,
        key=lambda r: (
            float(r.metrics["val_recall_at_1"]),
            float(r.metrics.get("val_map_at_r") or 0),
            -r.epoch,
        ),
    )


def delete_run(session: Session, storage: Storage, run_id: int, force: bool) -> None:
    """Remove a finished run with its image list, checkpoints (files too) and evaluations. A live run
    must be cancelled first; one that registered models needs `force` (the models stay, unlinked)."""
    run = require_run(session, run_id)
    if run.status in LIVE_STATUSES:
        raise Conflict(
            f"Training run {run_id} is {run.status}; cancel it first.", run_id=run_id, status=run.status
        )
    model_ids = [
        int(m)
        for m in session.scalars(
            select(PrTrainedModel.id).where(PrTrainedModel.run_id == run_id).order_by(PrTrainedModel.id)
        )
    ]
    if model_ids and not force:
        raise Conflict(
            f"Training run {run_id} registered model{'s' if len(model_ids) > 1 else ''} "
            f"{', '.join(map(str, model_ids))}; delete with force=true to remove the run and keep the "
            "models.",
            run_id=run_id,
            model_ids=model_ids,
        )
    session.execute(
        update(PrTrainedModel).where(PrTrainedModel.run_id == run_id).values(run_id=None, checkpoint_id=None)
    )
    session.execute(delete(PrTrainingImage).where(PrTrainingImage.run_id == run_id))
    session.delete(run)
    session.commit()
    # Every checkpoint file is under the run's prefix (checkpoint_key), listed ones and strays alike.
    for key in list(storage.iter_keys(checkpoint_prefix(run_id))):
        storage.delete(key)


def close_orphaned(db: Database) -> list[int]:
    """Live runs whose job is failed or cancelled: closed with the job's status and error."""
    return jobs.close_runs_of_ended_jobs(db, PrTrainingRun, LIVE_STATUSES)

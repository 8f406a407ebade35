"""Training runs: start (every refusal before anything is stored), list, read, cancel or delete, and
the run's metrics and log. The run itself is the `od.training.run` job (jobs.py, execute.py)."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job, JobEvent
from shelfscope.jobs.schemas import JobOut, LogOut, LogPage
from shelfscope.ml.trainers.catalogue import ARCHITECTURES, Architecture, get_architecture
from shelfscope.ml.weights import is_present, model_dir
from shelfscope.od.datasets.models import Dataset
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.trainers import service as trainers_service
from shelfscope.od.training.models import TrainingRun
from shelfscope.od.training.schemas import (
    DEFAULTS,
    LIVE_STATUSES,
    PRESETS,
    RUN_KIND,
    RUN_STATUSES,
    ArchitectureOut,
    EpochRow,
    EstimateOut,
    RunConfig,
    RunConfigIn,
    RunEnvelope,
    RunIn,
    RunMetrics,
    RunOut,
    RunPage,
    RunPayload,
    StepPoint,
    UserRef,
)
from shelfscope.od.versions.models import DatasetVersion
from shelfscope.pagination import check_limit, encode_cursor, newest_first_after
from shelfscope.storage import Storage

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

CHECKPOINT_AREA = "training"


# ---- architectures ----------------------------------------------------------------------------------


def availability(settings: Settings, arch: Architecture) -> tuple[bool, str | None]:
    """Whether a worker can train `arch` here, and why not. Torch-free: only looks for the family's
    module (and, for a separate environment, asks the trainers package whether it is installed)."""
    module = f"shelfscope.ml.trainers.{arch.family.replace('-', '_')}"
    if importlib.util.find_spec(module) is None:
        return False, f"the {arch.family} trainer is not part of this installation"
    if arch.separate_env:
        ready, reason = _separate_env_ready(settings, arch.family)
        if not ready:
            return False, reason
    return True, None


def _separate_env_ready(settings: Settings, family: str) -> tuple[bool, str]:
    if not trainers_service.is_installed(settings, family):
        return False, f"its environment is not installed; run `shelfscope trainers install {family}`"
    return True, ""


def list_architectures(settings: Settings) -> list[ArchitectureOut]:
    out = []
    for arch in ARCHITECTURES:
        available, reason = availability(settings, arch)
        out.append(
            ArchitectureOut(
                key=arch.key,
                title=arch.title,
                family=arch.family,
                size=arch.size,
                default_image_size=arch.default_image_size,
                size_multiple=arch.size_multiple,
                params_m=arch.params_m,
                weights_licence=arch.weights_licence,
                note=arch.note,
                available=available,
                unavailable_reason=reason,
            )
        )
    return out


# ---- starting ---------------------------------------------------------------------------------------


def resolve_config(arch: Architecture, given: RunConfigIn) -> RunConfig:
    """Defaults <- preset <- what the request set; the image size checked against the backbone."""
    values: dict[str, Any] = dict(DEFAULTS)
    values["image_size"] = arch.default_image_size
    values["pretrained"] = arch.family != "yolo-nas"
    if given.preset:
        values.update(PRESETS[given.preset])
    for name in given.model_fields_set:
        value = getattr(given, name)
        if value is not None or name == "patience":
            values[name] = value
    values["preset"] = given.preset
    size = int(values["image_size"])
    if size % arch.size_multiple:
        raise ValidationFailed.field(
            "config.image_size",
            f"{size} is not a multiple of {arch.size_multiple}, which {arch.title} needs "
            f"(try {max(arch.size_multiple, round(size / arch.size_multiple) * arch.size_multiple)})",
        )
    return RunConfig.model_validate(values)


def _check_version(session: Session, settings: Settings, version_id: int) -> DatasetVersion:
    field = "dataset_version_id"
    version = session.get(DatasetVersion, version_id)
    if version is None:
        raise ValidationFailed.field(field, f"dataset version {version_id} does not exist")
    if version.status != "ready":
        raise Conflict(
            f"Version {version.number} is {version.status}; only a ready version can be trained on.",
            dataset_version_id=version_id,
            status=version.status,
        )
    counts = version.counts or {}
    images = counts.get("images") or {}
    if not int(images.get("val", 0)):
        raise ValidationFailed.field(
            field, "the version has no val images; validation needs some (create a version with a val split)"
        )
    if not int(counts.get("total_annotations", 0)):
        raise ValidationFailed.field(field, "the version has no boxes to learn from")
    train = int(images.get("train", 0))
    if train < settings.training_min_images:
        raise ValidationFailed.field(
            field,
            f"the version has {train} train images; training needs at least {settings.training_min_images}",
        )
    return version


def _check_init_model(session: Session, model_id: int | None, arch: Architecture) -> None:
    if model_id is None:
        return
    model = session.get(TrainedModel, model_id)
    if model is None:
        raise ValidationFailed.field("config.init_model_id", f"model {model_id} does not exist")
    if model.base_model != arch.key:
        raise ValidationFailed.field(
            "config.init_model_id",
            f"model {model_id} is a {model.base_model}; fine-tuning needs the same architecture ({arch.key})",
        )


def _check_weights(settings: Settings, arch: Architecture, config: RunConfig) -> None:
    """Pretrained weights that are neither in the models folder nor fetchable (offline): refused now
    rather than failing in the worker."""
    if not config.pretrained or config.init_model_id is not None or not settings.ml_offline:
        return
    folder = model_dir(settings, arch.weights_key)
    if not is_present(folder):
        raise Conflict(
            f"The pretrained weights of {arch.title} are not installed and this installation is offline: "
            f"copy them to {folder}, or train from scratch (config.pretrained: false).",
            architecture=arch.key,
            folder=str(folder),
        )


def start_run(
    session: Session, runner: JobRunner, settings: Settings, body: RunIn, user_id: int | None
) -> RunEnvelope:
    """Validate everything, then store the run and queue its job (nothing is stored on a refusal)."""
    arch = get_architecture(body.architecture)
    config = resolve_config(arch, body.config)
    version = _check_version(session, settings, body.dataset_version_id)
    _check_init_model(session, config.init_model_id, arch)
    available, reason = availability(settings, arch)
    if not available:
        raise Conflict(f"{arch.title} cannot be trained here: {reason}.", architecture=arch.key)
    _check_weights(settings, arch, config)
    dataset = session.get(Dataset, version.dataset_id)
    name = body.name or f"{arch.title} on {dataset.name if dataset else 'dataset'} v{version.number}"
    run = TrainingRun(
        name=name,
        dataset_id=version.dataset_id,
        dataset_version_id=version.id,
        base_model=arch.key,
        family=arch.family,
        config=config.model_dump(mode="json"),
        status="queued",
        total_epochs=config.epochs,
        created_by=user_id,
    )
    session.add(run)
    session.flush()
    run_id = run.id
    try:
        job = jobs.submit_job(session, runner, RUN_KIND, RunPayload(run_id=run_id).model_dump(), user_id)
    except Exception:
        failed = session.get(TrainingRun, run_id)
        if failed is not None:
            failed.status = "failed"
            failed.error = "its job could not be queued"
            session.commit()
        raise
    run = session.get(TrainingRun, run_id) or run
    run.job_id = job.id
    session.commit()
    return RunEnvelope(run=run_out(session, run), job=JobOut.model_validate(job))


# ---- reading ----------------------------------------------------------------------------------------


def require_run(session: Session, run_id: int) -> TrainingRun:
    run = session.get(TrainingRun, run_id)
    if run is None:
        raise NotFound(f"Training run {run_id} does not exist.", run_id=run_id)
    return run


def _epoch_row(item: dict[str, Any]) -> EpochRow:
    return EpochRow.model_validate(
        {k: item.get(k) for k in EpochRow.model_fields} | {"seconds": item.get("seconds", 0)}
    )


def _eta(run: TrainingRun) -> float | None:
    if run.status not in LIVE_STATUSES or not run.metrics_history:
        return None
    seconds = [float(e.get("seconds") or 0) for e in run.metrics_history]
    left = max(0, run.total_epochs - run.current_epoch)
    return round(sum(seconds) / len(seconds) * left, 1)


def run_out(session: Session, run: TrainingRun, *, with_test: bool = False) -> RunOut:
    dataset = session.get(Dataset, run.dataset_id) if run.dataset_id else None
    version = session.get(DatasetVersion, run.dataset_version_id)
    job = session.get(Job, run.job_id) if run.job_id else None
    user = session.get(User, run.created_by) if run.created_by else None
    model_id = session.scalar(
        select(TrainedModel.id)
        .where(TrainedModel.training_run_id == run.id)
        .order_by(TrainedModel.id)
        .limit(1)
    )
    status = run.status
    if status in LIVE_STATUSES and job is not None and job.status in ("failed", "cancelled"):
        # The job ended without its handler closing the run (its worker died on the last attempt, or
        # it was stopped after the cancel grace).
        status = job.status
    progress = 1.0 if status == "succeeded" else float(job.progress) if job else 0.0
    history = run.metrics_history or []
    return RunOut(
        id=run.id,
        name=run.name,
        status=status,
        architecture=run.base_model,
        family=run.family,
        dataset_id=run.dataset_id,
        dataset_name=dataset.name if dataset else None,
        dataset_version_id=run.dataset_version_id,
        version_number=version.number if version else None,
        config=dict(run.config),
        current_epoch=run.current_epoch,
        total_epochs=run.total_epochs,
        progress=progress,
        eta_s=_eta(run),
        best_epoch=run.best_epoch,
        best_metrics=run.best_metrics,
        latest=_epoch_row(history[-1]) if history else None,
        job_id=run.job_id,
        model_id=model_id,
        error=run.error or (job.error if job is not None and status == "failed" else None),
        created_by=UserRef(id=user.id, username=user.username) if user else None,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        test_metrics=run.test_metrics if with_test else None,
    )


def get_run(session: Session, run_id: int) -> RunOut:
    return run_out(session, require_run(session, run_id), with_test=True)


def list_runs(
    session: Session,
    *,
    statuses: Sequence[str] = (),
    dataset_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> RunPage:
    check_limit(limit)
    wanted = [s.strip() for item in statuses for s in item.split(",") if s.strip()]
    for status in wanted:
        if status not in RUN_STATUSES:
            raise ValidationFailed.field("status", f"{status!r} is not one of {', '.join(RUN_STATUSES)}")
    filters: list[ColumnElement[bool]] = []
    if wanted:
        filters.append(TrainingRun.status.in_(wanted))
    if dataset_id is not None:
        filters.append(TrainingRun.dataset_id == dataset_id)
    total = session.scalar(select(func.count()).select_from(TrainingRun).where(*filters))
    query = select(TrainingRun).where(*filters)
    if cursor:
        query = query.where(newest_first_after(cursor, TrainingRun.created_at, TrainingRun.id))
    rows = list(
        session.scalars(query.order_by(TrainingRun.created_at.desc(), TrainingRun.id.desc()).limit(limit + 1))
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    return RunPage(items=[run_out(session, r) for r in rows], next_cursor=next_cursor, total=total)


def run_metrics(session: Session, run_id: int) -> RunMetrics:
    """Epoch rows from the run; per-step points from its job's throttled `train/loss` and `lr` metrics."""
    run = require_run(session, run_id)
    epochs = [_epoch_row(item) for item in run.metrics_history or []]
    steps: list[StepPoint] = []
    if run.job_id is not None:
        rows = session.execute(
            select(JobEvent.name, JobEvent.value, JobEvent.step, JobEvent.at)
            .where(
                JobEvent.job_id == run.job_id,
                JobEvent.type == "metric",
                JobEvent.name.in_(("train/loss", "lr")),
            )
            .order_by(JobEvent.id)
        ).all()
        lr_at: dict[int, float | None] = {
            int(r.step): r.value for r in rows if r.name == "lr" and r.step is not None
        }
        per_epoch = max(1, run.steps_per_epoch)
        for r in rows:
            if r.name != "train/loss" or r.step is None:
                continue
            step = int(r.step)
            steps.append(
                StepPoint(
                    epoch=(step - 1) // per_epoch + 1, step=step, loss=r.value, lr=lr_at.get(step), at=r.at
                )
            )
    return RunMetrics(epochs=epochs, steps=steps)


def run_logs(session: Session, run_id: int, after: int, limit: int) -> LogPage:
    run = require_run(session, run_id)
    if run.job_id is None:
        return LogPage(items=[], next_cursor=None, total=0)
    page = jobs.list_events(session, run.job_id, "log", limit=limit, after_id=after)
    return LogPage(
        items=[LogOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor, total=page.total
    )


# ---- cancelling and deleting ------------------------------------------------------------------------


def delete_run(
    session: Session, runner: JobRunner, storage: Storage, run_id: int, force: bool, user_id: int | None
) -> RunOut | None:
    """A live run: cancel requested (its best checkpoint is kept), the run returned. A finished one:
    removed with its checkpoints (None); one that registered a model only with `force` (the model stays)."""
    run = require_run(session, run_id)
    if run.status in LIVE_STATUSES:
        if run.job_id is not None:
            job = session.get(Job, run.job_id)
            if job is not None and job.status in ("queued", "running"):
                jobs.cancel_job(session, runner, run.job_id, user_id)
        session.refresh(run)
        if run.status == "queued":
            job = session.get(Job, run.job_id) if run.job_id else None
            if job is None or job.status == "cancelled":
                run.status = "cancelled"
                run.finished_at = utcnow()
                session.commit()
                session.refresh(run)
        return run_out(session, run)
    model_id = session.scalar(select(TrainedModel.id).where(TrainedModel.training_run_id == run.id).limit(1))
    if model_id is not None and not force:
        raise Conflict(
            f"Run {run_id} registered model {model_id}; delete with force=true to remove the run and keep "
            "the model.",
            model_id=model_id,
            run_id=run_id,
        )
    for model in session.scalars(select(TrainedModel).where(TrainedModel.training_run_id == run.id)):
        model.training_run_id = None
    session.delete(run)
    session.commit()
    remove_checkpoints(storage, run_id)
    return None


def checkpoint_prefix(run_id: int) -> str:
    return f"{CHECKPOINT_AREA}/{run_id}/"


def remove_checkpoints(storage: Storage, run_id: int) -> None:
    for key in list(storage.iter_keys(checkpoint_prefix(run_id))):
        storage.delete(key)


def close_orphaned(db: Database) -> list[int]:
    """Live runs whose job is failed or cancelled: closed with the job's status and error."""
    return jobs.close_runs_of_ended_jobs(db, TrainingRun, LIVE_STATUSES)


# ---- estimate ---------------------------------------------------------------------------------------

# Rough seconds per training image at 640 px per million parameters (forward, backward and the val
# pass): measured on the 2-core CPU this was written on, and a guess for a mid-range GPU.
_SECONDS_PER_IMAGE_PER_MPARAM = {"cpu": 0.05, "cuda": 0.0004, "mps": 0.004}


def estimate(
    session: Session,
    settings: Settings,
    version_id: int,
    architecture: str,
    epochs: int,
    image_size: int | None,
    batch_size: int,
    device: str = "auto",
) -> EstimateOut:
    arch = get_architecture(architecture)
    version = session.get(DatasetVersion, version_id)
    if version is None:
        raise ValidationFailed.field("dataset_version_id", f"dataset version {version_id} does not exist")
    images = (version.counts or {}).get("images") or {}
    train, val = int(images.get("train", 0)), int(images.get("val", 0))
    size = image_size or arch.default_image_size
    kind = device.split(":")[0] if device != "auto" else settings.ml_device
    kind = "cpu" if kind == "auto" else kind
    per_image = _SECONDS_PER_IMAGE_PER_MPARAM.get(kind, 0.05) * arch.params_m * (size / 640) ** 2
    # Bigger batches use the hardware a little better; validation costs about a third of training.
    batch_gain = 1.0 / (1.0 + 0.1 * min(batch_size - 1, 15))
    seconds = epochs * (train * per_image * batch_gain + val * per_image / 3)
    return EstimateOut(seconds=round(seconds, 1), images_per_epoch=train, device=kind)

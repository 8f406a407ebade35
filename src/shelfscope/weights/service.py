"""Model weights: the catalogue with what is installed, starting a fetch job, deleting a model, and
importing a save_pretrained folder from this machine (the offline path)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.jobs.models import Job
from shelfscope.jobs.schemas import JobOut
from shelfscope.jobs.service import submit_job
from shelfscope.ml.catalogue import CATALOGUE, ModelSpec, get_spec
from shelfscope.ml.weights import is_present, model_dir, size_on_disk
from shelfscope.od.trained_models import service as registry
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.trained_models.schemas import trained_key
from shelfscope.weights.download import hub_token, offline_refusal
from shelfscope.weights.folders import (
    count_files,
    import_staging,
    install,
    missing_parts,
    model_lock,
    remove_model,
    remove_path,
)
from shelfscope.weights.schemas import FETCH_KIND, FetchPayload, FetchResult, ModelOut

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

_ACTIVE = ("queued", "running")


def active_fetches(session: Session) -> dict[str, Job]:
    """The queued or running fetch job of each model key (the newest, if there are several)."""
    rows = session.scalars(
        select(Job).where(Job.kind == FETCH_KIND, Job.status.in_(_ACTIVE)).order_by(Job.id)
    )
    return {str(job.payload.get("key")): job for job in rows}


def describe(settings: Settings, spec: ModelSpec, fetch_job: Job | None) -> ModelOut:
    folder = model_dir(settings, spec.key)
    return ModelOut(
        key=spec.key,
        title=spec.title,
        task=spec.task,
        family=spec.family,
        hub_id=spec.hub_id,
        size_mb=spec.size_mb,
        licence=spec.licence,
        capabilities=list(spec.capabilities),
        note=spec.note,
        gated=spec.gated,
        present=is_present(folder),
        size_on_disk=size_on_disk(folder),
        folder=str(folder),
        fetch_job=JobOut.model_validate(fetch_job) if fetch_job is not None else None,
    )


def list_models(session: Session, settings: Settings, *, include_trained: bool = False) -> list[ModelOut]:
    """The catalogue; with `include_trained`, the registry's active models too (as the AI model picker
    lists them): the annotation default first, then the catalogue, then the other trained models."""
    fetching = active_fetches(session)
    catalogue = [describe(settings, spec, fetching.get(spec.key)) for spec in CATALOGUE]
    if not include_trained:
        return catalogue
    trained = [_trained_entry(row) for row in registry.active_models(session)]
    default = [m for m in trained if m.is_default]
    return [*default, *catalogue, *(m for m in trained if not m.is_default)]


def _trained_entry(row: TrainedModel) -> ModelOut:
    classes = [str(entry["name"]) for entry in row.class_mapping]
    return ModelOut(
        key=trained_key(row.id),
        title=row.name,
        task="detector",
        family=row.family,
        hub_id="",
        size_mb=round(row.artifact_size / 1e6),
        licence="",
        capabilities=["fixed_classes"],
        note=f"Trained {row.base_model} ({len(classes)} classes: {', '.join(classes[:10])})",
        present=True,
        size_on_disk=row.artifact_size,
        folder="",
        fetch_job=None,
        source="trained",
        is_default=row.is_default,
        classes=classes,
    )


def start_fetch(
    session: Session, runner: JobRunner, settings: Settings, key: str, user_id: int | None
) -> Job:
    """A job that downloads the model; the one already queued or running for it, if there is one."""
    spec = get_spec(key)
    if settings.ml_offline:
        raise offline_refusal(settings, spec)
    hub_token(settings, spec)
    folder = model_dir(settings, spec.key)
    if is_present(folder):
        raise Conflict(
            f"Model {spec.key!r} is already installed in {folder}. Delete it first to download it again.",
            model=spec.key,
            folder=str(folder),
        )
    running = active_fetches(session).get(spec.key)
    if running is not None:
        return running
    payload = FetchPayload(key=spec.key)
    return submit_job(session, runner, FETCH_KIND, payload.model_dump(mode="json"), user_id)


def delete_model(settings: Settings, key: str) -> None:
    """Remove the model's folder (complete or not); NotFound when there is none."""
    spec = get_spec(key)
    folder = model_dir(settings, spec.key)
    if not (folder.exists() or folder.is_symlink()):
        raise NotFound(f"Model {spec.key!r} is not installed: there is no folder {folder}.", model=spec.key)
    with model_lock(settings.resolved_models_dir, spec.key):
        remove_model(folder)


def import_model(settings: Settings, key: str, source: Path, *, replace: bool = False) -> FetchResult:
    """Copy a save_pretrained folder into the model's place: copied to a staging folder beside it
    first, then renamed in, so an interrupted copy never counts as installed."""
    spec = get_spec(key, field="key")
    source = source.expanduser()
    if not source.is_dir():
        raise ValidationFailed.field("folder", f"{source} is not a folder")
    missing = missing_parts(source)
    if missing:
        raise ValidationFailed(
            f"{source} is not a save_pretrained model folder: it lacks {' and '.join(missing)}.",
            fields=[{"field": "folder", "message": f"missing {', '.join(missing)}"}],
            folder=str(source),
            missing=missing,
        )
    target = model_dir(settings, spec.key)
    if source.resolve() == target.resolve():
        raise ValidationFailed.field("folder", f"{source} is already the folder of model {spec.key!r}")
    with model_lock(settings.resolved_models_dir, spec.key):
        if is_present(target) and not replace:
            raise Conflict(
                f"Model {spec.key!r} is already installed in {target}; pass --replace to overwrite it.",
                model=spec.key,
                folder=str(target),
            )
        staging = import_staging(settings.resolved_models_dir, spec.key)
        try:
            shutil.copytree(source, staging, symlinks=False)
            install(staging, target)
        except BaseException:
            remove_path(staging)
            raise
    return FetchResult(
        key=spec.key,
        hub_id=spec.hub_id,
        folder=str(target),
        files=count_files(target),
        size_on_disk=size_on_disk(target),
    )

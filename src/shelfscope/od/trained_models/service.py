"""The model registry: registering a trained model folder, listing, editing, the one annotation default,
deleting, and starting inference and export jobs (torch-free: the jobs hold the ML).

A model's row keeps its class mapping (model class index -> dataset class id), metrics and input size;
its files live in storage under `models/od/<id>/` (artifacts.py). At most one model is the default for
AI annotation: set-default clears the others in the same transaction, and a partial unique index keeps
it so under concurrent requests. The default cannot be deleted or deactivated: make another the default
first."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.jobs import interactive
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.ml.trainers.base import ModelManifest
from shelfscope.ml.trainers.catalogue import get_architecture
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.service import find_classes
from shelfscope.od.datasets.models import Dataset
from shelfscope.od.images.decode import inspect_image
from shelfscope.od.images.models import Image
from shelfscope.od.trained_models import artifacts
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.trained_models.schemas import (
    COMPARE_MAX,
    COMPARE_MIN,
    EXPORT_KIND,
    INFERENCE_KIND,
    TRAINED_PREFIX,
    ClassEntry,
    CompareClass,
    CompareOut,
    ExportFormat,
    ExportPayload,
    InferenceOut,
    InferencePayload,
    ModelOut,
    ModelPatch,
    OnnxInfo,
    UserRef,
    trained_key,
)
from shelfscope.od.versions.models import DatasetVersion
from shelfscope.pagination import Page, check_limit, encode_cursor, newest_first_after
from shelfscope.storage import Storage, new_key

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

log = logging.getLogger(__name__)


# --- registering (the training run's last step; tests use it directly) --------------------------------


def register_model(
    session: Session,
    storage: Storage,
    folder: Path,
    *,
    name: str,
    class_mapping: Sequence[dict[str, Any]],
    training_run_id: int | None = None,
    dataset_id: int | None = None,
    dataset_version_id: int | None = None,
    metrics: dict[str, Any] | None = None,
    description: str = "",
    created_by: int | None = None,
) -> TrainedModel:
    """Store `folder` (a trainer's inference folder with its manifest) as a new model row (flushed; the
    caller commits, and on a failed commit removes the files with `artifacts.delete_stored`). The
    mapping gives every manifest class, by index, its dataset class."""
    manifest = ModelManifest.read(folder)
    architecture = get_architecture(manifest.architecture)
    mapping = [ClassEntry.model_validate(entry) for entry in class_mapping]
    if [entry.index for entry in mapping] != list(range(len(manifest.classes))):
        raise ValidationFailed.field(
            "class_mapping",
            f"must list indices 0..{len(manifest.classes) - 1} in order, one per class of the model",
        )
    if dataset_version_id is not None and dataset_id is None:
        version = session.get(DatasetVersion, dataset_version_id)
        dataset_id = version.dataset_id if version is not None else None
    row = TrainedModel(
        name=name[:255],
        description=description,
        training_run_id=training_run_id,
        base_model=architecture.key,
        family=architecture.family,
        dataset_id=dataset_id,
        dataset_version_id=dataset_version_id,
        artifact_key="",
        artifact_size=0,
        artifact_format="pytorch",
        input_size=manifest.input_size,
        class_mapping=[entry.model_dump() for entry in mapping],
        metrics=metrics or {},
        is_active=True,
        is_default=False,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    size = artifacts.store_folder(storage, folder, row.id)
    try:
        row.artifact_key = artifacts.prefix(row.id)
        row.artifact_size = size
        session.flush()
    except BaseException:
        artifacts.delete_stored(storage, row.id)
        raise
    return row


# --- reading --------------------------------------------------------------------------------------


def get_model(session: Session, model_id: int) -> TrainedModel:
    row = session.get(TrainedModel, model_id)
    if row is None:
        raise NotFound(f"There is no model {model_id}.", model_id=model_id)
    return row


def _lookup(session: Session, key: Any, value: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {int(k): v for k, v in session.execute(select(key, value).where(key.in_(ids)))}


def describe(session: Session, rows: Sequence[TrainedModel]) -> list[ModelOut]:
    """The API shape of each row; datasets, versions and users looked up once for all of them."""
    dataset_ids = {r.dataset_id for r in rows if r.dataset_id is not None}
    version_ids = {r.dataset_version_id for r in rows if r.dataset_version_id is not None}
    user_ids = {r.created_by for r in rows if r.created_by is not None}
    datasets = _lookup(session, Dataset.id, Dataset.name, dataset_ids)
    versions = _lookup(session, DatasetVersion.id, DatasetVersion.number, version_ids)
    users = _lookup(session, User.id, User.username, user_ids)
    return [
        ModelOut(
            id=r.id,
            name=r.name,
            description=r.description,
            architecture=r.base_model,
            family=r.family,
            key=trained_key(r.id),
            training_run_id=r.training_run_id,
            dataset_id=r.dataset_id,
            dataset_name=datasets.get(r.dataset_id) if r.dataset_id is not None else None,
            dataset_version_id=r.dataset_version_id,
            version_number=versions.get(r.dataset_version_id) if r.dataset_version_id is not None else None,
            input_size=r.input_size,
            classes=[ClassEntry.model_validate(c) for c in r.class_mapping],
            metrics=r.metrics or {},
            artifact_size=r.artifact_size,
            is_active=r.is_active,
            is_default=r.is_default,
            onnx=OnnxInfo.model_validate(r.onnx) if r.onnx else None,
            created_by=UserRef(id=r.created_by, username=users[r.created_by])
            if r.created_by is not None and r.created_by in users
            else None,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


def model_out(session: Session, row: TrainedModel) -> ModelOut:
    return describe(session, [row])[0]


def _filtered(architecture: str | None, family: str | None, active: bool | None) -> Select[Any]:
    stmt = select(TrainedModel)
    if architecture is not None:
        stmt = stmt.where(TrainedModel.base_model == get_architecture(architecture).key)
    if family is not None:
        stmt = stmt.where(TrainedModel.family == family)
    if active is not None:
        stmt = stmt.where(TrainedModel.is_active == active)
    return stmt


def list_models(
    session: Session,
    *,
    architecture: str | None = None,
    family: str | None = None,
    active: bool | None = None,
    limit: int,
    cursor: str | None = None,
) -> Page[ModelOut]:
    """Newest first, keyset-paged on (created_at, id)."""
    check_limit(limit)
    stmt = _filtered(architecture, family, active)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if cursor:
        stmt = stmt.where(newest_first_after(cursor, TrainedModel.created_at, TrainedModel.id))
    rows: list[TrainedModel] = list(
        session.scalars(
            stmt.order_by(TrainedModel.created_at.desc(), TrainedModel.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id]) if more and rows else None
    return Page(items=describe(session, rows), next_cursor=next_cursor, total=int(total))


def compare(session: Session, ids: Sequence[int]) -> CompareOut:
    """2 to 5 models side by side, with each class's AP per model (from their test metrics)."""
    unique = list(dict.fromkeys(ids))
    if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
        raise ValidationFailed.field("ids", f"give {COMPARE_MIN} to {COMPARE_MAX} distinct model ids")
    rows = {r.id: r for r in session.scalars(select(TrainedModel).where(TrainedModel.id.in_(unique)))}
    missing = [i for i in unique if i not in rows]
    if missing:
        raise NotFound(f"There is no model {', '.join(map(str, missing))}.", model_ids=missing)
    ordered = [rows[i] for i in unique]
    classes: dict[int, CompareClass] = {}
    for row in ordered:
        for entry in row.class_mapping:
            if entry.get("class_id") is None:
                continue
            class_id = int(entry["class_id"])
            classes.setdefault(
                class_id,
                CompareClass(
                    class_id=class_id,
                    name=str(entry["name"]),
                    ap50={i: None for i in unique},
                    ap50_95={i: None for i in unique},
                ),
            )
        for per_class in (row.metrics or {}).get("per_class", []) or []:
            found = classes.get(int(per_class.get("class_id", -1)))
            if found is not None:
                found.ap50[row.id] = per_class.get("ap50")
                found.ap50_95[row.id] = per_class.get("ap50_95")
    return CompareOut(models=describe(session, ordered), classes=list(classes.values()))


# --- writing --------------------------------------------------------------------------------------


def update_model(session: Session, model_id: int, patch: ModelPatch) -> ModelOut:
    row = get_model(session, model_id)
    changes = patch.model_dump(exclude_unset=True)
    for field in ("name", "is_active"):
        if field in changes and changes[field] is None:
            raise ValidationFailed.field(field, "may not be null")
    if changes.get("is_active") is False and row.is_default:
        raise Conflict(
            f"Model {row.id} ({row.name}) is the default for AI annotation; make another model the "
            "default before deactivating it.",
            model_id=row.id,
            name=row.name,
            field="is_active",
        )
    if "name" in changes:
        name = " ".join(str(changes["name"]).split())
        if not name:
            raise ValidationFailed.field("name", "must not be blank")
        row.name = name
    if "description" in changes:
        row.description = changes["description"] or ""
    if "is_active" in changes:
        row.is_active = bool(changes["is_active"])
    session.commit()
    return model_out(session, row)


def set_default(session: Session, model_id: int) -> ModelOut:
    """Make the model the one default for AI annotation (the others cleared in the same transaction)."""
    row = get_model(session, model_id)
    if not row.is_active:
        raise Conflict(
            f"Model {row.id} ({row.name}) is not active; activate it before making it the default.",
            model_id=row.id,
        )
    session.execute(
        update(TrainedModel)
        .where(TrainedModel.is_default.is_(True), TrainedModel.id != row.id)
        .values(is_default=False)
        .execution_options(synchronize_session=False)
    )
    row.is_default = True
    session.commit()
    session.refresh(row)
    return model_out(session, row)


def delete_model(session: Session, settings: Settings, storage: Storage, model_id: int) -> None:
    """Delete the row, then its stored files. The annotation default is refused (409) unchanged."""
    row = get_model(session, model_id)
    if row.is_default:
        raise Conflict(
            f"Model {row.id} ({row.name}) is the default for AI annotation; make another model the "
            "default first.",
            model_id=row.id,
            name=row.name,
        )
    session.delete(row)
    session.commit()
    try:
        artifacts.delete_files(settings, storage, model_id)
    except Exception:  # the row is gone; leftover files are only space, and named in the log
        log.exception(
            "model %s deleted, but removing its files under %s failed", model_id, artifacts.prefix(model_id)
        )


# --- the `trained:<id>` key (AI auto-annotation) ------------------------------------------------------


def parse_key(key: str, field: str = "model") -> int:
    """The model id of a `trained:<id>` key; ValidationFailed naming `field` otherwise."""
    raw = key[len(TRAINED_PREFIX) :] if key.startswith(TRAINED_PREFIX) else ""
    if not raw.isdigit() or not 1 <= int(raw) <= 2**63 - 1:
        raise ValidationFailed.field(field, f"{key!r} is not a registered model key (trained:<id>)")
    return int(raw)


def usable_model(session: Session, key: str, field: str = "model") -> TrainedModel:
    """The active model a `trained:<id>` key names: 422 naming `field` when unknown or inactive."""
    model_id = parse_key(key, field)
    row = session.get(TrainedModel, model_id)
    if row is None:
        raise ValidationFailed.field(field, f"there is no registered model {model_id}")
    if not row.is_active:
        raise ValidationFailed.field(field, f"model {model_id} ({row.name}) is not active; activate it first")
    return row


def dataset_classes(session: Session, row: TrainedModel) -> list[tuple[str, int]]:
    """(name, dataset class id) for each model class index, in index order. A class deleted since
    training is found by its name or alias (a merge keeps the old name as an alias); a class that is
    gone altogether is a 409 naming it."""
    mapping = [ClassEntry.model_validate(c) for c in row.class_mapping]
    wanted = {e.class_id for e in mapping if e.class_id is not None}
    existing = set(session.scalars(select(OdClass.id).where(OdClass.id.in_(wanted)))) if wanted else set()
    lost = [e for e in mapping if e.class_id not in existing]
    renamed = find_classes(session, [e.name for e in lost]) if lost else {}
    gone = [e.name for e in lost if e.name not in renamed]
    if gone:
        raise Conflict(
            f"Model {row.id} predicts classes that no longer exist: {', '.join(gone)}. Recreate them or "
            "retrain the model.",
            model_id=row.id,
            missing_classes=gone,
        )
    return [
        (
            e.name,
            e.class_id if e.class_id is not None and e.class_id in existing else renamed[e.name].class_id,
        )
        for e in mapping
    ]


def default_model_id(session: Session) -> int | None:
    return session.scalar(
        select(TrainedModel.id).where(TrainedModel.is_default.is_(True), TrainedModel.is_active.is_(True))
    )


def active_models(session: Session) -> list[TrainedModel]:
    """Active models for the AI model list: the default first, then newest first."""
    return list(
        session.scalars(
            select(TrainedModel)
            .where(TrainedModel.is_active.is_(True))
            .order_by(TrainedModel.is_default.desc(), TrainedModel.created_at.desc(), TrainedModel.id.desc())
        )
    )


# --- inference (an interactive job) ---------------------------------------------------------------


def _check_threshold(threshold: float) -> float:
    if not 0.0 <= threshold <= 1.0:
        raise ValidationFailed.field("threshold", "must be between 0 and 1")
    return threshold


def infer_library_image(
    session: Session,
    db: Database,
    runner: JobRunner,
    settings: Settings,
    model_id: int,
    image_id: int,
    threshold: float,
    user_id: int | None,
) -> InferenceOut:
    row = get_model(session, model_id)
    if session.get(Image, image_id) is None:
        raise NotFound(f"There is no image {image_id} in the library.", image_id=image_id, field="image_id")
    payload = InferencePayload(model_id=row.id, image_id=image_id, threshold=_check_threshold(threshold))
    return _call(session, db, runner, settings, payload, user_id)


def infer_upload(
    session: Session,
    db: Database,
    runner: JobRunner,
    settings: Settings,
    storage: Storage,
    model_id: int,
    upload: BinaryIO,
    filename: str,
    threshold: float,
    user_id: int | None,
) -> InferenceOut:
    """An uploaded image (checked whole and within the limits first), kept under a temporary key for
    the job and removed when it ends."""
    row = get_model(session, model_id)
    _check_threshold(threshold)
    upload.seek(0, 2)
    size = upload.tell()
    if size > settings.max_upload_bytes:
        raise ValidationFailed.field(
            "file", f"is larger than the {settings.max_upload_bytes:,} byte upload limit"
        )
    upload.seek(0)
    inspect_image(upload, filename or "upload", size, "", settings.max_image_pixels)
    upload.seek(0)
    key = new_key("tmp/inference")
    storage.put_stream(key, upload)
    try:
        payload = InferencePayload(model_id=row.id, upload_key=key, upload_name=filename, threshold=threshold)
        return _call(session, db, runner, settings, payload, user_id)
    finally:
        storage.delete(key)


def _call(
    session: Session,
    db: Database,
    runner: JobRunner,
    settings: Settings,
    payload: InferencePayload,
    user_id: int | None,
) -> InferenceOut:
    # The request's own transaction ends first: the job's worker needs the write lock on SQLite.
    session.rollback()
    result = interactive.call(settings, db, runner, kind=INFERENCE_KIND, payload=payload, user_id=user_id)
    return InferenceOut.model_validate(result)


# --- export (an ml job) ---------------------------------------------------------------------------


def start_export(
    session: Session, runner: JobRunner, model_id: int, fmt: ExportFormat, user_id: int | None
) -> Job:
    """Queue the ONNX export and parity check (202); TensorRT is refused: no worker reports it."""
    row = get_model(session, model_id)
    if fmt == "tensorrt":
        raise Conflict(
            "TensorRT export needs a GPU worker with TensorRT installed, and no worker of this server "
            "reports one. Export ONNX and build the TensorRT engine on the target machine (trtexec).",
            field="format",
            format=fmt,
        )
    onnx = OnnxInfo.model_validate(row.onnx) if row.onnx else OnnxInfo()
    if onnx.status == "running" and onnx.job_id is not None:
        running = session.get(Job, onnx.job_id)
        if running is not None and running.status in ("queued", "running"):
            return running
    job = jobs.submit_job(session, runner, EXPORT_KIND, ExportPayload(model_id=row.id).model_dump(), user_id)
    row = get_model(session, model_id)
    row.onnx = OnnxInfo(status="running", job_id=job.id).model_dump(mode="json")
    session.commit()
    return job


def record_onnx(db: Database, model_id: int, info: OnnxInfo) -> None:
    with db.write() as session:
        row = session.get(TrainedModel, model_id)
        if row is not None:
            row.onnx = info.model_dump(mode="json")


# --- download -------------------------------------------------------------------------------------


def download_pytorch(session: Session, storage: Storage, model_id: int) -> tuple[IO[bytes], str]:
    """The model folder zipped into a temporary file (rewound), and its download name."""
    row = get_model(session, model_id)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response once streamed)
    try:
        artifacts.write_zip(storage, row.id, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, f"{_slug(row.name)}-{row.id}-pytorch.zip"


def download_onnx(session: Session, storage: Storage, model_id: int) -> tuple[str, int, str]:
    """(storage key, size, download name) of the model's checked ONNX file: 409 before an export."""
    row = get_model(session, model_id)
    info = OnnxInfo.model_validate(row.onnx) if row.onnx else OnnxInfo()
    key = artifacts.onnx_key(row.id)
    if info.status != "ready" or not storage.exists(key):
        raise Conflict(
            f"Model {row.id} has no ONNX export yet (status {info.status}); export it first.",
            model_id=row.id,
            field="format",
        )
    return key, storage.size(key), f"{_slug(row.name)}-{row.id}.onnx"


def _slug(name: str) -> str:
    kept = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip())
    return "-".join(part for part in kept.split("-") if part)[:60] or "model"

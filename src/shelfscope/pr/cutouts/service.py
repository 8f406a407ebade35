"""Cutouts: listing and reading them, a cutout drawn by hand, deleting one, and starting the
make-cutouts job after every check a request can fail (torch-free: the job runs the detector).

A cutout's crop is stored under a server-chosen key; the row and the file come and go together (the
file is written before the row's transaction and removed if it does not commit; on delete it is
removed after the commit). State changes (match, unmatch, reject) are in states.py."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db.base import utcnow
from shelfscope.errors import Conflict, Internal, NotFound, ValidationFailed
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.ml.catalogue import get_spec
from shelfscope.od.ai.service import check_model
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.service import find_classes
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.geometry import GeometryError, check_box
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import file_url, thumbnail_url
from shelfscope.od.trained_models import service as registry
from shelfscope.od.trained_models.schemas import TRAINED_PREFIX, trained_key
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor
from shelfscope.pr.cutouts import gallery
from shelfscope.pr.cutouts.crops import CropBox, cut, rounded
from shelfscope.pr.cutouts.decode import upright_rgb
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.cutouts.schemas import (
    MAKE_KIND,
    BoxOut,
    CutoutCreate,
    CutoutImage,
    CutoutOut,
    MakeCutoutsIn,
    MakePayload,
    ProductRef,
    PromptClass,
)
from shelfscope.pr.products.models import Product
from shelfscope.storage import Storage, new_key
from shelfscope.storage.pending import remove_after_commit, remove_on_rollback
from shelfscope.text import check_characters, collapse_whitespace

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

log = logging.getLogger("shelfscope.pr.cutouts")

API_PREFIX = "/api/v1/pr/cutouts"


def crop_url(cutout_id: int) -> str:
    return f"{API_PREFIX}/{cutout_id}/file"


# --- reading -----------------------------------------------------------------------------------------


def _rows() -> Select[Cutout, Image, str | None, Product | None]:
    """Cutouts with their image, class name and product: one query, no lazy loads."""
    return (
        select(Cutout, Image, OdClass.name, Product)
        .join(Image, Image.id == Cutout.image_id)
        .outerjoin(OdClass, OdClass.id == Cutout.class_id)
        .outerjoin(Product, Product.id == Cutout.product_id)
    )


def cutout_out(cutout: Cutout, image: Image, class_name: str | None, product: Product | None) -> CutoutOut:
    return CutoutOut(
        id=cutout.id,
        image_id=cutout.image_id,
        dataset_id=cutout.dataset_id,
        annotation_id=cutout.annotation_id,
        class_id=cutout.class_id,
        class_name=class_name,
        source=cutout.source,
        model=cutout.model,
        confidence=cutout.confidence,
        box=BoxOut(x1=cutout.x1, y1=cutout.y1, x2=cutout.x2, y2=cutout.y2),
        margin=cutout.margin,
        width=cutout.width,
        height=cutout.height,
        state=cutout.state,
        product_id=cutout.product_id,
        product=ProductRef(id=product.id, sku=product.sku, name=product.name) if product else None,
        image=CutoutImage(
            id=image.id,
            width=image.width,
            height=image.height,
            filename=image.filename,
            thumbnail_url=thumbnail_url(image.id),
            file_url=file_url(image.id),
        ),
        crop_url=crop_url(cutout.id),
        job_id=cutout.job_id,
        created_at=cutout.created_at,
        updated_at=cutout.updated_at,
    )


def cutout_not_found(cutout_id: int) -> NotFound:
    return NotFound(f"There is no cutout with id {cutout_id}.", cutout_id=cutout_id)


def require_cutout(session: Session, cutout_id: int) -> Cutout:
    found = session.get(Cutout, cutout_id)
    if found is None:
        raise cutout_not_found(cutout_id)
    return found


def get_cutout(session: Session, cutout_id: int) -> CutoutOut:
    row = session.execute(_rows().where(Cutout.id == cutout_id)).one_or_none()
    if row is None:
        raise cutout_not_found(cutout_id)
    return cutout_out(*row)


def list_cutouts(
    session: Session,
    *,
    filters: dict[str, Any],
    limit: int = 50,
    cursor: str | None = None,
) -> Page[CutoutOut]:
    """Newest first (by id), filtered by any of state, dataset_id, class_id, product_id, source,
    image_id; `total` counts every match."""
    check_limit(limit)
    where: list[ColumnElement[bool]] = [
        getattr(Cutout, name) == value for name, value in filters.items() if value is not None
    ]
    stmt = _rows().where(*where).order_by(Cutout.id.desc()).limit(limit + 1)
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        stmt = stmt.where(Cutout.id < int(last_id))
    rows = session.execute(stmt).all()
    total = session.scalar(select(func.count()).select_from(Cutout).where(*where)) or 0
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1][0].id]) if len(rows) > limit and page else None
    return Page(items=[cutout_out(*r) for r in page], next_cursor=next_cursor, total=int(total))


def crop_bytes(session: Session, storage: Storage, cutout_id: int) -> tuple[bytes, str]:
    """The stored crop (JPEG) and its storage key (an ETag: keys are never reused)."""
    cutout = require_cutout(session, cutout_id)
    if not storage.exists(cutout.storage_key):
        raise NotFound(f"The crop of cutout {cutout_id} is missing from storage.", cutout_id=cutout_id)
    return storage.read_bytes(cutout.storage_key), cutout.storage_key


# --- a cutout drawn by hand --------------------------------------------------------------------------


def _check_create(session: Session, body: CutoutCreate) -> tuple[Image, CropBox]:
    image = session.get(Image, body.image_id)
    if image is None:
        raise ValidationFailed.field("image_id", f"there is no image with id {body.image_id}")
    if body.dataset_id is not None:
        if session.get(Dataset, body.dataset_id) is None:
            raise ValidationFailed.field("dataset_id", f"there is no dataset with id {body.dataset_id}")
        member = session.scalar(
            select(DatasetImage.id).where(
                DatasetImage.dataset_id == body.dataset_id, DatasetImage.image_id == body.image_id
            )
        )
        if member is None:
            raise ValidationFailed.field("image_id", f"image {image.id} is not in dataset {body.dataset_id}")
    if body.class_id is not None and session.get(OdClass, body.class_id) is None:
        raise ValidationFailed.field("class_id", f"there is no class with id {body.class_id}")
    b = body.box
    try:
        box = check_box(b.x1, b.y1, b.x2, b.y2, image.width, image.height)
    except GeometryError as exc:
        raise ValidationFailed.field("box", f"{exc.field}: {exc.message}") from None
    cropped = rounded(box.x1, box.y1, box.x2, box.y2)
    if cropped.x2 <= cropped.x1 or cropped.y2 <= cropped.y1:
        raise ValidationFailed.field("box", "is less than 0.01 px wide or high")
    return image, cropped


def _existing(session: Session, image_id: int, box: CropBox) -> int | None:
    return session.scalar(
        select(Cutout.id).where(
            Cutout.image_id == image_id,
            Cutout.x1 == box.x1,
            Cutout.y1 == box.y1,
            Cutout.x2 == box.x2,
            Cutout.y2 == box.y2,
        )
    )


def _duplicate(cutout_id: int) -> Conflict:
    return Conflict(
        f"Cutout {cutout_id} already has this box on this image.", field="box", cutout_id=cutout_id
    )


def create_cutout(
    session: Session, storage: Storage, settings: Settings, body: CutoutCreate, user_id: int | None
) -> CutoutOut:
    """Cut the box out now (the image is decoded in the request) and store it, unmatched."""
    image, box = _check_create(session, body)
    found = _existing(session, image.id, box)
    if found is not None:
        raise _duplicate(found)
    with storage.open(image.storage_key) as data:
        picture = upright_rgb(data, image.filename, image.width, image.height, settings.decode_memory_bytes)
    crop = cut(picture, box, body.margin)
    key = new_key("cutouts", ".jpg")
    storage.put_fresh(key, crop.jpeg, "image/jpeg")
    # Removed again if the row does not commit (a box taken meanwhile, any error).
    remove_on_rollback(session, storage, [key])
    cutout = Cutout(
        image_id=image.id,
        dataset_id=body.dataset_id,
        class_id=body.class_id,
        source="manual",
        x1=box.x1,
        y1=box.y1,
        x2=box.x2,
        y2=box.y2,
        margin=body.margin,
        storage_key=key,
        width=crop.width,
        height=crop.height,
        state="unmatched",
        created_by=user_id,
    )
    try:
        session.add(cutout)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _duplicate(_existing(session, image.id, box) or 0) from None
    return get_cutout(session, cutout.id)


# --- deleting ----------------------------------------------------------------------------------------


def remove_files(storage: Storage, keys: Sequence[str | None]) -> None:
    """After the rows are gone (or were never written): a failure is logged, not raised."""
    for key in keys:
        if key:
            try:
                storage.delete(key)
            except Exception:
                log.exception("could not remove the stored crop %s", key)


def delete_cutout(session: Session, storage: Storage, cutout_id: int) -> None:
    """The cutout, its crop and (when matched) its image in the product's gallery; files go once the
    delete has committed. Refused (409) while that gallery image is frozen in a PR dataset version."""
    cutout = require_cutout(session, cutout_id)
    gallery.unlink(session, storage, [cutout.id])
    remove_after_commit(session, storage, [cutout.storage_key])
    session.delete(cutout)
    session.commit()


# --- starting the job --------------------------------------------------------------------------------


def _check_dataset(session: Session, body: MakeCutoutsIn) -> Dataset:
    dataset = session.get(Dataset, body.dataset_id)
    if dataset is None:
        raise ValidationFailed.field("dataset_id", f"there is no dataset with id {body.dataset_id}")
    return dataset


def _check_classes(session: Session, ids: Sequence[int]) -> dict[int, str]:
    wanted = set(ids)
    names = {
        int(i): str(n)
        for i, n in session.execute(select(OdClass.id, OdClass.name).where(OdClass.id.in_(wanted)))
    }
    missing = sorted(wanted - set(names))
    if missing:
        listed = ", ".join(str(i) for i in missing[:20])
        raise ValidationFailed(
            f"class_ids: no class with id {listed}; nothing was started.",
            fields=[{"field": "class_ids", "message": f"no class with id {listed}"}],
            field="class_ids",
            missing_ids=missing,
        )
    return names


def _check_images(session: Session, body: MakeCutoutsIn) -> None:
    if not body.image_ids:
        return
    members = set(
        session.scalars(
            select(DatasetImage.image_id).where(
                DatasetImage.dataset_id == body.dataset_id, DatasetImage.image_id.in_(set(body.image_ids))
            )
        )
    )
    missing = sorted(set(body.image_ids) - members)
    if missing:
        listed = ", ".join(str(i) for i in missing[:20])
        raise ValidationFailed(
            f"image_ids: image(s) {listed} are not in dataset {body.dataset_id}; nothing was started.",
            fields=[{"field": "image_ids", "message": f"image(s) {listed} are not in the dataset"}],
            field="image_ids",
            missing_ids=missing,
        )


def _prompt_texts(prompts: Sequence[str]) -> list[str]:
    texts = []
    for i, prompt in enumerate(prompts):
        text = collapse_whitespace(prompt)
        try:
            check_characters(text)
        except ValueError as exc:
            raise ValidationFailed.field(f"prompts[{i}]", str(exc)) from None
        if not text or len(text) > 256:
            raise ValidationFailed.field(f"prompts[{i}]", "must be 1 to 256 characters")
        texts.append(text)
    return texts


def _catalogue_prompts(
    session: Session, settings: Settings, body: MakeCutoutsIn, classes: dict[int, str]
) -> tuple[str, list[PromptClass]]:
    """A catalogue detector: its prompts (given, else the chosen classes' names), each with the class
    it names (or none: a cutout needs no class)."""
    assert body.model is not None
    spec = check_model(settings, body.model)
    texts = _prompt_texts(body.prompts)
    if texts:
        named = find_classes(session, texts)
        prompts = [PromptClass(text=t, class_id=named[t].class_id if t in named else None) for t in texts]
    else:
        prompts = [PromptClass(text=name, class_id=class_id) for class_id, name in classes.items()]
    if not prompts and "open_vocabulary" not in get_spec(spec.key).capabilities:
        raise ValidationFailed.field(
            "prompts", f"{spec.key} finds only what it is told: give prompts or class_ids"
        )
    return spec.key, prompts


def _resolve_model(
    session: Session, settings: Settings, body: MakeCutoutsIn, classes: dict[int, str]
) -> tuple[str | None, list[PromptClass]]:
    if body.source == "annotations":
        for name in ("model", "prompts"):
            if name in body.model_fields_set and getattr(body, name):
                raise ValidationFailed.field(name, "is only taken with source 'predictions'")
        return None, []
    if body.model is None:
        raise ValidationFailed.field("model", "choose a detector for source 'predictions'")
    if not body.model.startswith(TRAINED_PREFIX):
        return _catalogue_prompts(session, settings, body, classes)
    row = registry.usable_model(session, body.model)
    if body.prompts:
        raise ValidationFailed.field("prompts", f"{body.model} detects the classes it was trained on")
    prompts = [PromptClass(text=n, class_id=c) for n, c in registry.dataset_classes(session, row)]
    return trained_key(row.id), prompts


def start_make(
    session: Session, runner: JobRunner, settings: Settings, body: MakeCutoutsIn, user_id: int | None
) -> Job:
    """Check everything, then queue `pr.cutouts.make` (queue `ml` for predictions, else `default`)."""
    dataset = _check_dataset(session, body)
    classes = _check_classes(session, body.class_ids) if body.class_ids else {}
    model, prompts = _resolve_model(session, settings, body, classes)
    _check_images(session, body)
    payload = MakePayload(
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        source=body.source,
        class_ids=sorted(classes),
        model=model,
        prompts=prompts,
        threshold=body.threshold,
        margin=body.margin,
        image_ids=sorted(set(body.image_ids)),
        # A detector holds its batch's full-size photos in memory.
        batch_size=4 if body.source == "predictions" else 16,
    )
    queue = "ml" if body.source == "predictions" else "default"
    return _submit(session, runner, payload, queue, user_id)


def _submit(
    session: Session, runner: JobRunner, payload: MakePayload, queue: str, user_id: int | None
) -> Job:
    """jobs.submit_job, on the queue the source needs (one kind, two queues)."""
    job = jobs.queue_in(session, MAKE_KIND, payload.model_dump(mode="json"), user_id, runner.name)
    job.queue = queue
    session.commit()
    try:
        runner.submit(job.id, job.queue)
    except Exception as exc:
        log.exception("could not hand job %s to the %s runner", job.id, runner.name)
        job.status, job.finished_at = "failed", utcnow()
        job.error = f"could not be queued: the {runner.name} runner refused it ({exc})"
        session.commit()
        raise Internal(
            f"Job {job.id} could not be queued: the {runner.name} job runner is not reachable.", job_id=job.id
        ) from exc
    return job

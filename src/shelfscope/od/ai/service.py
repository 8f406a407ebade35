"""Starting auto-annotation and one-image detection, and reading a run's progress (torch-free).

Everything a request can get wrong is checked here, before any job exists: the model (a detector of
the catalogue, its weights present: WeightsMissing otherwise), the prompts and their classes, the
images. The job then only runs the model. The server imports ml.catalogue and ml.weights only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import NotFound, ValidationFailed
from shelfscope.jobs import interactive
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.jobs.schemas import JobOut
from shelfscope.ml.catalogue import ModelSpec, get_spec
from shelfscope.ml.weights import resolve
from shelfscope.od.ai.schemas import (
    ANNOTATE_KIND,
    DETECT_KIND,
    AnnotateIn,
    AnnotatePayload,
    AnnotateResult,
    AnnotateStatus,
    DetectIn,
    DetectOptions,
    DetectOut,
    DetectPayload,
    ResolvedPrompt,
)
from shelfscope.od.ai.scope import count_scope
from shelfscope.od.annotations import store
from shelfscope.od.annotations.checks import Problems
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.service import find_classes
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.trained_models import service as registry
from shelfscope.od.trained_models.schemas import TRAINED_PREFIX, trained_key
from shelfscope.text import check_characters, collapse_whitespace

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

# How long a one-image detect may take before the request gives up (the job goes on and stores).


def check_model(settings: Settings, key: str) -> ModelSpec:
    """A catalogue detector whose weights are installed: 422 naming `model`, or 409 WeightsMissing.
    (Registered models, `trained:<id>`, go through `resolve_model`.)"""
    spec = get_spec(key, field="model")
    if spec.task != "detector":
        raise ValidationFailed.field("model", f"{key!r} is a {spec.task}; choose a detector")
    resolve(settings, spec)
    return spec


def _prompt_texts(body: DetectOptions, spec: ModelSpec, problems: Problems) -> list[str]:
    texts = []
    for i, prompt in enumerate(body.prompts):
        text = collapse_whitespace(prompt.text)
        try:
            check_characters(text)
        except ValueError as exc:
            problems.add(f"prompts[{i}].text", str(exc))
        if not text:
            problems.add(f"prompts[{i}].text", "must not be empty")
        texts.append(text)
    if not body.prompts and "open_vocabulary" not in spec.capabilities:
        problems.add("prompts", f"{spec.key} finds only what it is told: give at least one prompt")
    return texts


def resolve_prompts(
    session: Session, body: DetectOptions, spec: ModelSpec
) -> tuple[list[ResolvedPrompt], int | None]:
    """Each prompt with its class (given, or the class named or aliased by the text), and the class for
    unknown labels; every problem named by field, all at once."""
    problems = Problems()
    texts = _prompt_texts(body, spec, problems)
    problems.raise_if_any()
    given = {p.class_id for p in body.prompts if p.class_id is not None}
    if isinstance(body.unknown_labels, int):
        given.add(body.unknown_labels)
    existing = set(session.scalars(select(OdClass.id).where(OdClass.id.in_(given)))) if given else set()
    named = find_classes(session, [t for t, p in zip(texts, body.prompts, strict=True) if p.class_id is None])
    resolved = []
    for i, (text, prompt) in enumerate(zip(texts, body.prompts, strict=True)):
        if prompt.class_id is not None and prompt.class_id not in existing:
            problems.add(f"prompts[{i}].class_id", f"no class with id {prompt.class_id}")
        elif prompt.class_id is None and text not in named:
            problems.add(
                f"prompts[{i}].class_id", f"no class is named {text!r} (nor has it as an alias); choose one"
            )
        else:
            resolved.append(ResolvedPrompt(text=text, class_id=prompt.class_id or named[text].class_id))
    unknown = body.unknown_labels if isinstance(body.unknown_labels, int) else None
    if unknown is not None and unknown not in existing:
        problems.add("unknown_labels", f"no class with id {unknown}")
    problems.raise_if_any()
    return resolved, unknown


def resolve_model(
    session: Session, settings: Settings, body: DetectOptions
) -> tuple[str, list[ResolvedPrompt], int | None]:
    """The model key, the prompts with their classes and the class for unknown labels. A registered
    model (`trained:<id>`, active) finds its own classes: its prompts are its class mapping in model
    index order, so each box's class index lands on the dataset class it was trained as."""
    if body.model.startswith(TRAINED_PREFIX):
        row = registry.usable_model(session, body.model)
        if body.prompts:
            names = ", ".join(entry["name"] for entry in row.class_mapping)
            raise ValidationFailed.field(
                "prompts",
                f"{body.model} detects the classes it was trained on ({names}); leave prompts empty",
            )
        classes = registry.dataset_classes(session, row)
        prompts = [ResolvedPrompt(text=name, class_id=class_id) for name, class_id in classes]
        return trained_key(row.id), prompts, None
    spec = check_model(settings, body.model)
    prompts, unknown = resolve_prompts(session, body, spec)
    return spec.key, prompts, unknown


def _check_selected(session: Session, body: AnnotateIn) -> None:
    ids = body.images.image_ids
    if body.images.scope != "selected":
        if ids:
            raise ValidationFailed.field("images.image_ids", "are only taken with scope 'selected'")
        return
    if not ids:
        raise ValidationFailed.field("images.image_ids", "list at least one image (scope 'selected')")
    members = set(
        session.scalars(
            select(DatasetImage.image_id).where(
                DatasetImage.dataset_id == body.dataset_id, DatasetImage.image_id.in_(set(ids))
            )
        )
    )
    missing = sorted(set(ids) - members)
    if missing:
        listed = ", ".join(str(i) for i in missing[:20]) + (" ..." if len(missing) > 20 else "")
        message = f"image(s) {listed} are not in dataset {body.dataset_id}"
        raise ValidationFailed(
            f"images.image_ids: {message}; nothing was started.",
            fields=[{"field": "images.image_ids", "message": message}],
            missing_ids=missing,
        )


def start_annotate(
    session: Session, runner: JobRunner, settings: Settings, body: AnnotateIn, user_id: int | None
) -> Job:
    """Check everything, then queue the batch job (202)."""
    dataset = require_dataset(session, body.dataset_id)
    model, prompts, unknown = resolve_model(session, settings, body)
    _check_selected(session, body)
    payload = AnnotatePayload(
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        model=model,
        prompts=prompts,
        unknown_class_id=unknown,
        threshold=body.threshold,
        max_boxes_per_image=body.max_boxes_per_image,
        nms_iou=body.nms_iou,
        scope=body.images.scope,
        image_ids=sorted(set(body.images.image_ids)),
    )
    return jobs.submit_job(session, runner, ANNOTATE_KIND, payload.model_dump(mode="json"), user_id)


def annotate_status(session: Session, job_id: int) -> AnnotateStatus:
    """The job with its progress in images and what it stored per class so far (or in the end)."""
    job = jobs.get_job(session, job_id)
    if job.kind != ANNOTATE_KIND:
        raise NotFound(f"Job {job_id} is not an auto-annotation.", job_id=job_id)
    if job.result and "images_done" in job.result:
        result = AnnotateResult.model_validate(job.result)
        done, total, counts = result.images_done, result.images_total, result.counts
    else:
        payload = AnnotatePayload.model_validate(job.payload)
        done, total, counts = 0, count_scope(session, payload), []
    return AnnotateStatus(job=JobOut.model_validate(job), images_done=done, images_total=total, counts=counts)


def detect(
    session: Session, db: Database, runner: JobRunner, settings: Settings, body: DetectIn, user_id: int | None
) -> DetectOut:
    """Run the model on one image now (interactive) and store its proposals like the batch does."""
    dataset = require_dataset(session, body.dataset_id)
    store.member(session, body.dataset_id, body.image_id)
    model, prompts, unknown = resolve_model(session, settings, body)
    payload = DetectPayload(
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        model=model,
        prompts=prompts,
        unknown_class_id=unknown,
        threshold=body.threshold,
        max_boxes_per_image=body.max_boxes_per_image,
        nms_iou=body.nms_iou,
        image_id=body.image_id,
    )
    result = call_interactive(
        session, db, runner, settings, DETECT_KIND, payload.model_dump(mode="json"), user_id
    )
    return DetectOut.model_validate(result)


def call_interactive(
    session: Session,
    db: Database,
    runner: JobRunner,
    settings: Settings,
    kind: str,
    payload: dict[str, Any],
    user_id: int | None,
) -> dict[str, Any]:
    """Run the interactive job and wait for its result. The request's own transaction ends first (it
    only read): on SQLite a write request holds the write lock, which the job's worker needs."""
    session.rollback()
    return interactive.call(settings, db, runner, kind=kind, payload=payload, user_id=user_id)

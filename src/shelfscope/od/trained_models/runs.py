"""What the registry's jobs do on a worker: test inference on one image, and the ONNX export with its
parity check against PyTorch on a real image. Imported inside the handlers only (it needs torch)."""

from __future__ import annotations

import io
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps
from sqlalchemy import select

from shelfscope.db import utcnow
from shelfscope.errors import NotFound, ShelfscopeError
from shelfscope.jobs.context import JobContext
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors.base import Detector, input_size
from shelfscope.ml.trainers import families
from shelfscope.od.ai.decode import decode_for_model
from shelfscope.od.ai.predictions import iou_matrix
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.trained_models import artifacts
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.trained_models.schemas import (
    ClassEntry,
    ExportPayload,
    InferenceBox,
    InferenceOut,
    InferencePayload,
    OnnxInfo,
    trained_key,
)
from shelfscope.od.trained_models.service import record_onnx

# Parity is judged on the boxes, not on the raw outputs index by index: a DETR picks its queries by
# top-k over encoder scores, and rounding can swap two nearly equal ones, which reorders the raw outputs
# without changing a box. Every box that counts (score at the threshold or above, by more than the score
# tolerance) must have a twin in the other output: same class, IoU at least BOX_IOU_MIN, score within
# MAX_ABS_DIFF.
PARITY_THRESHOLD = 0.25
PARITY_SCORE_TOL = 1e-3
MAX_ABS_DIFF = 1e-3
BOX_IOU_MIN = 0.99


def _model(ctx: JobContext, model_id: int) -> TrainedModel:
    with ctx.db.read() as session:
        row = session.get(TrainedModel, model_id)
        if row is None:
            raise NotFound(f"There is no model {model_id}.", model_id=model_id)
        session.expunge(row)
        return row


# --- inference ------------------------------------------------------------------------------------


def _upright_size(data: bytes) -> tuple[int, int]:
    with PILImage.open(io.BytesIO(data)) as im:
        width, height = im.size
        return (height, width) if im.getexif().get(0x0112, 1) in (5, 6, 7, 8) else (width, height)


def infer(ctx: JobContext, payload: InferencePayload) -> InferenceOut:
    row = _model(ctx, payload.model_id)
    mapping = [ClassEntry.model_validate(c) for c in row.class_mapping]
    if payload.image_id is not None:
        with ctx.db.read() as session:
            image = session.get(Image, payload.image_id)
            if image is None:
                raise NotFound(
                    f"There is no image {payload.image_id} in the library.", image_id=payload.image_id
                )
            key, name, width, height = image.storage_key, image.filename, image.width, image.height
        data = ctx.storage.read_bytes(key)
    elif payload.upload_key is not None:
        data = ctx.storage.read_bytes(payload.upload_key)
        name = payload.upload_name or "upload"
        width, height = _upright_size(data)
    else:
        raise ValueError("an inference payload names an image_id or an upload_key")
    from shelfscope.ml.detectors.loader import load_detector

    detector = load_detector(ctx.settings, trained_key(row.id))
    started = time.perf_counter()
    decoded = decode_for_model(
        io.BytesIO(data),
        name,
        width,
        height,
        lambda w, h: input_size(detector, w, h),
        memory_limit_bytes=ctx.settings.decode_memory_bytes,
    )
    (found,) = detector.predict([decoded.image], [], payload.threshold)
    seconds = time.perf_counter() - started
    sx, sy = decoded.scale
    names = [entry.name for entry in mapping]
    boxes = []
    for b, score, index, label in zip(
        found.boxes, found.scores, found.prompt_index, found.labels, strict=True
    ):
        # The class index, also for a predictor that names its classes (prompt_index -1).
        at = int(index) if 0 <= int(index) < len(mapping) else (names.index(label) if label in names else -1)
        boxes.append(
            InferenceBox(
                x1=float(b[0]) * sx,
                y1=float(b[1]) * sy,
                x2=float(b[2]) * sx,
                y2=float(b[3]) * sy,
                class_index=at,
                class_id=mapping[at].class_id if at >= 0 else None,
                label=mapping[at].name if at >= 0 else label,
                score=float(score),
            )
        )
    return InferenceOut(width=width, height=height, boxes=boxes, seconds=round(seconds, 4))


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parity:
    max_abs_diff: float
    box_iou_min: float
    boxes_compared: int
    problems: list[str]


def _unmatched(wanted: Detections, pool: Detections, floor: float) -> tuple[list[float], list[float], int]:
    """For each box of `wanted` scoring at least `floor`: the IoU of its best same-class twin in `pool`
    (0 when none) and the score difference to it; and how many boxes were compared."""
    ious: list[float] = []
    score_diffs: list[float] = []
    keep = np.flatnonzero(wanted.scores >= floor)
    overlaps = iou_matrix(wanted.boxes.astype(np.float64), pool.boxes.astype(np.float64))
    for i in keep:
        same = np.flatnonzero(np.asarray(pool.labels, dtype=object) == wanted.labels[i])
        if not len(same):
            ious.append(0.0)
            continue
        best = same[int(np.argmax(overlaps[i, same]))]
        ious.append(float(overlaps[i, best]))
        score_diffs.append(abs(float(wanted.scores[i]) - float(pool.scores[best])))
    return ious, score_diffs, len(keep)


def check_parity(reference: Detector, candidate: Detector, image: PILImage.Image) -> Parity:
    low = max(0.0, PARITY_THRESHOLD - PARITY_SCORE_TOL)
    (a,) = reference.predict([image], [], low)
    (b,) = candidate.predict([image], [], low)
    floor = PARITY_THRESHOLD + PARITY_SCORE_TOL
    ious_ab, scores_ab, count_a = _unmatched(a, b, floor)
    ious_ba, scores_ba, _ = _unmatched(b, a, floor)
    ious = ious_ab + ious_ba
    max_diff = max(scores_ab + scores_ba, default=0.0)
    iou_min = min(ious, default=1.0)
    problems = []
    if max_diff > MAX_ABS_DIFF:
        problems.append(f"scores of twin boxes differ by up to {max_diff:.3g} (tolerance {MAX_ABS_DIFF:g})")
    if iou_min < BOX_IOU_MIN:
        problems.append(f"a box has no twin with IoU >= {BOX_IOU_MIN} (lowest {iou_min:.3f})")
    return Parity(max_diff, iou_min, count_a, problems)


def parity_image(ctx: JobContext, row: TrainedModel) -> tuple[PILImage.Image, int | None]:
    """A real photo to compare on: the first image of the model's dataset, else of the library; a
    generated gradient only when the library is empty."""
    with ctx.db.read() as session:
        image_id = None
        if row.dataset_id is not None:
            image_id = session.scalar(
                select(DatasetImage.image_id)
                .where(DatasetImage.dataset_id == row.dataset_id)
                .order_by(DatasetImage.id)
                .limit(1)
            )
        if image_id is None:
            image_id = session.scalar(select(Image.id).order_by(Image.id).limit(1))
        image = session.get(Image, image_id) if image_id is not None else None
        key = image.storage_key if image is not None else None
    if key is None:
        ramp = np.linspace(0, 255, 640, dtype=np.uint8)
        pixels = np.stack(
            [np.tile(ramp, (480, 1)), np.tile(ramp[::-1], (480, 1)), np.full((480, 640), 128, np.uint8)], -1
        )
        return PILImage.fromarray(pixels, "RGB"), None
    with PILImage.open(io.BytesIO(ctx.storage.read_bytes(key))) as im:
        return ImageOps.exif_transpose(im).convert("RGB"), image_id


def export_onnx(ctx: JobContext, payload: ExportPayload) -> dict[str, Any]:
    """Export, check against PyTorch, store; the model row records the outcome either way."""
    row = _model(ctx, payload.model_id)
    try:
        info = _export_checked(ctx, row)
    except BaseException as exc:
        failed = OnnxInfo(status="failed", checked_at=utcnow(), error=str(exc)[:1000], job_id=ctx.job_id)
        record_onnx(ctx.db, row.id, failed)
        raise
    record_onnx(ctx.db, row.id, info)
    return info.model_dump(mode="json")


class ParityFailed(ShelfscopeError):
    status_code = 422
    kind = "ParityFailed"


def _export_checked(ctx: JobContext, row: TrainedModel) -> OnnxInfo:
    ctx.progress(0.05, "copying the model")
    folder = artifacts.materialise(ctx.settings, ctx.storage, row.id)
    ctx.check_cancelled()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / artifacts.ONNX_FILE
        ctx.progress(0.2, "exporting to ONNX")
        families.export_onnx(folder, out)
        ctx.check_cancelled()
        ctx.progress(0.7, "checking ONNX against PyTorch")
        image, image_id = parity_image(ctx, row)
        import torch

        reference = families.load_predictor(folder, torch.device("cpu"))
        candidate = families.load_onnx_predictor(folder, out)
        parity = check_parity(reference, candidate, image)
        ctx.log(
            f"parity on image {image_id}: max |diff| {parity.max_abs_diff:.3g}, lowest box IoU "
            f"{parity.box_iou_min:.4f} over {parity.boxes_compared} boxes"
        )
        if parity.problems:
            raise ParityFailed(
                "The ONNX model does not match PyTorch: " + "; ".join(parity.problems) + ".",
                max_abs_diff=parity.max_abs_diff,
                box_iou_min=parity.box_iou_min,
            )
        ctx.check_cancelled()
        ctx.storage.put_file(artifacts.onnx_key(row.id), out)
        size = out.stat().st_size
    ctx.progress(1.0, "exported")
    return OnnxInfo(
        status="ready",
        size=size,
        max_abs_diff=parity.max_abs_diff,
        box_iou_min=parity.box_iou_min,
        boxes_compared=parity.boxes_compared,
        image_id=image_id,
        checked_at=utcnow(),
        job_id=ctx.job_id,
    )

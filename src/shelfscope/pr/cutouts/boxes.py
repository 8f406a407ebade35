"""Where the make-cutouts job's boxes come from: the images' annotations, or a detector's predictions
(any catalogue detector or `trained:<id>`, loaded like auto-annotation loads it)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image as PILImage
from sqlalchemy import select

from shelfscope.db import Database
from shelfscope.db.dialect import id_in
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors.base import Detector, input_size
from shelfscope.od.ai.labels import label_key
from shelfscope.od.ai.predictions import nms
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.service import find_classes
from shelfscope.pr.cutouts.crops import rounded
from shelfscope.pr.cutouts.make import BoxSource, Found, Work
from shelfscope.pr.cutouts.schemas import MakePayload

# Review states of boxes a person made or kept (pending and rejected AI proposals are not cut).
HUMAN_STATES = ("none", "accepted")
# Overlapping predictions of one label thinned by non-maximum suppression at this IoU.
NMS_IOU = 0.5
MAX_PREDICTIONS_PER_IMAGE = 300


def annotation_boxes(db: Database, payload: MakePayload) -> BoxSource:
    def boxes(works: Sequence[Work], pictures: Sequence[PILImage.Image | None]) -> dict[int, list[Found]]:
        image_of = {w.member_id: w.image_id for w in works}
        with db.read() as session:
            stmt = select(
                Annotation.id,
                Annotation.dataset_image_id,
                Annotation.class_id,
                Annotation.x1,
                Annotation.y1,
                Annotation.x2,
                Annotation.y2,
            ).where(
                id_in(session, Annotation.dataset_image_id, list(image_of)),
                Annotation.review_state.in_(HUMAN_STATES),
            )
            if payload.class_ids:
                stmt = stmt.where(id_in(session, Annotation.class_id, payload.class_ids))
            rows = session.execute(stmt.order_by(Annotation.id)).all()
        found: dict[int, list[Found]] = {}
        for ann_id, member_id, class_id, x1, y1, x2, y2 in rows:
            item = Found(rounded(x1, y1, x2, y2), int(class_id), annotation_id=int(ann_id))
            found.setdefault(image_of[member_id], []).append(item)
        return found

    return boxes


class _Labels:
    """The class of a predicted box: its prompt's, else the class the model's own label names."""

    def __init__(self, db: Database, payload: MakePayload) -> None:
        self.db = db
        self.prompt_classes = [p.class_id for p in payload.prompts]
        self.named: dict[str, int | None] = {}

    def class_of(self, prompt_index: int, label: str) -> int | None:
        if 0 <= prompt_index < len(self.prompt_classes):
            return self.prompt_classes[prompt_index]
        key = label_key(label)
        if key not in self.named:
            with self.db.read() as session:
                match = find_classes(session, [label]).get(label) if key else None
            self.named[key] = match.class_id if match else None
        return self.named[key]


def _thinned(
    result: Detections, scale: tuple[float, float], labels: _Labels, wanted: set[int]
) -> list[Found]:
    """One image's detections in its stored pixels, with their classes, overlapping boxes of one class
    thinned, only the wanted classes (when any are), best first."""
    classes = [
        labels.class_of(int(i), text) for i, text in zip(result.prompt_index, result.labels, strict=True)
    ]
    sx, sy = scale
    boxes_px = result.boxes.astype(np.float64) * np.array([sx, sy, sx, sy])
    scores = result.scores.astype(np.float64)
    items = []
    for group in set(classes):
        if wanted and group not in wanted:
            continue
        members = np.array([i for i, c in enumerate(classes) if c == group], dtype=np.int64)
        for index in members[nms(boxes_px[members], scores[members], NMS_IOU)].tolist():
            x1, y1, x2, y2 = boxes_px[index].tolist()
            items.append(Found(rounded(x1, y1, x2, y2), group, confidence=float(scores[index])))
    items.sort(key=lambda f: -(f.confidence or 0.0))
    return items[:MAX_PREDICTIONS_PER_IMAGE]


def prediction_boxes(db: Database, payload: MakePayload, detector: Detector) -> BoxSource:
    labels = _Labels(db, payload)
    prompts = [p.text for p in payload.prompts]
    wanted = set(payload.class_ids)

    def boxes(works: Sequence[Work], pictures: Sequence[PILImage.Image | None]) -> dict[int, list[Found]]:
        ready = [(w, p) for w, p in zip(works, pictures, strict=True) if p is not None]
        if not ready:
            return {}
        inputs, scales = [], []
        for _, picture in ready:
            size = input_size(detector, picture.width, picture.height)
            resized = picture if size == picture.size else picture.resize(size, PILImage.Resampling.BILINEAR)
            inputs.append(resized)
            scales.append((picture.width / size[0], picture.height / size[1]))
        results = detector.predict(inputs, prompts, payload.threshold)
        return {
            work.image_id: _thinned(result, scale, labels, wanted)
            for (work, _), result, scale in zip(ready, results, scales, strict=True)
        }

    return boxes

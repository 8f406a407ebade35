"""From a detector's output to the boxes worth storing (pure: numpy in, values out).

Boxes are scaled back to the stored image's pixels, each label becomes a class (its prompt's, or the
class the model named, or the chosen class for unknown labels, or dropped), overlapping boxes of one
class are thinned by non-maximum suppression, and the best `max_boxes` are kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shelfscope.ml.detections import Detections

# Two boxes of one class overlapping this much are the same object: a proposal repeating an existing
# box is not stored.
DUPLICATE_IOU = 0.7

Boxes = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Prediction:
    class_id: int
    x1: float
    y1: float
    x2: float
    y2: float
    score: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)


@dataclass(frozen=True, slots=True)
class Prepared:
    predictions: list[Prediction]
    # Boxes whose label matched no prompt and no class, with unknown labels dropped.
    unknown_dropped: int


def iou_matrix(a: Boxes, b: Boxes) -> Boxes:
    """(len(a), len(b)) intersection over union of xyxy boxes."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)))
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(bottom_right - top_left, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.asarray(np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0))


def nms(boxes: Boxes, scores: npt.NDArray[np.float64], iou: float) -> list[int]:
    """Indices kept by greedy non-maximum suppression (suppress IoU > `iou`), best first."""
    order = list(np.argsort(-scores, kind="stable"))
    overlaps = iou_matrix(boxes, boxes)
    kept: list[int] = []
    suppressed = np.zeros(len(boxes), dtype=bool)
    for index in order:
        if suppressed[index]:
            continue
        kept.append(int(index))
        suppressed |= overlaps[index] > iou
    return kept


def prepare(
    found: Detections,
    scale: tuple[float, float],
    class_of: Callable[[int, str], int | None],
    *,
    nms_iou: float,
    max_boxes: int,
) -> Prepared:
    """The detections of one image as predictions: scaled by (sx, sy) to the stored image, mapped to
    classes by `class_of(prompt_index, label)` (None: drop), thinned per class, best `max_boxes`."""
    if not len(found):
        return Prepared([], 0)
    classes = [class_of(int(i), label) for i, label in zip(found.prompt_index, found.labels, strict=True)]
    known = np.array([c is not None for c in classes], dtype=bool)
    boxes = found.boxes.astype(np.float64) * np.array([scale[0], scale[1], scale[0], scale[1]])
    scores = found.scores.astype(np.float64)
    class_ids = np.array([c if c is not None else -1 for c in classes], dtype=np.int64)
    keep: list[int] = []
    for class_id in sorted(set(class_ids[known].tolist())):
        members = np.flatnonzero(class_ids == class_id)
        keep.extend(int(members[i]) for i in nms(boxes[members], scores[members], nms_iou))
    keep.sort(key=lambda i: -scores[i])
    chosen = keep[:max_boxes]
    predictions = []
    for i in chosen:
        x1, y1, x2, y2 = (float(v) for v in boxes[i])
        predictions.append(Prediction(int(class_ids[i]), x1, y1, x2, y2, float(scores[i])))
    return Prepared(predictions, int((~known).sum()))


def duplicates(
    new: Sequence[Prediction], existing: Sequence[tuple[int, tuple[float, float, float, float]]]
) -> list[bool]:
    """For each prediction: whether an existing box of its class overlaps it by IoU >= DUPLICATE_IOU."""
    if not new or not existing:
        return [False] * len(new)
    new_boxes = np.array([p.box for p in new], dtype=np.float64)
    old_boxes = np.array([box for _, box in existing], dtype=np.float64)
    same_class = np.array([p.class_id for p in new])[:, None] == np.array([c for c, _ in existing])[None, :]
    overlap = iou_matrix(new_boxes, old_boxes) >= DUPLICATE_IOU
    return [bool(v) for v in (overlap & same_class).any(axis=1)]

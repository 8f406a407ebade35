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
    order: list[int] = np.argsort(-scores, kind="stable").tolist()
    if iou >= 1.0:
        return order
    overlaps = iou_matrix(boxes, boxes) > iou
    kept: list[int] = []
    suppressed = np.zeros(len(boxes), dtype=bool)
    for index in order:
        if suppressed[index]:
            continue
        kept.append(index)
        suppressed |= overlaps[index]
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
    # One lookup per distinct (prompt, label): a model repeats a handful of labels many times.
    lookup: dict[tuple[int, str], int | None] = {}
    classes = []
    for index, label in zip(found.prompt_index.tolist(), found.labels, strict=True):
        key = (index, label)
        if key not in lookup:
            lookup[key] = class_of(index, label)
        classes.append(lookup[key])
    class_ids = np.array([-1 if c is None else c for c in classes], dtype=np.int64)
    known = class_ids >= 0
    boxes = found.boxes.astype(np.float64) * np.array([scale[0], scale[1], scale[0], scale[1]])
    scores = found.scores.astype(np.float64)
    keep: list[int] = []
    for class_id in np.unique(class_ids[known]).tolist():
        members = np.flatnonzero(class_ids == class_id)
        keep.extend(members[nms(boxes[members], scores[members], nms_iou)].tolist())
    chosen = sorted(keep, key=lambda i: -scores[i])[:max_boxes]
    rows = np.column_stack([boxes[chosen], scores[chosen]]).tolist() if chosen else []
    predictions = [
        Prediction(c, x1, y1, x2, y2, s)
        for c, (x1, y1, x2, y2, s) in zip(class_ids[chosen].tolist(), rows, strict=True)
    ]
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

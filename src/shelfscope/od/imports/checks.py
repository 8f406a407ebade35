"""Phase 3 of an import: every shape checked against its real image, chunk by chunk (numpy): unknown
image or category, NaN/inf, negative or empty size, outside the image; boxes within the edge
tolerance clipped, boxes for another declared size rescaled, boxes the image already has dropped.
What passes goes to a spill file of rows for the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.db import Database
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.schemas import clean_class_name
from shelfscope.od.classes.service import find_classes
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.imports.ingest import Unit
from shelfscope.od.imports.issues import IssueLog
from shelfscope.od.imports.readers import Document, Layout
from shelfscope.od.imports.row_issues import RowIssues, describe_box
from shelfscope.od.imports.shapes import EDGE_TOLERANCE_PX, Floats, fit_polygon, pixel_boxes, resolve_keys
from shelfscope.od.imports.spill import ROW_DTYPE, Spill
from shelfscope.od.io.common import Issue

_QUERY_CHUNK = 500
# (class key, x1, y1, x2, y2): a class key is an existing class id, else -(label index + 1).
Shape = tuple[int, float, float, float, float]


@dataclass
class CheckResult:
    rows: Spill
    unit_counts: npt.NDArray[np.int64]
    label_counts: npt.NDArray[np.int64]
    read: int = 0
    skipped: int = 0
    duplicates: int = 0
    clipped: int = 0
    rescaled: int = 0
    any_polygon: bool = False


@dataclass
class _Located:
    """One chunk of rows, each tied to its entry, label and unit, with its image's size and the scale
    from the declared size (entry, label and unit are -1 where unknown)."""

    raw: npt.NDArray[Any]
    extras: list[Any]
    entry: npt.NDArray[np.int64]
    label: npt.NDArray[np.int64]
    unit: npt.NDArray[Any]
    w: Floats
    h: Floats
    sx: Floats
    sy: Floats


@dataclass
class _Keeper:
    """Turns the good rows of a chunk into spill rows: polygons fitted to their image, and shapes an
    image already has (listed twice, or in the dataset before) dropped."""

    units: list[Unit]
    # Class key per label for de-duplication: an existing class id, else -(label + 1).
    label_class: npt.NDArray[np.int64]
    existing_shapes: dict[int, set[Shape]]
    rows: RowIssues
    seen: dict[int, set[Shape]] = field(default_factory=dict)

    def emit(self, result: CheckResult, at: _Located, good: npt.NDArray[np.bool_], box: list[Floats]) -> None:
        keep, out_extras, out_extra, kind = self._fit_extras(result, at, good)
        self._drop_duplicates(result, at, keep, box)
        x1, y1, x2, y2 = box
        rows = np.zeros(int(np.count_nonzero(keep)), dtype=ROW_DTYPE)
        rows["unit"] = at.unit[keep]
        rows["label"] = at.label[keep]
        rows["x1"], rows["y1"], rows["x2"], rows["y2"] = x1[keep], y1[keep], x2[keep], y2[keep]
        rows["kind"] = kind[keep]
        rows["extra"] = out_extra[keep]
        result.rows.add_array(rows, out_extras)
        np.add.at(result.unit_counts, rows["unit"], 1)
        np.add.at(result.label_counts, rows["label"], 1)

    def _fit_extras(
        self, result: CheckResult, at: _Located, good: npt.NDArray[np.bool_]
    ) -> tuple[npt.NDArray[np.bool_], list[Any], npt.NDArray[np.int32], npt.NDArray[np.int8]]:
        """(rows kept, their extras, extra index per row, kind per row: 1 for a polygon)."""
        raw = at.raw
        keep = good.copy()
        out_extras: list[Any] = []
        out_extra = np.full(len(raw), -1, dtype=np.int32)
        kind = np.zeros(len(raw), dtype=np.int8)
        for i in np.flatnonzero(good & (raw["extra"] >= 0)):
            points, attributes = at.extras[int(raw["extra"][i])]
            if points is not None:
                w, h = float(at.w[i]), float(at.h[i])
                normalised = int(raw["layout"][i]) == Layout.CXCYWH
                fx, fy = (w, h) if normalised else (float(at.sx[i]), float(at.sy[i]))
                fixed = fit_polygon(points, fx, fy, w, h)
                if isinstance(fixed, str):
                    self.rows.invalid(raw[i], "bad_polygon", f"{self.rows.place(raw[i])}: polygon {fixed}.")
                    result.skipped += 1
                    keep[i] = False
                    continue
                points = fixed
                kind[i] = 1
                result.any_polygon = True
            out_extra[i] = len(out_extras)
            out_extras.append((points, attributes))
        return keep, out_extras, out_extra, kind

    def _drop_duplicates(
        self, result: CheckResult, at: _Located, keep: npt.NDArray[np.bool_], box: list[Floats]
    ) -> None:
        dedupe_units = [i for i, u in enumerate(self.units) if u.dedupe]
        if not dedupe_units:
            return
        x1, y1, x2, y2 = box
        for i in np.flatnonzero(keep & np.isin(at.unit, dedupe_units)):
            u = int(at.unit[i])
            shape = (
                int(self.label_class[at.label[i]]),
                round(float(x1[i]), 6),
                round(float(y1[i]), 6),
                round(float(x2[i]), 6),
                round(float(y2[i]), 6),
            )
            seen = self.seen.setdefault(u, set(self.existing_shapes.get(u, ())))
            if shape in seen:
                keep[i] = False
                result.duplicates += 1
            else:
                seen.add(shape)


class _ShapeChecker:
    def __init__(
        self,
        doc: Document,
        units: list[Unit],
        entry_unit: npt.NDArray[np.int32],
        label_ok: npt.NDArray[np.bool_],
        keeper: _Keeper,
    ) -> None:
        self.doc = doc
        self.n_units = len(units)
        self.entry_unit = np.append(entry_unit, np.int32(-1))
        self.label_ok = label_ok
        self.keeper = keeper
        self.rows = keeper.rows
        # Index n_units / n_entries: a placeholder for rows without an image / entry.
        self.unit_w = np.array([u.width for u in units] + [1], dtype=np.float64)
        self.unit_h = np.array([u.height for u in units] + [1], dtype=np.float64)
        self.declared_w = np.array([(e.declared or (0, 0))[0] for e in doc.entries] + [0], dtype=np.float64)
        self.declared_h = np.array([(e.declared or (0, 0))[1] for e in doc.entries] + [0], dtype=np.float64)

    def check(self, scratch: Path | None) -> CheckResult:
        doc = self.doc
        result = CheckResult(
            Spill(ROW_DTYPE, scratch),
            np.zeros(self.n_units, np.int64),
            np.zeros(max(len(doc.labels), 1), np.int64),
        )
        ignored = np.array(sorted(doc.ignored_scopes), dtype=np.int64)
        for raw, extras in doc.shapes.chunks():
            if len(ignored):
                raw = raw[~np.isin(raw["scope"], ignored)]
            result.read += len(raw)
            self._check_chunk(result, self._locate(raw, extras))
        return result

    def _locate(self, raw: npt.NDArray[Any], extras: list[Any]) -> _Located:
        doc = self.doc
        entry = resolve_keys(raw["scope"], raw["image_key"], doc.image_keys)
        label = resolve_keys(raw["scope"], raw["label_key"], doc.label_keys)
        e = np.where(entry >= 0, entry, len(doc.entries))
        unit = self.entry_unit[e]
        u = np.where(unit >= 0, unit, self.n_units)
        w, h = self.unit_w[u], self.unit_h[u]
        dw, dh = self.declared_w[e], self.declared_h[e]
        sx = np.where(dw > 0, w / np.where(dw > 0, dw, 1), 1.0)
        sy = np.where(dh > 0, h / np.where(dh > 0, dh, 1), 1.0)
        return _Located(raw, extras, entry, label, unit, w, h, sx, sy)

    def _check_chunk(self, result: CheckResult, at: _Located) -> None:
        raw, w, h = at.raw, at.w, at.h
        box = pixel_boxes(raw, w, h, at.sx, at.sy)
        known_label = at.label >= 0
        label_valid = known_label & self.label_ok[np.where(known_label, at.label, len(self.label_ok) - 1)]
        image_gone = (at.entry >= 0) & (at.unit < 0)
        bad = (at.entry < 0) | ~label_valid | ~box.finite | box.negative | box.empty | box.outside
        result.skipped += int(np.count_nonzero(image_gone))
        scaled = ((at.sx != 1) | (at.sy != 1)) & ~bad & ~image_gone & ~(raw["layout"] == Layout.CXCYWH)
        result.rescaled += int(np.count_nonzero(scaled))
        for i in np.flatnonzero(bad & ~image_gone):
            self.rows.report(raw[i], int(at.entry[i]), int(at.label[i]), bool(label_valid[i]), w[i], h[i])
        result.skipped += int(np.count_nonzero(bad & ~image_gone))
        x1c, y1c = np.clip(box.x1, 0, w), np.clip(box.y1, 0, h)
        x2c, y2c = np.clip(box.x2, 0, w), np.clip(box.y2, 0, h)
        # Within the tolerance but wholly past the edge: nothing is left after clipping.
        vanished = ~bad & ~image_gone & ((x2c - x1c <= 0) | (y2c - y1c <= 0))
        for i in np.flatnonzero(vanished):
            message = f"{self.rows.place(raw[i])}: {describe_box(raw[i])} lies outside the image."
            self.rows.invalid(raw[i], "box_outside_image", message)
        result.skipped += int(np.count_nonzero(vanished))
        good = ~bad & ~image_gone & ~vanished
        clipped = good & ((box.x1 < 0) | (box.y1 < 0) | (box.x2 > w) | (box.y2 > h))
        result.clipped += int(np.count_nonzero(clipped))
        self.keeper.emit(result, at, good, [x1c, y1c, x2c, y2c])


def _valid_label(name: str) -> bool:
    try:
        clean_class_name(name)
    except ValueError:
        return False
    return True


def _existing_shapes(session: Session, dataset_id: int, units: list[Unit]) -> dict[int, set[Shape]]:
    """Boxes the dataset's images already have, for images this import adds to it again (an empty
    set for a member without boxes), by unit index; class keys are class ids."""
    by_image = {u.existing_id: i for i, u in enumerate(units) if u.existing_id is not None}
    out: dict[int, set[Shape]] = {}
    ids = list(by_image)
    for start in range(0, len(ids), _QUERY_CHUNK):
        chunk = ids[start : start + _QUERY_CHUNK]
        rows = session.execute(
            select(
                DatasetImage.image_id,
                Annotation.class_id,
                Annotation.x1,
                Annotation.y1,
                Annotation.x2,
                Annotation.y2,
            )
            .join(Annotation, Annotation.dataset_image_id == DatasetImage.id)
            .where(DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(chunk))
        )
        for image_id, class_id, x1, y1, x2, y2 in rows:
            out.setdefault(by_image[image_id], set()).add(
                (class_id, round(x1, 6), round(y1, 6), round(x2, 6), round(y2, 6))
            )
        members = session.execute(
            select(DatasetImage.image_id).where(
                DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(chunk)
            )
        )
        for (image_id,) in members:
            out.setdefault(by_image[image_id], set())
    return out


def check_shapes(
    db: Database,
    dataset_id: int | None,
    doc: Document,
    units: list[Unit],
    entry_unit: npt.NDArray[np.int32],
    log: IssueLog,
    scratch: Path | None,
) -> CheckResult:
    """Check every shape of the document; the rows that pass are in the result's spill."""
    label_ok = np.array([_valid_label(n) for n in doc.labels] + [False], dtype=np.bool_)
    label_class = np.array([-(i + 1) for i in range(len(doc.labels))] + [0], dtype=np.int64)
    existing_shapes: dict[int, set[Shape]] = {}
    with db.read() as session:
        matches = find_classes(session, [n for n, ok in zip(doc.labels, label_ok, strict=False) if ok])
        for i, name in enumerate(doc.labels):
            if name in matches:
                label_class[i] = matches[name].class_id
        if dataset_id is not None:
            existing_shapes = _existing_shapes(session, dataset_id, units)
    for u in existing_shapes:
        units[u].dedupe = True
    keeper = _Keeper(units, label_class, existing_shapes, RowIssues(doc, log))
    return _ShapeChecker(doc, units, entry_unit, label_ok, keeper).check(scratch)


def add_summary_warnings(log: IssueLog, checked: CheckResult, doc: Document) -> None:
    """One warning per kind of fix the checks made (clipped, rescaled, duplicates, dropped parts)."""
    if checked.clipped:
        message = (
            f"{checked.clipped} boxes reached up to {EDGE_TOLERANCE_PX:g} px past the image edge and were "
            "clipped to it."
        )
        log.add(Issue("clipped", message, severity="warning"))
    if checked.rescaled:
        message = (
            f"{checked.rescaled} boxes were given for an image size that differs from the image file; they "
            "were scaled to the file's size."
        )
        log.add(Issue("rescaled", message, severity="warning"))
    if checked.duplicates:
        message = (
            f"{checked.duplicates} annotations repeat a box of the same class that the image already has "
            "(listed twice, or imported before); they were not added again."
        )
        log.add(Issue("duplicate_annotation", message, severity="warning"))
    for what, count in sorted(doc.dropped.items()):
        log.add(Issue("dropped", f"{count} annotations had {what}, which were not kept.", severity="warning"))

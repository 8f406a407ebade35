"""What an annotation write must pass before anything is written: non-null fields, confidence, geometry
(od.geometry) and class ids, every failure named by field (`created[3].x2`), all of them at once."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.errors import ValidationFailed
from shelfscope.od.annotations.schemas import AnnotationPatch
from shelfscope.od.classes.models import OdClass
from shelfscope.od.geometry import Box, GeometryError, check_box, check_polygon
from shelfscope.od.images.models import Image

# A rejected request lists at most this many problems.
MAX_PROBLEMS = 100
# The columns a client writes; the rest are set by the server.
WRITABLE = (
    "class_id",
    "kind",
    "x1",
    "y1",
    "x2",
    "y2",
    "points",
    "source",
    "confidence",
    "review_state",
    "model",
    "attributes",
)
_NOT_NULL = ("class_id", "kind", "source", "review_state")
CREATE_DEFAULTS: dict[str, Any] = {"kind": "bbox", "source": "manual", "review_state": "none"}

Row = dict[str, Any]


def _name(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix else field


class Problems:
    """Every failed check of one request; raises them together, so a rejected request changes nothing."""

    def __init__(self) -> None:
        self.fields: list[dict[str, str]] = []
        self.total = 0

    def add(self, field: str, message: str) -> None:
        self.total += 1
        if len(self.fields) < MAX_PROBLEMS:
            self.fields.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        if not self.total:
            return
        first = self.fields[0]
        more = f" (and {self.total - 1} more)" if self.total > 1 else ""
        raise ValidationFailed(
            f"{first['field']}: {first['message']}{more}. Nothing was changed.",
            field=first["field"],
            fields=self.fields,
            problem_count=self.total,
        )


def _geometry(values: Row, image: Image) -> tuple[list[list[float]] | None, Box]:
    if values.get("kind") == "polygon":
        return check_polygon(values.get("points"), image.width, image.height)
    if values.get("points") is not None:
        raise GeometryError("points", "only a polygon has points; send null for a box")
    box = check_box(
        values.get("x1"), values.get("y1"), values.get("x2"), values.get("y2"), image.width, image.height
    )
    return None, box


def clean(prefix: str, values: Row, image: Image, problems: Problems) -> Row | None:
    """Checks one annotation's writable values against the image; the values as stored, or None."""
    ok = True
    for field in _NOT_NULL:
        if values.get(field) is None:
            problems.add(_name(prefix, field), "must not be null")
            ok = False
    confidence = values.get("confidence")
    if confidence is not None and not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
        problems.add(_name(prefix, "confidence"), "must be between 0 and 1")
        ok = False
    out = dict(values)
    try:
        out["points"], box = _geometry(values, image)
        out.update(x1=box.x1, y1=box.y1, x2=box.x2, y2=box.y2)
    except GeometryError as exc:
        problems.add(_name(prefix, exc.field), exc.message)
        ok = False
    return out if ok else None


def merge_patch(existing: Row, patch: AnnotationPatch) -> Row:
    """The stored values with the patch's given fields on top; turning a polygon into a box drops points."""
    merged = {k: existing[k] for k in WRITABLE}
    given = patch.model_dump(include=set(WRITABLE) & patch.model_fields_set)
    merged.update(given)
    if merged["kind"] == "bbox" and "points" not in given:
        merged["points"] = None
    return merged


def create_values(fields: Mapping[str, Any]) -> Row:
    return {k: fields.get(k) for k in WRITABLE}


def check_classes(session: Session, wanted: Mapping[int, list[str]], problems: Problems) -> None:
    """Every class id named must exist; locked FOR KEY SHARE on PostgreSQL so it cannot vanish mid-save."""
    if not wanted:
        return
    found = set(
        session.scalars(
            select(OdClass.id).where(OdClass.id.in_(list(wanted))).with_for_update(read=True, key_share=True)
        )
    )
    for class_id, fields in wanted.items():
        if class_id not in found:
            for field in fields:
                problems.add(field, f"no class with id {class_id}")


# What makes an AI proposal "edited" when a person changes it before accepting.
_REVIEWED_GEOMETRY = ("class_id", "kind", "x1", "y1", "x2", "y2", "points")


def with_review_edit(stored: Row, cleaned: Row) -> Row:
    """The cleaned values plus `review_edited`: set once an AI proposal's box or class changes while it
    is pending (the review stats count it "accepted after edit"), and never cleared."""
    changed = any(cleaned[k] != stored[k] for k in _REVIEWED_GEOMETRY)
    pending_ai = stored["source"] == "ai" and stored["review_state"] == "pending"
    return {**cleaned, "review_edited": bool(stored.get("review_edited")) or (pending_ai and changed)}


def unchanged(cleaned: Row, existing: Row) -> bool:
    return all(cleaned[k] == existing[k] for k in WRITABLE)


def geometry_key(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two annotations of one image the same box: a create repeating one is not written twice."""
    points = values.get("points")
    return (
        values["class_id"],
        values["kind"],
        values["x1"],
        values["y1"],
        values["x2"],
        values["y2"],
        tuple(tuple(p) for p in points) if points else None,
    )

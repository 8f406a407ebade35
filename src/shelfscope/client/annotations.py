"""An image's boxes in a dataset: read them, write them (with the revision check), convert them to and
from `supervision.Detections`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field

from shelfscope.client._transport import Transport
from shelfscope.client.datasets import DatasetRef, resolve_dataset_id
from shelfscope.client.errors import ShelfscopeClientError, ValidationFailed
from shelfscope.client.types import Model

if TYPE_CHECKING:
    import supervision

_API = "/api/v1/od"
_SUPERVISION_HINT = (
    "supervision is not installed: `pip install shelfscope[supervision]` (or `pip install supervision`)"
)


class Box(Model):
    """One annotation in image pixels, as the API stores it: corners (x1, y1) top-left and (x2, y2)
    bottom-right. `id` is None for a box not saved yet; `score` is a model's confidence (None for a
    person's box). A polygon keeps its `points`; x1..y2 are then its bounds."""

    class_id: int | None = None
    class_name: str | None = None
    x1: float
    y1: float
    x2: float
    y2: float
    score: float | None = None
    source: str = "manual"  # manual, ai, import
    review_state: str = "none"  # none, pending, accepted, rejected
    kind: str = "bbox"  # bbox, polygon
    points: list[tuple[float, float]] | None = None
    id: int | None = None

    @classmethod
    def from_xywh(cls, x: float, y: float, w: float, h: float, **fields: Any) -> Box:
        """A box from its top-left corner and size (COCO's `bbox` order)."""
        return cls(x1=x, y1=y, x2=x + w, y2=y + h, **fields)

    @property
    def x(self) -> float:
        return self.x1

    @property
    def y(self) -> float:
        return self.y1

    @property
    def w(self) -> float:
        return self.x2 - self.x1

    @property
    def h(self) -> float:
        return self.y2 - self.y1

    @property
    def xyxy(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)


class ImageAnnotations(Model):
    """An image's boxes in one dataset. `revision` goes back to `save()`: a save made against an
    older revision is refused with Conflict rather than overwriting someone else's work."""

    image_id: int
    dataset_id: int
    revision: int
    width: int
    height: int
    filename: str = ""
    status: str = "new"
    boxes: list[Box] = Field(default_factory=list)


class MissingDependency(ShelfscopeClientError, ImportError):
    """An optional package the call needs is not installed; the message names the pip command."""


def _box(item: Mapping[str, Any], names: Mapping[int, str]) -> Box:
    points = item.get("points")
    return Box(
        id=int(item["id"]),
        class_id=int(item["class_id"]),
        class_name=names.get(int(item["class_id"])),
        x1=float(item["x1"]),
        y1=float(item["y1"]),
        x2=float(item["x2"]),
        y2=float(item["y2"]),
        score=item.get("confidence"),
        source=str(item.get("source") or "manual"),
        review_state=str(item.get("review_state") or "none"),
        kind=str(item.get("kind") or "bbox"),
        points=[(float(p[0]), float(p[1])) for p in points] if points else None,
    )


def _fields(box: Box, class_id: int) -> dict[str, Any]:
    """What the save sends for a box: the writable fields, polygon points only for a polygon."""
    out: dict[str, Any] = {
        "class_id": class_id,
        "kind": box.kind,
        "source": box.source,
        "confidence": box.score,
        "review_state": box.review_state,
    }
    if box.kind == "polygon" and box.points:
        out["points"] = [list(p) for p in box.points]
    else:
        out.update(x1=box.x1, y1=box.y1, x2=box.x2, y2=box.y2)
    return out


def _changed(box: Box, class_id: int, stored: Box) -> bool:
    return (
        class_id != stored.class_id
        or box.kind != stored.kind
        or box.source != stored.source
        or box.score != stored.score
        or box.review_state != stored.review_state
        or (box.kind == "polygon" and box.points != stored.points)
        or (box.kind != "polygon" and box.xyxy != stored.xyxy)
    )


class Annotations:
    """`client.annotations`: `get(dataset, image_id)` and `save(dataset, image_id, boxes, revision=)`;
    `dataset` is a handle, an id or a name, `image_id` the library image's id."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _class_names(self, dataset_id: int) -> dict[int, str]:
        body = self._t.json("GET", f"{_API}/datasets/{dataset_id}/classes")
        return {int(item["id"]): str(item["name"]) for item in body["items"]}

    def _load(self, dataset_id: int, image_id: int) -> tuple[dict[str, Any], dict[int, str]]:
        body = self._t.json("GET", f"{_API}/datasets/{dataset_id}/images/{int(image_id)}/annotations")
        return body, self._class_names(dataset_id)

    def get(self, dataset: DatasetRef, image_id: int) -> ImageAnnotations:
        """The image's boxes with class names, its size and the revision to save against."""
        dataset_id = resolve_dataset_id(self._t, dataset)
        body, names = self._load(dataset_id, image_id)
        return _annotations(body, body["items"], names)

    def save(
        self, dataset: DatasetRef, image_id: int, boxes: Sequence[Box], *, revision: int
    ) -> ImageAnnotations:
        """Make `boxes` the image's annotations, all in one change: boxes with an `id` update that
        annotation, boxes without one are created, and stored annotations left out are deleted.
        Refused with Conflict (nothing saved; the error body's `current` has the image's state now)
        when the image changed since `revision`; with ValidationFailed naming the box
        (`created[0].x2`, `boxes[3].class_name`) when a box is wrong. A box named by `class_name`
        only takes the dataset's (else the catalogue's) class of that name or alias."""
        dataset_id = resolve_dataset_id(self._t, dataset)
        body, names = self._load(dataset_id, image_id)
        stored = {int(item["id"]): _box(item, names) for item in body["items"]}
        by_name = {name.casefold(): class_id for class_id, name in names.items()}
        created: list[dict[str, Any]] = []
        updated: list[dict[str, Any]] = []
        kept: set[int] = set()
        for index, box in enumerate(boxes):
            class_id = box.class_id if box.class_id is not None else self._class_by_name(box, index, by_name)
            if box.id is not None and box.id in stored:
                kept.add(box.id)
                if _changed(box, class_id, stored[box.id]):
                    updated.append({"id": box.id, **_fields(box, class_id)})
            elif box.id is not None:
                # Not (or no longer) on this image: the server names it as updated[i].id.
                updated.append({"id": box.id, **_fields(box, class_id)})
            else:
                created.append({"client_id": str(index), **_fields(box, class_id)})
        deleted = [ann_id for ann_id in stored if ann_id not in kept]
        saved = self._t.json(
            "PUT",
            f"{_API}/datasets/{dataset_id}/images/{int(image_id)}/annotations",
            json_body={"base_revision": revision, "created": created, "updated": updated, "deleted": deleted},
        )
        if any(int(item["class_id"]) not in names for item in saved["items"] or []):
            names = self._class_names(dataset_id)
        body["dataset_image"] = {
            **body["dataset_image"],
            "revision": saved["revision"],
            "status": saved["status"],
        }
        return _annotations(body, saved["items"] or [], names)

    def _class_by_name(self, box: Box, index: int, by_name: Mapping[str, int]) -> int:
        name = (box.class_name or "").strip()
        field = f"boxes[{index}].class_name"
        if not name:
            raise _invalid(field, "a box needs a class_id or a class_name", f"Box {index} has no class.")
        found = by_name.get(name.casefold())
        if found is not None:
            return found
        page = self._t.json("GET", f"{_API}/classes", params={"q": name, "limit": 500})
        for item in page["items"]:
            aliases = [str(a).casefold() for a in item.get("aliases") or []]
            if str(item["name"]).casefold() == name.casefold() or name.casefold() in aliases:
                return int(item["id"])
        raise _invalid(
            field,
            f"no class is named {name!r}",
            f"Box {index}: there is no class named {name!r}; create it first (datasets.create(classes=...)).",
        )


def _invalid(field: str, message: str, detail: str) -> ValidationFailed:
    return ValidationFailed(
        422, {"error": "ValidationFailed", "detail": detail, "fields": [{"field": field, "message": message}]}
    )


def _annotations(
    body: Mapping[str, Any], items: Sequence[Mapping[str, Any]], names: Mapping[int, str]
) -> ImageAnnotations:
    image = body["image"]
    state = body["dataset_image"]
    return ImageAnnotations(
        image_id=int(image["id"]),
        dataset_id=int(body["dataset_id"]),
        revision=int(state["revision"]),
        width=int(image["width"]),
        height=int(image["height"]),
        filename=str(image.get("filename") or ""),
        status=str(state.get("status") or "new"),
        boxes=[_box(item, names) for item in items],
    )


# ---- supervision -----------------------------------------------------------------------------------


def _supervision() -> Any:
    try:
        import supervision
    except ImportError as exc:
        raise MissingDependency(_SUPERVISION_HINT) from exc
    return supervision


def to_supervision(annotations: ImageAnnotations | Sequence[Box]) -> supervision.Detections:
    """The boxes as `supervision.Detections`: `xyxy` in pixels, `class_id` (Shelfscope class ids),
    `confidence` (NaN for a box without a score; None when no box has one), and `data` with
    `class_name`, `annotation_id` (-1 for unsaved), `source` and `review_state`, so that
    `from_supervision` gives the same boxes back."""
    sv = _supervision()
    import numpy as np

    boxes = list(annotations.boxes if isinstance(annotations, ImageAnnotations) else annotations)
    scores = [b.score for b in boxes]
    detections: supervision.Detections = sv.Detections(
        xyxy=np.array([b.xyxy for b in boxes], dtype=np.float64).reshape(-1, 4),
        class_id=np.array([-1 if b.class_id is None else b.class_id for b in boxes], dtype=int),
        confidence=(
            None
            if all(s is None for s in scores)
            else np.array([math.nan if s is None else s for s in scores], dtype=np.float64)
        ),
        data={
            "class_name": np.array([b.class_name or "" for b in boxes], dtype=object),
            "annotation_id": np.array([-1 if b.id is None else b.id for b in boxes], dtype=int),
            "source": np.array([b.source for b in boxes], dtype=object),
            "review_state": np.array([b.review_state for b in boxes], dtype=object),
        },
    )
    return detections


def from_supervision(
    detections: supervision.Detections,
    *,
    class_ids: Mapping[int, int] | Sequence[int] | None = None,
    source: str | None = None,
) -> list[Box]:
    """Boxes from `supervision.Detections` (a model's output, or what `to_supervision` made).

    `class_ids` maps the detections' `class_id` (a model's class index) to Shelfscope class ids; without
    it the `class_id` is taken as a Shelfscope class id, as `to_supervision` writes it. A detection
    whose `class_id` is None or -1 keeps only `data["class_name"]`, which `save()` resolves by name.
    `source` defaults to `data["source"]`, else "ai" for detections with a confidence, else "manual"."""
    _supervision()
    n = len(detections)
    data = detections.data or {}
    names = data.get("class_name")
    ann_ids = data.get("annotation_id")
    sources = data.get("source")
    reviews = data.get("review_state")
    out: list[Box] = []
    for i in range(n):
        x1, y1, x2, y2 = (float(v) for v in detections.xyxy[i])
        raw_class = None if detections.class_id is None else int(detections.class_id[i])
        class_id: int | None = raw_class if raw_class is not None and raw_class >= 0 else None
        if class_ids is not None and raw_class is not None:
            try:
                class_id = int(class_ids[raw_class])
            except (KeyError, IndexError):
                raise ValueError(
                    f"detection {i}: class_id {raw_class} is not in class_ids (give every model class one)"
                ) from None
        score: float | None = None
        if detections.confidence is not None:
            value = float(detections.confidence[i])
            score = None if math.isnan(value) else value
        ann_id = int(ann_ids[i]) if ann_ids is not None and int(ann_ids[i]) >= 0 else None
        box_source = source or (
            str(sources[i]) if sources is not None else ("ai" if score is not None else "manual")
        )
        name = str(names[i]) if names is not None and str(names[i]) else None
        out.append(
            Box(
                id=ann_id,
                class_id=class_id,
                class_name=name,
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                score=score,
                source=box_source,
                review_state=str(reviews[i]) if reviews is not None else "none",
            )
        )
    return out


__all__ = [
    "Annotations",
    "Box",
    "ImageAnnotations",
    "MissingDependency",
    "from_supervision",
    "to_supervision",
]

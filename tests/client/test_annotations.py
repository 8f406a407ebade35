"""An image's boxes through the client against a real server: read in pixels with class names, saved
as one change with the revision check (a stale revision or a bad box changes nothing), and converted
to and from supervision's Detections."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import supervision as sv

from shelfscope.client import Client, Conflict, ValidationFailed
from shelfscope.client.annotations import (
    Box,
    ImageAnnotations,
    MissingDependency,
    from_supervision,
    to_supervision,
)
from shelfscope.client.datasets import DatasetHandle
from tests.client.test_datasets import shelf_items, unique, yolo_zip


@pytest.fixture
def labelled(api: Client, tmp_path: Path) -> tuple[DatasetHandle, int]:
    """A dataset imported from YOLO, and the id of its image with three boxes."""
    name = unique("boxes")
    api.datasets.import_archive(yolo_zip(tmp_path / "yolo", shelf_items(3)), "yolo", dataset=name)
    handle = api.datasets.get(name)
    image = next(m for m in handle.images() if m.image.filename == "img_002.jpg")
    return handle, image.image_id


def test_an_images_boxes_are_read_in_pixels_with_class_names(
    api: Client, labelled: tuple[DatasetHandle, int]
) -> None:
    handle, image_id = labelled
    ann = api.annotations.get(handle.name, image_id)

    assert (ann.image_id, ann.dataset_id, ann.width, ann.height) == (image_id, handle.id, 64, 48)
    assert ann.filename == "img_002.jpg" and ann.revision >= 0
    boxes = sorted(ann.boxes, key=lambda b: b.x1)
    # shelf_items: box k of image 2 is (2.5 + 10k, 3.25 + k, 20.5 + 10k, 30.75 + k), written normalised.
    for k, box in enumerate(boxes):
        assert box.xyxy == pytest.approx((2.5 + 10 * k, 3.25 + k, 20.5 + 10 * k, 30.75 + k), abs=1e-3)
        assert (box.w, box.h) == pytest.approx((18.0, 27.5), abs=1e-3)
        assert box.id is not None and box.source == "import"
    assert [b.class_name.casefold() for b in boxes if b.class_name] == ["water", "cola", "chips"]
    assert api.annotations.get(handle, image_id) == api.annotations.get(handle.id, image_id)


def test_save_updates_creates_and_deletes_in_one_revision(
    api: Client, labelled: tuple[DatasetHandle, int]
) -> None:
    handle, image_id = labelled
    ann = api.annotations.get(handle, image_id)
    first, second, third = sorted(ann.boxes, key=lambda b: b.x1)
    moved = first.model_copy(update={"x1": 5.0, "x2": 25.0})
    added = Box(class_name=first.class_name, x1=30.0, y1=10.0, x2=60.0, y2=40.0, score=0.8, source="ai")

    saved = api.annotations.save(handle, image_id, [moved, second, added], revision=ann.revision)

    assert saved.revision == ann.revision + 1
    again = api.annotations.get(handle, image_id)
    assert again.revision == saved.revision
    stored = {b.id: b for b in again.boxes}
    assert len(stored) == 3
    assert all(b.xyxy != third.xyxy for b in again.boxes), "the box left out was not deleted"
    assert stored[first.id].xyxy == (5.0, first.y1, 25.0, first.y2)
    assert stored[second.id] == second
    # SQLite may hand the deleted box's id to the new one: tell them apart by what they hold.
    (new,) = [b for b in again.boxes if b.id not in (first.id, second.id)]
    assert (new.class_id, new.xyxy, new.score, new.source) == (
        first.class_id,
        (30.0, 10.0, 60.0, 40.0),
        0.8,
        "ai",
    )
    assert sorted(b.id or 0 for b in saved.boxes) == sorted(i or 0 for i in stored)


def test_a_stale_revision_is_a_conflict_and_nothing_is_saved(
    api: Client, labelled: tuple[DatasetHandle, int]
) -> None:
    handle, image_id = labelled
    ann = api.annotations.get(handle, image_id)
    api.annotations.save(handle, image_id, ann.boxes[:2], revision=ann.revision)
    now = api.annotations.get(handle, image_id)

    with pytest.raises(Conflict) as caught:
        api.annotations.save(handle, image_id, [], revision=ann.revision)

    assert caught.value.status == 409 and caught.value.body["error"] == "Conflict"
    assert caught.value.body["current"]["revision"] == now.revision
    assert api.annotations.get(handle, image_id) == now


def test_a_bad_box_is_refused_naming_it_and_nothing_is_saved(
    api: Client, labelled: tuple[DatasetHandle, int]
) -> None:
    handle, image_id = labelled
    before = api.annotations.get(handle, image_id)

    with pytest.raises(ValidationFailed) as unknown:
        api.annotations.save(
            handle, image_id, [*before.boxes, Box(class_name=unique("nope"), x1=1, y1=1, x2=5, y2=5)],
            revision=before.revision,
        )  # fmt: skip
    assert unknown.value.fields[0]["field"] == f"boxes[{len(before.boxes)}].class_name"

    with pytest.raises(ValidationFailed) as outside:
        api.annotations.save(
            handle, image_id, [Box(class_id=before.boxes[0].class_id, x1=10, y1=10, x2=5, y2=20)],
            revision=before.revision,
        )  # fmt: skip
    assert outside.value.status == 422 and outside.value.body["error"] == "ValidationFailed"
    assert any(f["field"].startswith("created[0]") for f in outside.value.fields), outside.value.body

    assert api.annotations.get(handle, image_id) == before


def test_boxes_round_trip_through_supervision_detections(
    api: Client, labelled: tuple[DatasetHandle, int]
) -> None:
    handle, image_id = labelled
    ann = api.annotations.get(handle, image_id)
    boxes = [
        *ann.boxes,
        Box(class_id=ann.boxes[0].class_id, class_name="x", x1=1.25, y1=2, x2=3, y2=4, score=0.5),
    ]

    detections = to_supervision(ImageAnnotations(**{**ann.model_dump(), "boxes": boxes}))

    assert isinstance(detections, sv.Detections) and len(detections) == 4
    np.testing.assert_allclose(detections.xyxy, [b.xyxy for b in boxes])
    assert list(detections.class_id if detections.class_id is not None else []) == [b.class_id for b in boxes]
    assert list(detections.data["class_name"]) == [b.class_name for b in boxes]
    assert detections.confidence is not None
    assert [math.isnan(c) for c in detections.confidence] == [True, True, True, False]
    assert from_supervision(detections) == boxes
    assert to_supervision(ann.boxes).confidence is None


def test_a_models_detections_are_saved_with_its_classes_mapped(
    api: Client, labelled: tuple[DatasetHandle, int]
) -> None:
    handle, image_id = labelled
    ann = api.annotations.get(handle, image_id)
    classes = {c.name.casefold(): c.id for c in handle.classes()}
    predicted = sv.Detections(
        xyxy=np.array([[1.0, 2.0, 30.0, 40.0], [10.0, 5.0, 50.0, 45.0]]),
        class_id=np.array([0, 1]),
        confidence=np.array([0.9, 0.4]),
    )

    boxes = from_supervision(predicted, class_ids={0: classes["water"], 1: classes["chips"]})
    assert [(b.class_id, b.score, b.source, b.id) for b in boxes] == [
        (classes["water"], 0.9, "ai", None), (classes["chips"], 0.4, "ai", None),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="class_id 1"):
        from_supervision(predicted, class_ids={0: classes["water"]})

    saved = api.annotations.save(handle, image_id, [*ann.boxes, *boxes], revision=ann.revision)
    assert len(saved.boxes) == len(ann.boxes) + 2
    assert {(b.class_name or "").casefold() for b in saved.boxes if b.score is not None} == {"water", "chips"}


def test_without_supervision_the_error_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "supervision", None)
    with pytest.raises(MissingDependency, match=r"pip install shelfscope\[supervision\]"):
        to_supervision([Box(class_id=1, x1=0, y1=0, x2=1, y2=1)])
    with pytest.raises(ImportError):
        from_supervision(object())  # type: ignore[arg-type]

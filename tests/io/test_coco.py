"""COCO: reading entries and malformed ones, layouts, and writer → reader round trips."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from shelfscope.od.io import coco, jsonstream
from shelfscope.od.io.common import Issue


def _read(doc: object) -> list[coco.CocoItem]:
    return list(coco.read_coco(io.BytesIO(json.dumps(doc).encode()), "a.json"))


def test_plain_boxes_come_in_column_batches_with_their_lines() -> None:
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg"}],
        "annotations": [{"image_id": 1, "category_id": 2, "bbox": [i, 2, 3, 4.5]} for i in range(70_000)],
    }
    text = json.dumps(doc).replace("}, {", "},\n{")
    batches = [
        i
        for i in coco.read_coco(io.BytesIO(text.encode()), "a.json")
        if isinstance(i, coco.CocoAnnotationBatch)
    ]
    assert [len(b.rows) for b in batches] == [coco.BATCH_ROWS, 70_000 - coco.BATCH_ROWS]
    last = batches[-1].rows[-1]
    assert (last["image_id"], last["category_id"], last["x"], last["h"], last["position"], last["line"]) == (
        1, 2, 69_999.0, 4.5, 69_999, 70_000,
    )  # fmt: skip


def test_entries_and_malformed_entries_are_told_apart() -> None:
    items = _read(
        {
            "images": [
                {"id": 1, "file_name": "a.jpg", "width": 10, "height": 5},
                {"id": "x", "file_name": "b.jpg"},
            ],
            "categories": [{"id": 3, "name": "cola"}],
            "annotations": [
                {"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "segmentation": [[1, 2, 4, 2, 4, 6]]},
                {"image_id": 1, "category_id": 3, "bbox": [1, 2, 3]},
                {"image_id": 1, "caption": "a can"},
                {
                    "image_id": 1,
                    "category_id": 3,
                    "bbox": [1, 2, 3, 4],
                    "segmentation": {"counts": [1], "size": [5, 10]},
                    "iscrowd": 1,
                },
            ],
        }
    )
    kinds = [type(i).__name__ for i in items]
    assert kinds == [
        "CocoImage",
        "Issue",
        "CocoCategory",
        "CocoAnnotation",
        "Issue",
        "CocoOutOfScope",
        "CocoAnnotation",
    ]
    first = items[3]
    assert isinstance(first, coco.CocoAnnotation)
    assert (first.x, first.y, first.w, first.h, first.polygon) == (
        1.0,
        2.0,
        3.0,
        4.0,
        ((1.0, 2.0, 4.0, 2.0, 4.0, 6.0),),
    )
    bad = items[4]
    assert isinstance(bad, Issue) and bad.field == "annotations[1].bbox"
    crowd = items[6]
    assert isinstance(crowd, coco.CocoAnnotation) and crowd.dropped == "RLE mask" and crowd.iscrowd == 1


def test_file_layouts_name_their_subset_and_image_folders() -> None:
    assert coco.coco_file("annotations/instances_val2017.json") == coco.CocoFile(
        "annotations/instances_val2017.json", "val2017", "val"
    )
    assert coco.coco_file("train/_annotations.coco.json").split == "train"
    assert coco.coco_file("annotations.json").split is None
    cf = coco.coco_file("ds/annotations/instances_train.json")
    assert coco.image_candidates(cf, "a.jpg")[:3] == [
        "ds/annotations/a.jpg",
        "ds/images/train/a.jpg",
        "ds/train/a.jpg",
    ]
    assert all(".." not in p for p in coco.image_candidates(cf, "../../etc/passwd"))


def test_writer_output_reads_back_exactly(tmp_path: Path) -> None:
    writer = coco.CocoWriter(
        tmp_path / "w", [(1, "cola", None), (2, "chips", "snacks")], {"description": "t"}
    )
    writer.add_image(1, "a.jpg", 640, 480)
    writer.add_annotation(1, 1, 0.1, 0.2, 100.3, 50.123456789, None)
    writer.add_annotation(1, 2, 10.0, 10.0, 20.0, 30.0, [[10.0, 10.0], [20.0, 10.0], [15.0, 30.0]], iscrowd=0)
    out = io.BytesIO()
    writer.finish(out)

    items = list(coco.read_coco(io.BytesIO(out.getvalue()), "w.json"))
    (batch,) = [i for i in items if isinstance(i, coco.CocoAnnotationBatch)]
    (row,) = batch.rows
    # Written to 1e-4 px: no float noise such as 32.99999999999999 in the file.
    assert (row["x"], row["y"], row["w"], row["h"]) == (0.1, 0.2, 100.2, 49.9235)
    (polygon,) = [i for i in items if isinstance(i, coco.CocoAnnotation)]
    assert (polygon.x, polygon.y, polygon.x + polygon.w, polygon.y + polygon.h) == (10.0, 10.0, 20.0, 30.0)
    assert polygon.polygon == ((10.0, 10.0, 20.0, 10.0, 15.0, 30.0),)
    assert [c.name for c in items if isinstance(c, coco.CocoCategory)] == ["cola", "chips"]
    assert not list((tmp_path / "w").iterdir())


def _items_of(text: str, monkeypatch: pytest.MonkeyPatch | None = None) -> list[object]:
    """read_coco's items, batches as plain lists of rows (comparable)."""
    if monkeypatch is not None:
        monkeypatch.setattr(jsonstream, "_fast_step", lambda *args: None)
    out: list[object] = []
    for item in coco.read_coco(io.BytesIO(text.encode()), "a.json"):
        out.append(item.rows.tolist() if isinstance(item, coco.CocoAnnotationBatch) else item)
    if monkeypatch is not None:
        monkeypatch.undo()
    return out


def _mixed_annotations(n: int) -> list[object]:
    """Mostly plain boxes, with every kind of element the C decoder leaves to the ordinary path."""
    odd: list[object] = [
        {"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "segmentation": [[1, 2, 4, 2, 4, 6]]},
        {"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "iscrowd": 1},
        {"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "keypoints": None},
        {"image_id": 1.0, "category_id": 2, "bbox": [1, 2, 3, 4]},
        {"image_id": 2**63, "category_id": 2, "bbox": [1, 2, 3, 4]},
        {"image_id": 1, "category_id": True, "bbox": [1, 2, 3, 4]},
        {"image_id": 1, "category_id": 2, "bbox": [1, 2, 3]},
        {"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, float("nan")]},
        {"image_id": 1, "caption": "a can"},
        [1, 2],
    ]
    out: list[object] = []
    for i in range(n):
        out.append(
            {"id": i, "image_id": 1 + i % 7, "category_id": 2, "bbox": [i * 0.1, 2, 3.25, 4e-3], "area": 1}
        )
        if i % 997 == 5:
            out.append(odd[(i // 997) % len(odd)])
    return out


@pytest.mark.parametrize("layout", ["compact", "one per line", "indented", "crlf"])
def test_many_at_once_gives_the_same_items_as_one_at_a_time(
    layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = {
        "images": [{"id": i, "file_name": f"{i}.jpg"} for i in range(1, 8)],
        "annotations": _mixed_annotations(150_000),
        "categories": [{"id": 2, "name": "cola"}],
    }
    text = json.dumps(doc, indent=2 if layout == "indented" else None)
    if layout in ("one per line", "crlf"):
        text = text.replace("}, {", "},\n{").replace("], [", "],\n[")
    if layout == "crlf":
        text = text.replace("\n", "\r\n")

    fast = _items_of(text)
    slow = _items_of(text, monkeypatch)

    assert repr(fast) == repr(slow)  # repr: NaN equals NaN, and floats compare to the last digit
    # Each issue names the line its element starts on (an indented file's lines used to drift).
    lines = text.replace("\r\n", "\n").split("\n")
    issues = [i for i in fast if isinstance(i, Issue) and (i.field or "").startswith("annotations[")]
    assert issues and all(lines[i.line - 1].lstrip().startswith(("{", "[")) for i in issues if i.line)
    assert all(i.line for i in issues)
    assert sum(len(i) for i in fast if isinstance(i, list) and i and isinstance(i[0], tuple)) > 140_000


def test_an_id_written_as_a_float_is_read_at_once() -> None:
    """1.0 used to be looked for in range(-2**63, 2**63) by iterating it: the import never ended."""
    items = _read({"images": [{"id": 1.0, "file_name": "a.jpg"}], "annotations": []})
    assert isinstance(items[0], coco.CocoImage) and items[0].id == 1

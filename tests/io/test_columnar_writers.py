"""The column-at-a-time label writers (exports build a million lines with them) give the same bytes as
the one-box-at-a-time functions they stand in for, tricky values included."""

from __future__ import annotations

import io
import random
from pathlib import Path

from shelfscope.od.io import yolo
from shelfscope.od.io.coco import CocoWriter

# Negative zero, values on a 1e-4 rounding edge, integers, large and tiny numbers.
EDGES = [
    0.0,
    -0.0,
    -0.00001,
    0.00004999,
    0.00005,
    1.00005,
    2.675,
    12.34565,
    3,
    1e-9,
    7999.99995,
    123456.78905,
]


def _boxes(n: int, seed: int) -> list[tuple[int, float, float, float, float]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        x1 = rng.choice(EDGES) if rng.random() < 0.3 else rng.uniform(-1, 4000)
        y1 = rng.choice(EDGES) if rng.random() < 0.3 else rng.uniform(-1, 3000)
        x2 = x1 + (rng.choice(EDGES) if rng.random() < 0.3 else rng.uniform(0, 400))
        y2 = y1 + (rng.choice(EDGES) if rng.random() < 0.3 else rng.uniform(0, 400))
        out.append((rng.randrange(100), x1, y1, x2, y2))
    return out


def test_yolo_label_lines_are_label_line_for_every_box() -> None:
    boxes = _boxes(5000, 1) + [(1, e, e, e, e) for e in EDGES] + [(2, -0.00001, 0.0, -0.0, 5)]
    for width, height in ((4000, 3000), (32, 24), (1, 1)):
        expected = "".join(yolo.label_line(c, a, b, x, y, width, height) for c, a, b, x, y in boxes)
        cls, x1, y1, x2, y2 = zip(*boxes, strict=True)
        assert yolo.label_lines(cls, x1, y1, x2, y2, width, height) == expected


def _coco_text(tmp_path: Path, name: str, fill: object) -> bytes:
    writer = CocoWriter(tmp_path / name, [(1, "cola", None)], {"description": "t"})
    fill(writer)  # type: ignore[operator]
    out = io.BytesIO()
    writer.finish(out)
    return out.getvalue()


def test_coco_add_boxes_is_add_annotation_for_every_box(tmp_path: Path) -> None:
    images = [_boxes(50, seed) for seed in range(20)] + [[], [(1, float("nan"), 0.0, float("inf"), 1e308)]]
    crowds = [[(i + k) % 3 == 0 for k in range(len(boxes))] for i, boxes in enumerate(images)]

    def one_by_one(writer: CocoWriter) -> None:
        for image_id, (boxes, crowd) in enumerate(zip(images, crowds, strict=True), start=1):
            writer.add_image(image_id, f"{image_id}.jpg", 4000, 3000)
            for (c, a, b, x, y), cr in zip(boxes, crowd, strict=True):
                writer.add_annotation(image_id, c + 1, a, b, x, y, None, int(cr))

    def at_once(writer: CocoWriter) -> None:
        for image_id, (boxes, crowd) in enumerate(zip(images, crowds, strict=True), start=1):
            writer.add_image(image_id, f"{image_id}.jpg", 4000, 3000)
            if boxes:
                cls, x1, y1, x2, y2 = zip(*boxes, strict=True)
                writer.add_boxes(image_id, [c + 1 for c in cls], x1, y1, x2, y2, [int(c) for c in crowd])

    assert _coco_text(tmp_path, "at_once", at_once) == _coco_text(tmp_path, "one_by_one", one_by_one)

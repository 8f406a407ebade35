"""Polygons through the format writers and back through the readers: COCO `segmentation` and YOLO-seg
label lines keep every vertex within 1e-4 px."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from shelfscope.od.io import coco, yolo

TOLERANCE_PX = 1e-4


def _random_polygon(rng: random.Random, width: int, height: int, n: int) -> list[tuple[float, float]]:
    """Awkward floats (many decimals, edges of the image included) that no format gets for free."""
    points = [(rng.uniform(0, width), rng.uniform(0, height)) for _ in range(n - 2)]
    return [(0.0, rng.uniform(0, height)), *points, (float(width), float(height))]


def _pairs(flat: tuple[float, ...]) -> list[tuple[float, float]]:
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def _assert_close(got: list[tuple[float, float]], want: list[tuple[float, float]]) -> None:
    assert len(got) == len(want)
    for (gx, gy), (wx, wy) in zip(got, want, strict=True):
        assert abs(gx - wx) <= TOLERANCE_PX and abs(gy - wy) <= TOLERANCE_PX, (got, want)


def test_coco_segmentation_polygons_read_back_within_a_ten_thousandth_of_a_pixel(tmp_path: Path) -> None:
    rng = random.Random(7)
    polygons = [_random_polygon(rng, 4032, 3024, n) for n in (3, 4, 17, 200)]
    writer = coco.CocoWriter(tmp_path / "w", [(1, "cola", None)], {})
    writer.add_image(1, "a.jpg", 4032, 3024)
    for points in polygons:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        writer.add_annotation(1, 1, min(xs), min(ys), max(xs), max(ys), points)
    out = io.BytesIO()
    writer.finish(out)

    read = [
        i for i in coco.read_coco(io.BytesIO(out.getvalue()), "w.json") if isinstance(i, coco.CocoAnnotation)
    ]
    assert len(read) == len(polygons)
    for annotation, points in zip(read, polygons, strict=True):
        assert annotation.polygon is not None and len(annotation.polygon) == 1
        _assert_close(_pairs(annotation.polygon[0]), points)
        xs = [p[0] for p in points]
        assert annotation.x == pytest.approx(min(xs)) and annotation.x + annotation.w == pytest.approx(
            max(xs)
        )


@pytest.mark.parametrize(("width", "height"), [(64, 48), (4032, 3024), (10_000, 7_500)])
def test_yolo_segment_lines_read_back_within_a_ten_thousandth_of_a_pixel(width: int, height: int) -> None:
    rng = random.Random(width)
    polygons = [_random_polygon(rng, width, height, n) for n in (3, 5, 64)]
    text = "".join(yolo.polygon_line(i, points, width, height) for i, points in enumerate(polygons))

    shapes = list(yolo.parse_labels(text, "l.txt", None))
    assert [s.class_index for s in shapes if isinstance(s, yolo.YoloShape)] == [0, 1, 2]
    for shape, points in zip(shapes, polygons, strict=True):
        assert isinstance(shape, yolo.YoloShape) and shape.polygon is not None
        _assert_close([(x * width, y * height) for x, y in _pairs(shape.polygon)], points)


def test_segment_lines_write_a_box_as_its_four_corners() -> None:
    box_line = yolo.segment_line(2, 10.0, 20.0, 110.0, 70.0, None, 200, 100)
    assert box_line == "2 0.05 0.2 0.55 0.2 0.55 0.7 0.05 0.7\n"
    triangle = ((10.0, 20.0), (110.0, 20.0), (60.0, 70.0))
    assert yolo.segment_line(0, 10.0, 20.0, 110.0, 70.0, triangle, 200, 100) == (
        yolo.polygon_line(0, triangle, 200, 100)
    )
    (shape,) = list(yolo.parse_labels(box_line, "l.txt", None))
    assert isinstance(shape, yolo.YoloShape)
    assert (shape.cx, shape.cy, shape.w, shape.h) == pytest.approx((0.3, 0.45, 0.5, 0.5))

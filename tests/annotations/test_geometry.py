"""The box and polygon rules, without a database."""

from __future__ import annotations

import math

import pytest

from shelfscope.od.geometry import Box, GeometryError, check_box, check_polygon


def test_box_inside_is_kept_exactly() -> None:
    assert check_box(1.25, 2.5, 100.75, 200.125, 640, 480) == Box(1.25, 2.5, 100.75, 200.125)


def test_overshoot_up_to_half_a_pixel_is_clamped() -> None:
    assert check_box(-0.5, -0.49, 640.5, 480.3, 640, 480) == Box(0, 0, 640, 480)


@pytest.mark.parametrize(
    ("coords", "field"),
    [
        ((-0.51, 0, 10, 10), "x1"),
        ((0, 0, 640.6, 10), "x2"),
        ((0, -2, 10, 10), "y1"),
        ((0, 0, 10, 481), "y2"),
        ((10, 0, 10, 10), "x2"),
        ((20, 0, 10, 10), "x2"),
        ((0, 10, 10, 5), "y2"),
        ((-50, 0, -10, 10), "box"),
        ((700, 0, 800, 10), "box"),
        ((0, 480, 10, 490), "box"),
        ((math.nan, 0, 10, 10), "x1"),
        ((0, math.inf, 10, 10), "y1"),
        ((0, 0, -math.inf, 10), "x2"),
        ((0, 0, 10, None), "y2"),
    ],
)
def test_bad_boxes_name_the_coordinate(coords: tuple[float, float, float, float | None], field: str) -> None:
    with pytest.raises(GeometryError) as caught:
        check_box(*coords, 640, 480)
    assert caught.value.field == field


def test_box_squeezed_to_nothing_by_clamping_is_refused() -> None:
    with pytest.raises(GeometryError) as caught:
        check_box(-0.4, 0, -0.0, 10, 640, 480)
    assert caught.value.field in ("box", "x2")


def test_polygon_points_are_clamped_and_bounded() -> None:
    points, box = check_polygon([(-0.2, 5), (50, 480.4), (30, 20)], 640, 480)
    assert points == [[0, 5], [50, 480], [30, 20]]
    assert box == Box(0, 5, 50, 480)


@pytest.mark.parametrize(
    ("points", "field"),
    [
        (None, "points"),
        ([(0, 0), (1, 1)], "points"),
        ([(0, 0), (10, 10), (5, math.nan)], "points[2]"),
        ([(0, 0), (10, 10), (700, 5)], "points[2]"),
        ([(0, 0), (10, 0), (20, 0)], "points"),
    ],
)
def test_bad_polygons_name_the_point(points: list[tuple[float, float]] | None, field: str) -> None:
    with pytest.raises(GeometryError) as caught:
        check_polygon(points, 640, 480)
    assert caught.value.field == field

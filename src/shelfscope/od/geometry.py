"""Box and polygon checks: the one place that says what geometry may be stored, for every writer.

- Coordinates are image pixels, xyxy floats. NaN and infinity are refused.
- A box needs x1 < x2 and y1 < y2 as sent; swapped corners are refused, not swapped.
- A box lying entirely outside the image is refused.
- A coordinate may overshoot an image edge by at most 0.5 px (float noise from zoomed drags); it is
  clamped to the edge. A larger overshoot is refused: the server never moves a box by more than half
  a pixel, so what the editor shows is what is stored.
- After clamping the box must still have area.
- A polygon has 3..2000 points under the same edge rule; its x1..y2 are its points' bounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

EDGE_TOLERANCE_PX = 0.5
MIN_POLYGON_POINTS = 3


class GeometryError(ValueError):
    """A box or polygon that cannot be stored; `field` is the coordinate at fault, or "box"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Box:
    x1: float
    y1: float
    x2: float
    y2: float


def _finite(field: str, value: float | None, what: str) -> float:
    if value is None:
        raise GeometryError(field, f"is required for {what}")
    if not math.isfinite(value):
        raise GeometryError(field, "must be a finite number")
    return float(value)


def _clamp(field: str, value: float, limit: int) -> float:
    if value < -EDGE_TOLERANCE_PX or value > limit + EDGE_TOLERANCE_PX:
        raise GeometryError(
            field,
            f"{value:g} is outside the image (0..{limit}); a coordinate may overshoot an edge by at "
            f"most {EDGE_TOLERANCE_PX} px",
        )
    return min(max(value, 0.0), float(limit))


def check_box(
    x1: float | None, y1: float | None, x2: float | None, y2: float | None, width: int, height: int
) -> Box:
    """The box as stored (clamped by at most 0.5 px), or GeometryError naming what is wrong."""
    fx1 = _finite("x1", x1, "a box")
    fy1 = _finite("y1", y1, "a box")
    fx2 = _finite("x2", x2, "a box")
    fy2 = _finite("y2", y2, "a box")
    if fx2 <= fx1:
        raise GeometryError("x2", f"must be greater than x1 (x1={fx1:g}, x2={fx2:g})")
    if fy2 <= fy1:
        raise GeometryError("y2", f"must be greater than y1 (y1={fy1:g}, y2={fy2:g})")
    if fx2 <= 0 or fy2 <= 0 or fx1 >= width or fy1 >= height:
        raise GeometryError(
            "box",
            f"({fx1:g}, {fy1:g}, {fx2:g}, {fy2:g}) lies entirely outside the {width}x{height} image",
        )
    box = Box(
        _clamp("x1", fx1, width),
        _clamp("y1", fy1, height),
        _clamp("x2", fx2, width),
        _clamp("y2", fy2, height),
    )
    if box.x2 <= box.x1 or box.y2 <= box.y1:
        raise GeometryError("box", "has no area inside the image after clamping to its edges")
    return box


def check_polygon(
    points: Sequence[Sequence[float]] | None, width: int, height: int
) -> tuple[list[list[float]], Box]:
    """The polygon's points as stored (clamped by at most 0.5 px) and its bounding box."""
    if points is None or len(points) < MIN_POLYGON_POINTS:
        raise GeometryError("points", f"a polygon needs at least {MIN_POLYGON_POINTS} points")
    cleaned: list[list[float]] = []
    for i, point in enumerate(points):
        name = f"points[{i}]"
        if len(point) != 2:
            raise GeometryError(name, "must be [x, y]")
        x = _clamp(name, _finite(name, point[0], "a point"), width)
        y = _clamp(name, _finite(name, point[1], "a point"), height)
        cleaned.append([x, y])
    xs = [p[0] for p in cleaned]
    ys = [p[1] for p in cleaned]
    box = Box(min(xs), min(ys), max(xs), max(ys))
    if box.x2 <= box.x1 or box.y2 <= box.y1:
        raise GeometryError("points", "the polygon has no area inside the image")
    return cleaned, box

"""Shape rows in image pixels, vectorised over a chunk: each row's box from its layout (COCO corner
and size, VOC corners, YOLO normalised centre and size), scaled from the declared image size to the
file's, with the flags of what is wrong with it; and polygons fitted to their image."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shelfscope.od.imports.readers import Layout

# Boxes may overshoot the image by this much (annotation tools round outward); they are clipped.
EDGE_TOLERANCE_PX = 1.0

Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


def resolve_keys(
    scopes: npt.NDArray[Any], keys: npt.NDArray[Any], maps: dict[int, dict[int, int]]
) -> npt.NDArray[np.int64]:
    """Map (scope, raw key) pairs to indices through per-scope dicts, vectorised; -1 when unknown."""
    out = np.full(len(keys), -1, dtype=np.int64)
    for scope in np.unique(scopes):
        mapping = maps.get(int(scope))
        if not mapping:
            continue
        mask = scopes == scope
        known = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
        values = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
        order = np.argsort(known)
        known, values = known[order], values[order]
        wanted = keys[mask]
        pos = np.clip(np.searchsorted(known, wanted), 0, len(known) - 1)
        out[mask] = np.where(known[pos] == wanted, values[pos], -1)
    return out


@dataclass(frozen=True)
class PixelBoxes:
    """x1..y2 in the image's pixels (not yet clipped), and per row what is wrong with it."""

    x1: Floats
    y1: Floats
    x2: Floats
    y2: Floats
    finite: Flags
    negative: Flags
    empty: Flags
    outside: Flags


def pixel_boxes(raw: npt.NDArray[Any], w: Floats, h: Floats, sx: Floats, sy: Floats) -> PixelBoxes:
    """The rows' boxes in pixels of images w x h, declared sizes scaled by sx, sy."""
    a, b, c, d, layout = raw["a"], raw["b"], raw["c"], raw["d"], raw["layout"]
    is_xywh, is_xyxy = layout == Layout.XYWH, layout == Layout.XYXY
    tol = EDGE_TOLERANCE_PX
    with np.errstate(invalid="ignore", over="ignore"):
        x1 = np.select([is_xywh, is_xyxy], [a * sx, a * sx], (a - c / 2) * w)
        y1 = np.select([is_xywh, is_xyxy], [b * sy, b * sy], (b - d / 2) * h)
        x2 = np.select([is_xywh, is_xyxy], [(a + c) * sx, c * sx], (a + c / 2) * w)
        y2 = np.select([is_xywh, is_xyxy], [(b + d) * sy, d * sy], (b + d / 2) * h)
        finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
        negative = np.where(is_xyxy, (c < a) | (d < b), (c < 0) | (d < 0))
        empty = ~negative & ((x2 - x1 <= 0) | (y2 - y1 <= 0))
        outside = (x1 < -tol) | (y1 < -tol) | (x2 > w + tol) | (y2 > h + tol)
    return PixelBoxes(x1, y1, x2, y2, finite, negative, empty, outside)


def fit_polygon(
    points: list[list[float]], fx: float, fy: float, w: float, h: float
) -> list[list[float]] | str:
    """Points scaled to image pixels and clipped within the edge tolerance, or what is wrong."""
    out: list[list[float]] = []
    tol = EDGE_TOLERANCE_PX
    for x, y in points:
        px, py = x * fx, y * fy
        if not (math.isfinite(px) and math.isfinite(py)):
            return "has a coordinate that is not a finite number"
        if px < -tol or py < -tol or px > w + tol or py > h + tol:
            return f"point ({x:g}, {y:g}) lies outside the {w:g}x{h:g} image"
        out.append([min(max(px, 0.0), w), min(max(py, 0.0), h)])
    return out

"""Cutting one product out of a shelf photo (pure: a decoded image and a box in, JPEG bytes out).

Boxes are in the stored image's upright pixels (as annotations are). A box is rounded to 0.01 px
before anything else, so the same box drawn twice (an annotation, then a prediction on the same
spot) is the same row; the crop is the box grown by `margin` (a fraction of its width and height on
each side), clipped to the image and cut on whole pixels."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image as PILImage

# Quality of stored crops: small images, where JPEG's artefacts show early.
CROP_QUALITY = 90
# Coordinates are stored rounded to this many decimals (the unique key of a cutout).
BOX_DECIMALS = 2


@dataclass(frozen=True, slots=True)
class CropBox:
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def key(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)


@dataclass(frozen=True, slots=True)
class Crop:
    jpeg: bytes
    width: int
    height: int


def rounded(x1: float, y1: float, x2: float, y2: float) -> CropBox:
    return CropBox(*(round(float(v), BOX_DECIMALS) for v in (x1, y1, x2, y2)))


def clipped(box: CropBox, width: int, height: int) -> CropBox | None:
    """The box clipped to a `width` x `height` image (rounded again), or None when nothing is left."""
    if not all(math.isfinite(v) for v in box.key):
        return None
    inside = rounded(
        min(max(box.x1, 0.0), width),
        min(max(box.y1, 0.0), height),
        min(max(box.x2, 0.0), width),
        min(max(box.y2, 0.0), height),
    )
    if inside.x2 - inside.x1 < 1.0 or inside.y2 - inside.y1 < 1.0:
        return None
    return inside


def crop_region(box: CropBox, margin: float, width: int, height: int) -> tuple[int, int, int, int]:
    """The whole-pixel rectangle a crop takes: the box grown by `margin` of its size, clipped."""
    dx, dy = (box.x2 - box.x1) * margin, (box.y2 - box.y1) * margin
    left = max(0, math.floor(box.x1 - dx))
    top = max(0, math.floor(box.y1 - dy))
    right = min(width, math.ceil(box.x2 + dx))
    bottom = min(height, math.ceil(box.y2 + dy))
    return left, top, max(right, left + 1), max(bottom, top + 1)


def cut(image: PILImage.Image, box: CropBox, margin: float) -> Crop:
    """The crop of `box` (with `margin`) from an upright RGB image, as JPEG."""
    region = crop_region(box, margin, image.width, image.height)
    piece = image.crop(region)
    out = io.BytesIO()
    piece.save(out, "JPEG", quality=CROP_QUALITY)
    return Crop(out.getvalue(), piece.width, piece.height)

"""Export-time preprocessing (resize, auto-orient, grayscale) and augmentation (flips, 90° turns,
brightness, contrast, blur, noise) of an image together with its boxes and polygons.

Every random choice comes from the generator passed in, so an export seeded the same way writes the
same pixels. Boxes follow the pixels exactly: each transform here maps axis-aligned boxes to
axis-aligned boxes (scales, offsets, flips and quarter turns), so no box grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from shelfscope.od.images.decode import eight_bit

ResizeMode = Literal["stretch", "fit", "letterbox"]
LETTERBOX_FILL = (114, 114, 114)


class Shape(NamedTuple):
    """A box in pixels, with its polygon ([[x, y], ...]) when it has one."""

    x1: float
    y1: float
    x2: float
    y2: float
    points: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class Resize:
    width: int
    height: int
    mode: ResizeMode = "stretch"


@dataclass(frozen=True)
class Preprocess:
    resize: Resize | None = None
    auto_orient: bool = False
    grayscale: bool = False

    @property
    def changes_pixels(self) -> bool:
        return self.resize is not None or self.grayscale


@dataclass(frozen=True)
class Augment:
    copies: int = 0
    flip_horizontal: bool = False
    flip_vertical: bool = False
    rotate90: bool = False
    # Largest relative change of brightness and contrast (0.2: factors from 0.8 to 1.2).
    brightness: float = 0.0
    contrast: float = 0.0
    # Largest Gaussian blur radius in pixels.
    blur: float = 0.0
    # Largest noise standard deviation, as a fraction of the full 0..255 range.
    noise: float = 0.0


def _map(shapes: Sequence[Shape], fx: float, fy: float, ox: float, oy: float) -> list[Shape]:
    """x' = x * fx + ox, y' = y * fy + oy (negative factors flip; corners re-ordered)."""
    out = []
    for s in shapes:
        xa, xb = s.x1 * fx + ox, s.x2 * fx + ox
        ya, yb = s.y1 * fy + oy, s.y2 * fy + oy
        points = tuple((x * fx + ox, y * fy + oy) for x, y in s.points) if s.points else None
        out.append(Shape(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb), points))
    return out


def _turn(shapes: Sequence[Shape], quarter_turns: int, width: int, height: int) -> list[Shape]:
    """Shapes after turning a width x height image counter-clockwise by 90° steps (as PIL does)."""
    k = quarter_turns % 4

    def point(x: float, y: float) -> tuple[float, float]:
        if k == 1:
            return y, width - x
        if k == 2:
            return width - x, height - y
        if k == 3:
            return height - y, x
        return x, y

    out = []
    for s in shapes:
        (ax, ay), (bx, by) = point(s.x1, s.y1), point(s.x2, s.y2)
        points = tuple(point(x, y) for x, y in s.points) if s.points else None
        out.append(Shape(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), points))
    return out


_TURNS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}


def upright(image: Image.Image) -> Image.Image:
    """Pixels turned the way the EXIF orientation says (annotations are drawn on the upright image)."""
    return ImageOps.exif_transpose(image) or image


def resize(image: Image.Image, shapes: Sequence[Shape], spec: Resize) -> tuple[Image.Image, list[Shape]]:
    w, h = image.size
    if spec.mode == "stretch":
        out = image.resize((spec.width, spec.height), Image.Resampling.BILINEAR)
        return out, _map(shapes, spec.width / w, spec.height / h, 0.0, 0.0)
    scale = min(spec.width / w, spec.height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    scaled = image.resize((nw, nh), Image.Resampling.BILINEAR)
    if spec.mode == "fit":
        return scaled, _map(shapes, nw / w, nh / h, 0.0, 0.0)
    fill: int | tuple[int, int, int] = LETTERBOX_FILL[0] if scaled.mode == "L" else LETTERBOX_FILL
    canvas = Image.new(scaled.mode, (spec.width, spec.height), fill)
    ox, oy = (spec.width - nw) // 2, (spec.height - nh) // 2
    canvas.paste(scaled, (ox, oy))
    return canvas, _map(shapes, nw / w, nh / h, float(ox), float(oy))


def preprocess(
    image: Image.Image, shapes: Sequence[Shape], spec: Preprocess
) -> tuple[Image.Image, list[Shape]]:
    """The image upright (shapes are in upright pixels), then grayscale and resize as asked."""
    # 16-bit grey scaled to 8 bits first: a plain convert would clip every value over 255 to white.
    out = eight_bit(upright(image))
    out = out.convert("L") if spec.grayscale else out.convert("RGB")
    result = list(shapes)
    if spec.resize is not None:
        out, result = resize(out, result, spec.resize)
    return out, result


def augment(
    image: Image.Image, shapes: Sequence[Shape], spec: Augment, rng: np.random.Generator
) -> tuple[Image.Image, list[Shape]]:
    """One augmented copy; each geometric change applies with probability 1/2 when enabled."""
    out = image
    result = list(shapes)
    w, h = out.size
    if spec.flip_horizontal and rng.random() < 0.5:
        out = out.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        result = _map(result, -1.0, 1.0, float(w), 0.0)
    if spec.flip_vertical and rng.random() < 0.5:
        out = out.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        result = _map(result, 1.0, -1.0, 0.0, float(h))
    if spec.rotate90:
        k = int(rng.integers(0, 4))
        if k:
            result = _turn(result, k, w, h)
            out = out.transpose(_TURNS[k])
    if spec.brightness > 0:
        out = ImageEnhance.Brightness(out).enhance(1.0 + rng.uniform(-spec.brightness, spec.brightness))
    if spec.contrast > 0:
        out = ImageEnhance.Contrast(out).enhance(1.0 + rng.uniform(-spec.contrast, spec.contrast))
    if spec.blur > 0 and rng.random() < 0.5:
        out = out.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0, spec.blur))))
    if spec.noise > 0 and rng.random() < 0.5:
        pixels = np.asarray(out, dtype=np.float32)
        sigma = float(rng.uniform(0, spec.noise)) * 255.0
        noisy = pixels + rng.normal(0.0, sigma, size=pixels.shape).astype(np.float32)
        out = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    return out, result

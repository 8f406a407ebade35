"""Preprocessing and augmentation move boxes with the pixels, and the same seed gives the same image."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from shelfscope.od.io import augment
from shelfscope.od.io.augment import Shape


def _marked(width: int, height: int, box: tuple[int, int, int, int]) -> Image.Image:
    """Black image with one white rectangle (x1, y1, x2, y2 exclusive)."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    x1, y1, x2, y2 = box
    pixels[y1:y2, x1:x2] = 255
    return Image.fromarray(pixels)


def _white_box(image: Image.Image) -> tuple[int, int, int, int]:
    mask = np.asarray(image.convert("L")) > 127
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize("seed", range(12))
def test_flips_and_quarter_turns_move_the_box_with_the_pixels(seed: int) -> None:
    image = _marked(80, 50, (10, 5, 30, 20))
    spec = augment.Augment(copies=1, flip_horizontal=True, flip_vertical=True, rotate90=True)

    out, (shape,) = augment.augment(image, [Shape(10, 5, 30, 20)], spec, np.random.default_rng(seed))

    assert _white_box(out) == (shape.x1, shape.y1, shape.x2, shape.y2)


@pytest.mark.parametrize(
    ("mode", "size", "box"),
    [
        ("stretch", (160, 100), (20, 10, 60, 40)),
        ("fit", (100, 62), (12.5, 6.2, 37.5, 24.8)),
        ("letterbox", (100, 100), (12.5, 25.2, 37.5, 43.8)),
    ],
)
def test_resize_modes_scale_and_pad_boxes(
    mode: augment.ResizeMode, size: tuple[int, int], box: tuple[float, ...]
) -> None:
    image = _marked(80, 50, (10, 5, 30, 20))
    out, (shape,) = augment.resize(
        image,
        [Shape(10, 5, 30, 20, ((10, 5), (30, 20)))],
        augment.Resize(100, 100, mode) if mode != "stretch" else augment.Resize(160, 100, mode),
    )
    assert out.size == size
    assert (shape.x1, shape.y1, shape.x2, shape.y2) == pytest.approx(box)
    assert shape.points is not None and shape.points[0] == pytest.approx(box[:2])


def test_the_same_generator_seed_gives_the_same_pixels() -> None:
    image = Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8))
    spec = augment.Augment(
        copies=1, flip_horizontal=True, rotate90=True, brightness=0.4, contrast=0.4, blur=2, noise=0.1
    )
    a, _ = augment.augment(image, [], spec, np.random.default_rng([1, 2, 3]))
    b, _ = augment.augment(image, [], spec, np.random.default_rng([1, 2, 3]))
    c, _ = augment.augment(image, [], spec, np.random.default_rng([1, 2, 4]))
    assert a.tobytes() == b.tobytes() and a.tobytes() != c.tobytes()


def test_preprocess_turns_exif_rotated_images_upright_and_grays_them() -> None:
    image = _marked(40, 20, (0, 0, 10, 10))
    exif = image.getexif()
    exif[0x0112] = 6  # the camera was turned: show rotated 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    with Image.open(buffer) as loaded:
        out, _ = augment.preprocess(loaded, [], augment.Preprocess(grayscale=True, auto_orient=True))
    assert out.size == (20, 40) and out.mode == "L"


@pytest.mark.parametrize("grayscale", [True, False])
def test_sixteen_bit_grey_is_scaled_to_eight_bits_not_clipped(grayscale: bool) -> None:
    # A left-to-right ramp over the whole 16-bit range: the middle is mid-grey, not white.
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (16, 1))
    spec = augment.Preprocess(augment.Resize(128, 8), auto_orient=False, grayscale=grayscale)

    out, _ = augment.preprocess(Image.fromarray(ramp), [], spec)

    grey = np.asarray(out.convert("L"))
    assert out.mode == ("L" if grayscale else "RGB") and out.size == (128, 8)
    assert grey[:, 0].max() <= 2 and grey[:, -1].min() >= 253
    assert 120 <= int(grey[4, 64]) <= 135

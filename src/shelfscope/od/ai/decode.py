"""Images for a model: decoded once, upright, RGB, at the size the model's processor wants.

A JPEG is decoded at the smallest DCT scale that still covers that size (draft mode: a 12 MP photo
for an 800 px model decodes at a quarter of its pixels, several times faster), then resized once, so
the processor has nothing left to resize. Boxes found on the result are scaled back by `scale`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image as PILImage
from PIL import ImageOps

from shelfscope.od.images.budget import decode_budget
from shelfscope.od.images.decode import decoded_bytes, to_rgb

# (upright width, height) -> the (width, height) the model takes it at.
Sizer = Callable[[int, int], tuple[int, int]]
# An RGB image and the (width, height) to bring it to -> the resized image.
Resizer = Callable[[PILImage.Image, tuple[int, int]], PILImage.Image]
_ROTATED = (5, 6, 7, 8)


@dataclass(frozen=True, slots=True)
class ModelImage:
    image: PILImage.Image
    # Stored pixels per model pixel (x, y): multiply a box found on `image` by these.
    scale: tuple[float, float]


def pillow_bilinear(image: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    return image.resize(size, PILImage.Resampling.BILINEAR, reducing_gap=3.0)


def decode_for_model(
    data: BinaryIO,
    name: str,
    width: int,
    height: int,
    sizer: Sizer,
    *,
    memory_limit_bytes: int,
    resize: Resizer = pillow_bilinear,
) -> ModelImage:
    """The stored image (`width` x `height` upright, as recorded) ready for a model. `resize` does the
    one resize (the workers pass torch's faster port of the same filter, shelfscope.ml.resize)."""
    target_w, target_h = sizer(width, height)
    with PILImage.open(data) as im:
        orientation = im.getexif().get(0x0112, 1)
        if im.format == "JPEG":
            rotated = orientation in _ROTATED
            im.draft("RGB", (target_h, target_w) if rotated else (target_w, target_h))
        with decode_budget(memory_limit_bytes).reserve(decoded_bytes(im), name):
            im.load()
            # Every step copies the pixels, so a step with nothing to do is skipped.
            upright = ImageOps.exif_transpose(im) if orientation in range(2, 9) else im
            rgb = upright if upright.mode == "RGB" else to_rgb(upright)
            del upright
            if rgb.size != (target_w, target_h):
                rgb = resize(rgb, (target_w, target_h))
            elif rgb is im:
                rgb = im.copy()  # closing the file below frees `im`'s pixels
    return ModelImage(rgb, (width / target_w, height / target_h))

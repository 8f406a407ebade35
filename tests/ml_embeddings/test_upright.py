"""A phone photo stored sideways with an EXIF orientation is embedded upright, like its upright twin."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from shelfscope.ml.embeddings.model import load_square


def _jpeg(image: Image.Image, orientation: int | None) -> Image.Image:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    buffer.seek(0)
    return Image.open(buffer)


def test_exif_orientation_is_applied_before_padding() -> None:
    # A tall picture: red top half, blue bottom half.
    upright = Image.new("RGB", (40, 80), (255, 0, 0))
    upright.paste((0, 0, 255), (0, 40, 40, 80))
    # Stored turned a quarter, with orientation 6 ("rotate 90 degrees clockwise to view").
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    expected = load_square(upright, 32).astype(int)
    turned = load_square(_jpeg(sideways, 6), 32).astype(int)
    ignored = load_square(_jpeg(sideways, None), 32).astype(int)
    assert np.abs(turned - expected).mean() < 6
    assert np.abs(ignored - expected).mean() > 40

"""Images for a model: decoded upright (EXIF), RGB, at the size the model asks for, with the scale back
to the stored image's pixels."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from shelfscope.od.ai.decode import decode_for_model

BUDGET = 64 * 1024 * 1024


def _rotated_jpeg() -> bytes:
    """400x300 stored pixels, left half red and right half blue, tagged 'rotate 90° clockwise to show'."""
    raw = Image.new("RGB", (400, 300), (0, 0, 255))
    raw.paste((255, 0, 0), (0, 0, 200, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    raw.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def test_a_rotated_jpeg_comes_upright_at_the_models_size() -> None:
    asked: list[tuple[int, int]] = []

    def half(width: int, height: int) -> tuple[int, int]:
        asked.append((width, height))
        return width // 2, height // 2

    decoded = decode_for_model(
        io.BytesIO(_rotated_jpeg()), "r.jpg", 300, 400, half, memory_limit_bytes=BUDGET
    )
    assert asked == [(300, 400)]
    assert decoded.image.size == (150, 200) and decoded.image.mode == "RGB"
    assert decoded.scale == (2.0, 2.0)
    # Upright, the stored left half (red) is on top.
    top, bottom = decoded.image.getpixel((75, 20)), decoded.image.getpixel((75, 180))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60


def test_a_transparent_png_at_its_own_size_is_flattened_and_outlives_its_file() -> None:
    png = io.BytesIO()
    Image.new("RGBA", (64, 48), (0, 0, 0, 0)).save(png, "PNG")
    png.seek(0)

    decoded = decode_for_model(png, "t.png", 64, 48, lambda w, h: (w, h), memory_limit_bytes=BUDGET)
    assert decoded.image.size == (64, 48) and decoded.image.mode == "RGB"
    assert decoded.image.getpixel((10, 10)) == (255, 255, 255)  # transparency onto white
    assert decoded.scale == (1.0, 1.0)


def test_a_jpeg_already_at_the_models_size_is_kept_whole() -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 200, 30)).save(jpeg, "JPEG", quality=95)
    jpeg.seek(0)

    decoded = decode_for_model(jpeg, "s.jpg", 80, 60, lambda w, h: (w, h), memory_limit_bytes=BUDGET)
    pixel = decoded.image.getpixel((40, 30))  # still readable once the file is closed
    assert decoded.image.size == (80, 60) and isinstance(pixel, tuple) and pixel[1] > 180


def _grainy_photo(width: int, height: int) -> Image.Image:
    """Detail at every scale (gradients plus noise): where two resamplers' rounding would show."""
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    return Image.blend(grain, gradient, 0.5)


def test_the_workers_resize_gives_pillows_bilinear_pixels() -> None:
    """The batch decode's resize (torch's port of Pillow's filter) against Pillow's own: same size
    and mode, no pixel more than one level apart, almost all equal, for the shrink a JPEG draft leaves
    and for an enlargement."""
    from shelfscope.ml.resize import pillow_bilinear, resize_rgb

    photo = _grainy_photo(733, 521)
    for size in [(588, 400), (402, 286), (1000, 711)]:
        fast, reference = resize_rgb(photo, size), pillow_bilinear(photo, size)
        assert fast.size == reference.size == size and fast.mode == reference.mode == "RGB"
        apart = np.abs(np.asarray(fast, dtype=np.int16) - np.asarray(reference, dtype=np.int16))
        assert apart.max() <= 1 and (apart > 0).mean() < 0.01, size


def test_the_workers_resize_leaves_large_shrinks_and_other_modes_to_pillow() -> None:
    from shelfscope.ml.resize import pillow_bilinear, resize_rgb

    photo = _grainy_photo(733, 521)
    for image, size in [(photo, (300, 213)), (photo.convert("L"), (588, 400))]:
        assert resize_rgb(image, size).tobytes() == pillow_bilinear(image, size).tobytes()


def test_decoding_with_the_workers_resize_keeps_size_scale_and_pixels() -> None:
    from shelfscope.ml.resize import resize_rgb

    jpeg = io.BytesIO()
    _grainy_photo(1200, 900).save(jpeg, "JPEG", quality=90)

    def model_size(width: int, height: int) -> tuple[int, int]:
        return 500, 375  # a draft to 600 x 450, then a shrink of 1.2

    decoded = [
        decode_for_model(
            io.BytesIO(jpeg.getvalue()), "g.jpg", 1200, 900, model_size, memory_limit_bytes=BUDGET, **kw
        )
        for kw in ({}, {"resize": resize_rgb})
    ]
    assert decoded[0].scale == decoded[1].scale == (2.4, 2.4)
    assert decoded[0].image.size == decoded[1].image.size == (500, 375)
    apart = np.abs(
        np.asarray(decoded[0].image, dtype=np.int16) - np.asarray(decoded[1].image, dtype=np.int16)
    )
    assert apart.max() <= 1

"""Reading image files: format and pixel checks, EXIF-upright size, a full decode that proves the
bytes are whole, and the JPEG thumbnail rendered from that decode. Pure: bytes in, facts out.

Memory is bounded before anything is decoded: width and height come from the header, JPEGs are
decoded at the smallest DCT scale the thumbnail allows (draft), and what the pixels will take is
reserved from the process's decode budget (budget.py) first."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from shelfscope.errors import PayloadTooLarge, ShelfscopeError, UnsupportedMedia, ValidationFailed
from shelfscope.od.images.budget import MIB, decode_budget

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tif"}


CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}


ACCEPTED = "JPEG, PNG, WebP, BMP, TIFF"

# The decode budget when a caller names none (Settings.decode_memory_mb's default).
DEFAULT_DECODE_MEMORY_BYTES = 256 * MIB
# Bytes per pixel Pillow keeps once an image is loaded: one for 1/L/P, two for 16-bit grey, four for
# every other mode (RGB included: Pillow pads it to 32 bits).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# Decoders that fill buffers of their own before Pillow's: libwebp's peak was measured at 4x the image.
_DECODER_COPIES = {"WEBP": 4}
_SIXTEEN_BIT = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})


@dataclass(frozen=True)
class ImageFacts:
    """What a person sees: size after EXIF orientation, the decoded format, the bytes' hash."""

    width: int
    height: int
    format: str
    size_bytes: int
    content_hash: str


def display_name(filename: str | None) -> str:
    """The last path part, without control or direction-override characters; only ever shown, never
    used as a path (storage keys are server-chosen)."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in ("", ".", ".."):
        return "unnamed"
    return name[:512]


def _allow_pixels(max_pixels: int) -> None:
    # Pillow refuses images over twice its own default (about 179 MP) before our limit is consulted;
    # raise its ceiling to the configured one (never lower it: other code in the process shares it).
    current = PILImage.MAX_IMAGE_PIXELS
    if current is not None and current < max_pixels:
        PILImage.MAX_IMAGE_PIXELS = max_pixels


def decoded_bytes(im: PILImage.Image) -> int:
    """What loading this opened image will take in memory: width x height x bytes per pixel (after a
    JPEG draft has scaled it down), times the extra buffers of its format's decoder."""
    per_pixel = _PIXEL_BYTES.get(im.mode, 4)
    return im.width * im.height * per_pixel * _DECODER_COPIES.get(im.format or "", 1)


def eight_bit(im: PILImage.Image) -> PILImage.Image:
    """16-bit and 32-bit grey as 8-bit grey ("L"), scaled, never clipped: 16-bit values map 0..65535 to
    0..255; 32-bit integers within that range are taken as 16-bit, other ones and floats are stretched
    from their minimum to their maximum. Other modes are returned unchanged."""
    if im.mode in _SIXTEEN_BIT:
        return im.point(lambda v: v / 257).convert("L")
    if im.mode not in ("I", "F"):
        return im
    extrema = im.getextrema()
    low, high = float(extrema[0]), float(extrema[1])  # type: ignore[arg-type]
    if im.mode == "I" and low >= 0 and high <= 65535:
        low, high = 0.0, 65535.0
    scale = 255.0 / (high - low) if high > low else 1.0
    return im.point(lambda v: v * scale - low * scale).convert("L")


def to_rgb(im: PILImage.Image) -> PILImage.Image:
    """8-bit RGB for a JPEG thumbnail: transparency onto white, 16-bit and float scans scaled."""
    im = eight_bit(im)
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


def _thumbnail_jpeg(im: PILImage.Image, size: int) -> bytes:
    """Shrink the loaded image in place first (its full-size pixels are freed), then turn it upright
    and flatten it to 8-bit RGB: every step after the first works on the small image."""
    if im.mode in _SIXTEEN_BIT:
        # Pillow's reducing and Lanczos filters refuse 16-bit grey; a box filter averages it exactly.
        im.thumbnail((size, size), PILImage.Resampling.BOX, reducing_gap=None)
    else:
        im.thumbnail((size, size), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
    upright = ImageOps.exif_transpose(im)
    out = io.BytesIO()
    to_rgb(upright).save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def decode_image(
    data: BinaryIO,
    name: str,
    size_bytes: int,
    content_hash: str,
    max_pixels: int,
    thumb_size: int | None,
    *,
    memory_limit_bytes: int = DEFAULT_DECODE_MEMORY_BYTES,
) -> tuple[ImageFacts, bytes | None]:
    """Read the header, check format and pixel count, then decode every byte (a truncated or corrupt
    file fails here, not later in a worker) and, when asked, render the thumbnail from that decode.

    JPEGs are decoded in draft mode at the smallest DCT scale that still covers the thumbnail: the whole
    entropy-coded stream is still read (truncation is still caught), at a fraction of the cost. The
    decode reserves its memory from the process's budget of `memory_limit_bytes` first (waiting for
    other decodes, or refused when it could never fit).
    """
    if size_bytes == 0:
        raise ValidationFailed(f"{name} is empty (0 bytes).", file=name)
    _allow_pixels(max_pixels)
    try:
        with PILImage.open(data) as im:
            fmt = im.format or ""
            if fmt not in FORMATS:
                raise UnsupportedMedia(f"{name} is a {fmt} image; accepted formats: {ACCEPTED}.", file=name)
            _check_pixels(im, name, max_pixels)
            width, height = im.size
            im.draft("RGB", (thumb_size or 64, thumb_size or 64))
            with decode_budget(memory_limit_bytes).reserve(decoded_bytes(im), name):
                # Inside the reservation: Pillow finds a PNG's EXIF after the pixels only by decoding.
                if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                    width, height = height, width
                im.load()
                thumbnail = _thumbnail_jpeg(im, thumb_size) if thumb_size is not None else None
    except ShelfscopeError:
        raise
    except UnidentifiedImageError:
        raise UnsupportedMedia(
            f"{name} is not an image file (accepted formats: {ACCEPTED}).", file=name
        ) from None
    except PILImage.DecompressionBombError:
        raise PayloadTooLarge(
            f"{name} is over the {max_pixels:,} pixel limit.", file=name, limit_pixels=max_pixels
        ) from None
    except Exception as exc:  # Pillow's format plugins raise many exception types on malformed input
        raise ValidationFailed(f"{name} is truncated or corrupt ({exc}).", file=name) from None
    facts = ImageFacts(
        width=width, height=height, format=fmt, size_bytes=size_bytes, content_hash=content_hash
    )
    return facts, thumbnail


def _check_pixels(im: PILImage.Image, name: str, max_pixels: int) -> None:
    if im.width * im.height > max_pixels:
        raise PayloadTooLarge(
            f"{name} has {im.width}x{im.height} pixels, over the {max_pixels:,} pixel limit.",
            file=name,
            limit_pixels=max_pixels,
        )


def inspect_image(
    data: BinaryIO, filename: str, size_bytes: int, content_hash: str, max_pixels: int
) -> ImageFacts:
    """Prove the bytes are one whole image of an accepted format; raise naming the file if not."""
    facts, _ = decode_image(data, display_name(filename), size_bytes, content_hash, max_pixels, None)
    return facts


def render_thumbnail(
    data: bytes | BinaryIO, size: int, *, memory_limit_bytes: int = DEFAULT_DECODE_MEMORY_BYTES
) -> bytes:
    """A JPEG no larger than size x size, upright per EXIF, of an image already in the library. Draft
    mode decodes JPEGs at reduced scale; the decode's memory is reserved from the budget first."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with PILImage.open(source) as im:
        im.draft("RGB", (size, size))
        with decode_budget(memory_limit_bytes).reserve(decoded_bytes(im), "the stored image"):
            im.load()
            return _thumbnail_jpeg(im, size)

"""Reading image files: format and pixel checks, EXIF-upright size, a full decode that proves the
bytes are whole, and the JPEG thumbnail rendered from that decode. Pure: bytes in, facts out."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from shelfscope.errors import PayloadTooLarge, ShelfscopeError, UnsupportedMedia, ValidationFailed

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tif"}


CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}


ACCEPTED = "JPEG, PNG, WebP, BMP, TIFF"


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


def _to_rgb(im: PILImage.Image) -> PILImage.Image:
    """8-bit RGB for a JPEG thumbnail: transparency onto white, 16-bit and float scans stretched."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        wide = im if im.mode == "F" else im.convert("I")
        extrema = wide.getextrema()
        low, high = (
            (float(extrema[0]), float(extrema[1])) if isinstance(extrema[0], int | float) else (0, 255)
        )
        scale = 255.0 / (high - low) if high > low else 1.0
        im = wide.point(lambda v: v * scale - low * scale).convert("L")
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


def decode_image(
    data: BinaryIO, name: str, size_bytes: int, content_hash: str, max_pixels: int, thumb_size: int | None
) -> tuple[ImageFacts, bytes | None]:
    """Read the header, check format and pixel count, then decode every byte (a truncated or corrupt
    file fails here, not later in a worker) and, when asked, render the thumbnail from that decode.

    JPEGs are decoded in draft mode at the smallest DCT scale that still covers the thumbnail: the whole
    entropy-coded stream is still read (truncation is still caught), at a fraction of the cost.
    """
    if size_bytes == 0:
        raise ValidationFailed(f"{name} is empty (0 bytes).", file=name)
    _allow_pixels(max_pixels)
    try:
        with PILImage.open(data) as im:
            fmt = im.format or ""
            if fmt not in FORMATS:
                raise UnsupportedMedia(f"{name} is a {fmt} image; accepted formats: {ACCEPTED}.", file=name)
            if im.width * im.height > max_pixels:
                raise PayloadTooLarge(
                    f"{name} has {im.width}x{im.height} pixels, over the {max_pixels:,} pixel limit.",
                    file=name,
                    limit_pixels=max_pixels,
                )
            orientation = im.getexif().get(0x0112, 1)
            swap = orientation in (5, 6, 7, 8)
            width, height = (im.height, im.width) if swap else (im.width, im.height)
            im.draft("RGB", (thumb_size or 64, thumb_size or 64))
            im.load()
            thumbnail = None
            if thumb_size is not None:
                upright = ImageOps.exif_transpose(im)
                upright.thumbnail((thumb_size, thumb_size), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
                out = io.BytesIO()
                _to_rgb(upright).save(out, "JPEG", quality=85, optimize=True)
                thumbnail = out.getvalue()
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


def inspect_image(
    data: BinaryIO, filename: str, size_bytes: int, content_hash: str, max_pixels: int
) -> ImageFacts:
    """Prove the bytes are one whole image of an accepted format; raise naming the file if not."""
    facts, _ = decode_image(data, display_name(filename), size_bytes, content_hash, max_pixels, None)
    return facts


def render_thumbnail(data: bytes | BinaryIO, size: int) -> bytes:
    """A JPEG no larger than size x size, upright per EXIF. Draft mode decodes JPEGs at reduced scale."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with PILImage.open(source) as im:
        im.draft("RGB", (size, size))
        upright = ImageOps.exif_transpose(im)
        upright.thumbnail((size, size), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
        out = io.BytesIO()
        _to_rgb(upright).save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()

"""Image library logic: ingesting image files (hash, metadata, thumbnail) and looking images up."""

from __future__ import annotations

import hashlib
import io
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import PayloadTooLarge, UnsupportedMedia, ValidationFailed
from shelfscope.od.images.models import Image
from shelfscope.storage import Storage, new_key

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tif"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "BMP": "image/bmp",
                 "TIFF": "image/tiff"}
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ImageFacts:
    """What a person sees: size after EXIF orientation, the decoded format, the bytes' hash."""

    width: int
    height: int
    format: str
    size_bytes: int
    content_hash: str


@dataclass(frozen=True)
class IngestResult:
    image: Image
    status: Literal["stored", "duplicate"]


def _spool(stream: BinaryIO, max_bytes: int, filename: str) -> tuple[BinaryIO, str, int]:
    """Copy to a temporary file (memory stays flat) while hashing; refuse past the size limit."""
    digest = hashlib.sha256()
    size = 0
    spool = tempfile.SpooledTemporaryFile(max_size=8 * _CHUNK)  # noqa: SIM115 (returned to the caller)
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            spool.close()
            raise PayloadTooLarge(f"{filename} is larger than the {max_bytes // (1024 * 1024)} MiB limit.",
                                  file=filename, limit_bytes=max_bytes)
        digest.update(chunk)
        spool.write(chunk)
    spool.seek(0)
    return spool, digest.hexdigest(), size  # type: ignore[return-value]


def inspect_image(data: BinaryIO, filename: str, size_bytes: int, content_hash: str,
                  max_pixels: int) -> ImageFacts:
    """Decode the header and the pixels to prove it is a whole image; raise naming the file if not."""
    if size_bytes == 0:
        raise ValidationFailed(f"{filename} is empty (0 bytes).", file=filename)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            with PILImage.open(data) as im:
                fmt = im.format or ""
                if fmt not in FORMATS:
                    raise UnsupportedMedia(f"{filename} is {fmt or 'not an image'}; accepted: JPEG, PNG, WebP, "
                                           "BMP, TIFF.", file=filename)
                if im.width * im.height > max_pixels:
                    raise PayloadTooLarge(f"{filename} has {im.width}x{im.height} pixels, over the "
                                          f"{max_pixels:,} pixel limit.", file=filename)
                orientation = im.getexif().get(0x0112, 1)
                im.load()  # a truncated or corrupt file fails here, not later in a worker
                width, height = (im.height, im.width) if orientation in (5, 6, 7, 8) else (im.width, im.height)
        except (UnidentifiedImageError, PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as e:
            if isinstance(e, UnidentifiedImageError):
                raise UnsupportedMedia(f"{filename} is not an image file.", file=filename) from None
            raise PayloadTooLarge(f"{filename} is over the pixel limit.", file=filename) from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValidationFailed(f"{filename} is truncated or corrupt ({exc}).", file=filename) from None
    return ImageFacts(width=width, height=height, format=fmt, size_bytes=size_bytes, content_hash=content_hash)


def render_thumbnail(data: bytes | BinaryIO, size: int) -> bytes:
    """A JPEG no larger than size×size, upright per EXIF. Draft mode decodes JPEGs at reduced scale."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with PILImage.open(source) as im:
        im.draft("RGB", (size, size))
        upright = ImageOps.exif_transpose(im)
        upright.thumbnail((size, size), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
        rgb = upright.convert("RGB")
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()


def find_by_hash(session: Session, content_hash: str) -> Image | None:
    return session.scalars(select(Image).where(Image.content_hash == content_hash)).one_or_none()


def ingest_stream(session: Session, storage: Storage, settings: Settings, stream: BinaryIO, filename: str, *,
                  source: str = "upload", source_id: str | None = None, folder: str | None = None,
                  user_id: int | None = None) -> IngestResult:
    """Store one image: duplicate bytes return the existing row; on any failure no file is left behind.

    The caller commits; stored objects are removed again if the flush fails.
    """
    spool, content_hash, size = _spool(stream, settings.max_upload_bytes, filename)
    with spool:
        existing = find_by_hash(session, content_hash)
        if existing is not None:
            return IngestResult(existing, "duplicate")
        facts = inspect_image(spool, filename, size, content_hash, settings.max_image_pixels)
        spool.seek(0)
        thumb = render_thumbnail(spool, settings.thumbnail_size)
        key = new_key("images", FORMATS[facts.format])
        thumb_key = new_key("thumbnails", ".jpg")
        spool.seek(0)
        stored: list[str] = []
        try:
            storage.put_stream(key, spool, CONTENT_TYPES[facts.format])
            stored.append(key)
            storage.put_bytes(thumb_key, thumb, "image/jpeg")
            stored.append(thumb_key)
            image = Image(storage_key=key, thumbnail_key=thumb_key, filename=display_name(filename),
                          content_hash=content_hash, width=facts.width, height=facts.height, format=facts.format,
                          size_bytes=size, source=source, source_id=source_id, folder=folder, created_by=user_id)
            session.add(image)
            session.flush()
        except BaseException:
            for k in stored:
                storage.delete(k)
            raise
    return IngestResult(image, "stored")


def display_name(filename: str) -> str:
    """The last path part, without control characters; only ever shown, never used as a path."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return (name or "unnamed")[:512]


def ingest_folder(session: Session, storage: Storage, settings: Settings, folder: Path,
                  user_id: int | None = None) -> dict[str, int]:
    """Ingest every image file under a server folder (a command-line convenience), committing per file."""
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix.lower() not in {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}:
            continue
        try:
            with path.open("rb") as f:
                result = ingest_stream(session, storage, settings, f, path.name, source="import", user_id=user_id)
            session.commit()
            counts[result.status] += 1
        except (ValidationFailed, UnsupportedMedia, PayloadTooLarge):
            session.rollback()
            counts["rejected"] += 1
    return counts


__all__ = ["ImageFacts", "IngestResult", "display_name", "ingest_folder", "ingest_stream", "inspect_image",
           "render_thumbnail"]

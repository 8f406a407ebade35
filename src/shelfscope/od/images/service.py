"""Image library logic: ingesting image files (hash, metadata, thumbnail), the library filter,
listing, editing and deleting images. Plain functions over a session; no HTTP here."""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from shelfscope.config import Settings
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import contains_ignore_case, insert_ignore, is_postgres, like_escape
from shelfscope.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    ShelfscopeError,
    UnsupportedMedia,
    ValidationFailed,
)
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.fetch import FetchPolicy, SafeFetcher
from shelfscope.od.images.models import Image, ImageTag
from shelfscope.od.images.rows import NewImage
from shelfscope.od.images.schemas import (
    BatchResult,
    BulkIn,
    BulkOut,
    FacetCount,
    ImageFacets,
    ImageFilters,
    ImageOut,
    ImagePatch,
    ItemResult,
    SortField,
    SortOrder,
)
from shelfscope.od.versions.models import DatasetVersion, VersionImage
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor
from shelfscope.storage import Storage, new_key

log = logging.getLogger("shelfscope.images")

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tif"}
CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
ACCEPTED = "JPEG, PNG, WebP, BMP, TIFF"
_CHUNK = 1024 * 1024
# Bulk deletes work through the matches in batches of this many ids, committing each batch.
_DELETE_BATCH = 500


# ---- the library filter ------------------------------------------------------------------------------


def image_filter_conditions(filters: ImageFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses on `Image` for the filters; every one is an index lookup or a correlated EXISTS
    so the planner can walk a sort index and stop after one page."""
    where: list[ColumnElement[bool]] = []
    if filters.source is not None:
        where.append(Image.source == filters.source)
    if filters.folder is not None:
        if filters.folder_prefix:
            below = like_escape(filters.folder) + "/%"
            where.append(or_(Image.folder == filters.folder, Image.folder.like(below, escape="\\")))
        else:
            where.append(Image.folder == filters.folder)
    for tag in filters.tags:
        # One EXISTS per tag: "has all of them", each a primary-key probe of (image_id, tag).
        where.append(exists().where(ImageTag.image_id == Image.id, ImageTag.tag == tag))
    if filters.dataset_id is not None:
        where.append(
            exists().where(DatasetImage.dataset_id == filters.dataset_id, DatasetImage.image_id == Image.id)
        )
    if filters.not_in_dataset_id is not None:
        where.append(
            ~exists().where(
                DatasetImage.dataset_id == filters.not_in_dataset_id, DatasetImage.image_id == Image.id
            )
        )
    if filters.has_annotations is not None:
        annotated = exists().where(
            DatasetImage.image_id == Image.id, Annotation.dataset_image_id == DatasetImage.id
        )
        where.append(annotated if filters.has_annotations else ~annotated)
    if filters.q:
        # ILIKE: PostgreSQL answers it from the pg_trgm GIN index; SQLite's LIKE is already
        # case-insensitive (ASCII) and scans the narrow (created_at, id) or (filename, id) index.
        where.append(contains_ignore_case(Image.filename, filters.q))
    return where


def image_filter_query(filters: ImageFilters) -> Select[int]:
    """Ids of the library images matching `filters` (unordered). Use it as a subquery or an
    INSERT ... SELECT source, e.g. adding every matching image to a dataset in one statement."""
    return select(Image.id).where(*image_filter_conditions(filters))


# ---- reading image files -----------------------------------------------------------------------------


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


def display_name(filename: str | None) -> str:
    """The last path part, without control or direction-override characters; only ever shown, never
    used as a path (storage keys are server-chosen)."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in ("", ".", ".."):
        return "unnamed"
    return name[:512]


def _seekable_at_start(stream: BinaryIO) -> bool:
    try:
        return stream.seekable() and stream.tell() == 0
    except (AttributeError, OSError, ValueError):
        return False


@contextmanager
def _spooled(stream: BinaryIO, max_bytes: int, name: str) -> Iterator[tuple[BinaryIO, str, int]]:
    """(file at offset 0, sha256, size) with the size limit enforced while reading.

    A seekable stream (an upload Starlette already spooled to disk, a fetched body) is hashed in place;
    anything else is copied to a temporary file first. Memory stays flat either way.
    """
    digest = hashlib.sha256()
    size = 0
    in_place = _seekable_at_start(stream)
    target: BinaryIO = stream if in_place else tempfile.TemporaryFile()  # noqa: SIM115
    try:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(
                    f"{name} is larger than the {max_bytes / (1024 * 1024):g} MiB upload limit.",
                    file=name,
                    limit_bytes=max_bytes,
                )
            digest.update(chunk)
            if not in_place:
                target.write(chunk)
        target.seek(0)
        yield target, digest.hexdigest(), size
    finally:
        if not in_place:
            target.close()


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


# ---- ingesting ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stored:
    """Bytes and thumbnail written to storage, no row yet."""

    facts: ImageFacts
    key: str
    thumbnail_key: str

    def discard(self, storage: Storage) -> None:
        for key in (self.key, self.thumbnail_key):
            try:
                storage.delete(key)
            except Exception:  # cleanup after a failure must not hide that failure
                log.exception("could not remove stored object %s after a failed ingest", key)


def _store(
    storage: Storage, settings: Settings, file: BinaryIO, name: str, digest: str, size: int
) -> _Stored:
    facts, thumbnail = decode_image(
        file, name, size, digest, settings.max_image_pixels, settings.thumbnail_size
    )
    assert thumbnail is not None
    stored = _Stored(facts, new_key("images", FORMATS[facts.format]), new_key("thumbnails", ".jpg"))
    try:
        file.seek(0)
        # The original bytes, untouched: EXIF orientation is applied to the facts and thumbnail only.
        storage.put_stream(stored.key, file, CONTENT_TYPES[facts.format])
        storage.put_bytes(stored.thumbnail_key, thumbnail, "image/jpeg")
    except BaseException:
        stored.discard(storage)
        raise
    return stored


def _add_row(
    session: Session,
    stored: _Stored,
    name: str,
    *,
    source: str,
    source_id: str | None,
    folder: str | None,
    tags: Sequence[str],
    user_id: int | None,
) -> Image:
    image = Image(
        storage_key=stored.key,
        thumbnail_key=stored.thumbnail_key,
        filename=name,
        content_hash=stored.facts.content_hash,
        width=stored.facts.width,
        height=stored.facts.height,
        format=stored.facts.format,
        size_bytes=stored.facts.size_bytes,
        source=source,
        source_id=source_id,
        folder=folder,
        created_by=user_id,
    )
    session.add(image)
    session.flush()
    if tags:
        session.execute(insert(ImageTag), [{"image_id": image.id, "tag": t} for t in dict.fromkeys(tags)])
    return image


def find_by_hash(session: Session, content_hash: str) -> Image | None:
    return session.scalars(select(Image).where(Image.content_hash == content_hash)).one_or_none()


def find_by_source_id(session: Session, source: str, source_id: str) -> Image | None:
    return session.scalars(
        select(Image).where(Image.source == source, Image.source_id == source_id)
    ).one_or_none()


def ingest_stream(
    session: Session,
    storage: Storage,
    settings: Settings,
    stream: BinaryIO,
    filename: str,
    *,
    source: str = "upload",
    source_id: str | None = None,
    folder: str | None = None,
    tags: Sequence[str] = (),
    user_id: int | None = None,
) -> IngestResult:
    """Store one image inside the caller's transaction (for imports that are all-or-nothing): duplicate
    bytes return the existing row. The caller commits; stored objects are removed again if the flush
    fails, and the caller removes them (`image.storage_key`, `image.thumbnail_key`) if it rolls back."""
    name = display_name(filename)
    with _spooled(stream, settings.max_upload_bytes, name) as (file, digest, size):
        existing = find_by_hash(session, digest)
        if existing is not None:
            return IngestResult(existing, "duplicate")
        stored = _store(storage, settings, file, name, digest, size)
    try:
        image = _add_row(
            session,
            stored,
            name,
            source=source,
            source_id=source_id,
            folder=folder,
            tags=tags,
            user_id=user_id,
        )
    except BaseException:
        stored.discard(storage)
        raise
    return IngestResult(image, "stored")


def ingest_file(
    session: Session,
    storage: Storage,
    settings: Settings,
    stream: BinaryIO,
    filename: str,
    *,
    source: str = "upload",
    source_id: str | None = None,
    folder: str | None = None,
    tags: Sequence[str] = (),
    user_id: int | None = None,
) -> IngestResult:
    """Store one image in its own transaction, committed before returning; nothing is left behind
    when it fails. Call it with nothing pending in the session (it commits).

    No transaction is open while the file is hashed, decoded and stored, so on SQLite the write lock is
    held only for the insert, and other uploads and edits proceed meanwhile. Two uploads of the same
    bytes racing each other end with one stored and one duplicate.
    """
    name = display_name(filename)
    with _spooled(stream, settings.max_upload_bytes, name) as (file, digest, size):
        existing = find_by_hash(session, digest)
        session.commit()
        if existing is not None:
            return IngestResult(existing, "duplicate")
        stored = _store(storage, settings, file, name, digest, size)
    try:
        image = _add_row(
            session,
            stored,
            name,
            source=source,
            source_id=source_id,
            folder=folder,
            tags=tags,
            user_id=user_id,
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        stored.discard(storage)
        existing = find_by_hash(session, digest)
        session.commit()
        if existing is not None:
            return IngestResult(existing, "duplicate")
        raise Conflict(
            f"{name}: an image with {source} id {source_id} is already in the library.",
            file=name,
            source=source,
            source_id=source_id,
        ) from None
    except BaseException:
        session.rollback()
        stored.discard(storage)
        raise
    return IngestResult(image, "stored")


def _rejection(name: str, exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ShelfscopeError):
        body = exc.to_body()
    else:
        log.exception("storing %s failed", name)
        body = {
            "error": "Internal",
            "detail": f"{name} could not be stored because of a server error; it is logged.",
        }
    body.setdefault("file", name)
    return body


def _batch(results: list[ItemResult]) -> BatchResult:
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for r in results:
        counts[r.status] += 1
    return BatchResult(results=results, **counts)


def ingest_batch(
    session: Session,
    storage: Storage,
    settings: Settings,
    files: Iterable[tuple[str, BinaryIO]],
    *,
    folder: str | None = None,
    tags: Sequence[str] = (),
    user_id: int | None = None,
) -> BatchResult:
    """Upload many files; each commits on its own, so one bad file never rejects the others."""
    session.commit()  # end whatever read the request began (SQLite: release the write lock)
    results: list[ItemResult] = []
    for filename, stream in files:
        name = display_name(filename)
        try:
            result = ingest_file(
                session, storage, settings, stream, name, folder=folder, tags=tags, user_id=user_id
            )
        except Exception as exc:
            session.rollback()
            results.append(
                ItemResult(filename=name, status="rejected", image=None, error=_rejection(name, exc))
            )
            continue
        results.append(
            ItemResult(
                filename=name, status=result.status, image=image_out(session, result.image), error=None
            )
        )
        session.commit()
    return _batch(results)


def _url_source_id(session: Session, url: str) -> str | None:
    # The URL is where the image came from; when the same URL was imported before (its content has
    # changed, or the hashes would have matched) the new image keeps no source id rather than fail.
    if len(url) > 255 or find_by_source_id(session, "url", url) is not None:
        return None
    return url


def import_urls(
    session: Session,
    storage: Storage,
    settings: Settings,
    urls: Sequence[str],
    *,
    folder: str | None = None,
    tags: Sequence[str] = (),
    user_id: int | None = None,
) -> BatchResult:
    """Fetch each URL through the safe fetcher and ingest it; per-URL results like an upload."""
    session.commit()
    results: list[ItemResult] = []
    with SafeFetcher(FetchPolicy.from_settings(settings)) as fetcher:
        for url in urls:
            name = display_name(url.split("?", 1)[0])
            try:
                with fetcher.fetch(url) as fetched:
                    name = display_name(fetched.filename)
                    source_id = _url_source_id(session, url)
                    result = ingest_file(
                        session,
                        storage,
                        settings,
                        fetched.file,
                        name,
                        source="url",
                        source_id=source_id,
                        folder=folder,
                        tags=tags,
                        user_id=user_id,
                    )
            except Exception as exc:
                session.rollback()
                error = _rejection(name, exc)
                error.setdefault("url", url)
                results.append(ItemResult(filename=name, url=url, status="rejected", image=None, error=error))
                continue
            image = image_out(session, result.image)
            session.commit()
            results.append(ItemResult(filename=name, url=url, status=result.status, image=image, error=None))
    return _batch(results)


def ingest_folder(
    session: Session, storage: Storage, settings: Settings, folder: Path, user_id: int | None = None
) -> dict[str, int]:
    """Ingest every image file under a server folder (a command-line convenience), committing per file."""
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix.lower() not in {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}:
            continue
        try:
            with path.open("rb") as f:
                result = ingest_file(
                    session, storage, settings, f, path.name, source="import", user_id=user_id
                )
            counts[result.status] += 1
        except ShelfscopeError as exc:
            session.rollback()
            log.warning("skipped %s: %s", path, exc.detail)
            counts["rejected"] += 1
    return counts


# ---- reading the library -----------------------------------------------------------------------------


def _tags_by_image(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Tags of a page of images in one query (never one per image)."""
    found: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(ImageTag.image_id, ImageTag.tag).where(ImageTag.image_id.in_(ids)).order_by(ImageTag.tag)
        )
        for image_id, tag in rows:
            found[image_id].append(tag)
    return found


def _out(image: Image, tags: list[str]) -> ImageOut:
    return ImageOut(
        id=image.id,
        filename=image.filename,
        width=image.width,
        height=image.height,
        format=image.format,
        size_bytes=image.size_bytes,
        content_hash=image.content_hash,
        source=image.source,
        source_id=image.source_id,
        folder=image.folder,
        tags=tags,
        created_by=image.created_by,
        created_at=image.created_at,
        updated_at=image.updated_at,
    )


def images_out(session: Session, images: Sequence[Image]) -> list[ImageOut]:
    tags = _tags_by_image(session, [i.id for i in images])
    return [_out(i, tags[i.id]) for i in images]


def image_out(session: Session, image: Image) -> ImageOut:
    return images_out(session, [image])[0]


def get_image(session: Session, image_id: int) -> Image:
    image = session.get(Image, image_id)
    if image is None:
        raise NotFound(f"Image {image_id} does not exist.", image_id=image_id)
    return image


_SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "created_at": Image.created_at,
    "filename": Image.filename,
    "size": Image.size_bytes,
}


def _cursor_value(sort: SortField, raw: Any) -> Any:
    try:
        if sort == "created_at":
            value = datetime.fromisoformat(str(raw))
            if value.tzinfo is None:
                raise ValueError("naive")
            return value
        if sort == "size":
            return int(raw)
        if not isinstance(raw, str):
            raise ValueError("not a name")
        return raw
    except (TypeError, ValueError):
        raise ValidationFailed.field("cursor", "is not a cursor this API returned") from None


# SQLite has no trigram index (FTS5 would be a virtual table outside the migrated schema). A substring
# search either walks the sort index testing each row, fast when matches are common, or scans the
# narrow (filename, id) index, fast when they are rare. The scan runs first and stops after this many
# matches: a short result becomes an id list for the page query; a long one means matches are common,
# and walking the sort index finds a page of them within a few thousand rows.
SQLITE_SEARCH_ID_LIMIT = 2000


def _sqlite_search_ids(session: Session, q: str) -> list[int] | None:
    query = (
        select(Image.id)
        .with_hint(Image, "INDEXED BY ix_od_images_filename_id", "sqlite")
        .where(contains_ignore_case(Image.filename, q))
        .limit(SQLITE_SEARCH_ID_LIMIT + 1)
    )
    ids = list(session.scalars(query))
    return ids if len(ids) <= SQLITE_SEARCH_ID_LIMIT else None


def _list_conditions(session: Session, filters: ImageFilters) -> list[ColumnElement[bool]]:
    if filters.q and not is_postgres(session):
        ids = _sqlite_search_ids(session, filters.q)
        if ids is not None:
            return [*image_filter_conditions(filters.model_copy(update={"q": None})), Image.id.in_(ids)]
    return image_filter_conditions(filters)


def list_images(
    session: Session,
    filters: ImageFilters,
    *,
    sort: SortField = "created_at",
    order: SortOrder = "desc",
    limit: int = 50,
    cursor: str | None = None,
    with_total: bool = False,
) -> Page[ImageOut]:
    """One page by keyset on (sort column, id): page 1,000 costs what page 1 costs. The count is only
    taken when asked for, since it is the one part that grows with the library."""
    check_limit(limit)
    column = _SORT_COLUMNS[sort]
    where = _list_conditions(session, filters)
    query = select(Image).where(*where)
    if cursor:
        cur_sort, cur_order, raw, last_id = decode_cursor(cursor, 4)
        if (cur_sort, cur_order) != (sort, order) or not isinstance(last_id, int):
            raise ValidationFailed.field("cursor", "belongs to another sort order; start from the first page")
        key = tuple_(column, Image.id)
        bound = tuple_(literal(_cursor_value(sort, raw), column.type), literal(last_id, Image.id.type))
        query = query.where(key < bound if order == "desc" else key > bound)
    ordering = (column.desc(), Image.id.desc()) if order == "desc" else (column.asc(), Image.id.asc())
    rows = list(session.scalars(query.order_by(*ordering).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        value = {
            "created_at": last.created_at.isoformat(),
            "filename": last.filename,
            "size": last.size_bytes,
        }
        next_cursor = encode_cursor([sort, order, value[sort], last.id])
    total = None
    if with_total:
        total = session.scalar(select(func.count()).select_from(Image).where(*where)) or 0
    return Page[ImageOut](items=images_out(session, rows), next_cursor=next_cursor, total=total)


# ---- serving bytes -----------------------------------------------------------------------------------


def file_chunks(storage: Storage, image: Image, byte_range: tuple[int, int] | None) -> Iterator[bytes]:
    """The original bytes (or one inclusive range of them), checked to exist before the response starts."""
    if not storage.exists(image.storage_key):
        raise NotFound(
            f"The bytes of image {image.id} are missing from storage; run POST /api/v1/od/images/verify.",
            image_id=image.id,
        )
    start, end = byte_range if byte_range is not None else (0, None)
    return storage.iter_range(image.storage_key, start, end)


def thumbnail_bytes(storage: Storage, settings: Settings, image: Image) -> bytes:
    """The stored thumbnail; rendered from the original when it is missing (the verify job restores it)."""
    if image.thumbnail_key is not None and storage.exists(image.thumbnail_key):
        return storage.read_bytes(image.thumbnail_key)
    if not storage.exists(image.storage_key):
        raise NotFound(f"The bytes of image {image.id} are missing from storage.", image_id=image.id)
    with storage.open(image.storage_key) as f:
        return render_thumbnail(f, settings.thumbnail_size)


# ---- editing -----------------------------------------------------------------------------------------


def _set_tags(session: Session, image_id: int, tags: Sequence[str]) -> None:
    session.execute(delete(ImageTag).where(ImageTag.image_id == image_id))
    if tags:
        session.execute(insert(ImageTag), [{"image_id": image_id, "tag": t} for t in tags])


def update_image(session: Session, image_id: int, patch: ImagePatch) -> ImageOut:
    """Change the folder and/or replace the tags (only the fields the request named)."""
    image = get_image(session, image_id)
    given = patch.model_fields_set
    if "folder" in given:
        image.folder = patch.folder
    if "tags" in given:
        _set_tags(session, image_id, patch.tags or [])
    if given:
        image.updated_at = utcnow()
    session.flush()
    out = image_out(session, image)
    session.commit()
    return out


# ---- deleting ----------------------------------------------------------------------------------------


def _frozen_in(session: Session, image_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Dataset versions each image is frozen in (their snapshot keeps the image: RESTRICT)."""
    rows = session.execute(
        select(
            VersionImage.image_id,
            DatasetVersion.id,
            DatasetVersion.dataset_id,
            DatasetVersion.number,
            DatasetVersion.name,
            Dataset.name,
        )
        .join(DatasetVersion, DatasetVersion.id == VersionImage.version_id)
        .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .where(VersionImage.image_id.in_(image_ids))
        .order_by(VersionImage.image_id, DatasetVersion.dataset_id, DatasetVersion.number)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for image_id, version_id, dataset_id, number, name, dataset_name in rows:
        found.setdefault(image_id, []).append(
            {
                "version_id": version_id,
                "dataset_id": dataset_id,
                "dataset_name": dataset_name,
                "number": number,
                "name": name,
            }
        )
    return found


def _annotations_in(session: Session, image_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Per image, the datasets holding annotations of it and how many."""
    rows = session.execute(
        select(DatasetImage.image_id, Dataset.id, Dataset.name, func.count(Annotation.id))
        .join(Dataset, Dataset.id == DatasetImage.dataset_id)
        .join(Annotation, Annotation.dataset_image_id == DatasetImage.id)
        .where(DatasetImage.image_id.in_(image_ids))
        .group_by(DatasetImage.image_id, Dataset.id, Dataset.name)
        .order_by(DatasetImage.image_id, Dataset.id)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for image_id, dataset_id, name, count in rows:
        found.setdefault(image_id, []).append({"dataset_id": dataset_id, "name": name, "annotations": count})
    return found


def _remove_objects(storage: Storage, keys: Iterable[str | None]) -> None:
    # After the commit: a row pointing at missing bytes is worse than an orphaned object, which the
    # verify job can report. A failure here is logged, not raised; the delete itself succeeded.
    for key in keys:
        if key:
            try:
                storage.delete(key)
            except Exception:
                log.exception("image deleted, but its stored object %s could not be removed", key)


def delete_image(session: Session, storage: Storage, image_id: int, *, force: bool = False) -> None:
    """Remove the image, its memberships and annotations (force), its bytes and thumbnail.

    Refused when the image is frozen in a dataset version (always) or annotated (unless force).
    """
    image = get_image(session, image_id)
    versions = _frozen_in(session, [image_id]).get(image_id)
    if versions:
        names = ", ".join(f"{v['dataset_name']} v{v['number']}" for v in versions)
        raise Conflict(
            f"Image {image_id} is frozen in dataset versions ({names}); versions never change, so it "
            "cannot be deleted while they exist.",
            image_id=image_id,
            versions=versions,
        )
    datasets = _annotations_in(session, [image_id]).get(image_id)
    if datasets and not force:
        total = sum(d["annotations"] for d in datasets)
        names = ", ".join(d["name"] for d in datasets)
        raise Conflict(
            f"Image {image_id} has {total} annotations in datasets {names}; delete with force=true to "
            "remove them too.",
            image_id=image_id,
            annotations=total,
            datasets=datasets,
        )
    keys = (image.storage_key, image.thumbnail_key)
    try:
        session.execute(delete(Image).where(Image.id == image_id))
        session.commit()
    except IntegrityError:
        # A version froze the image between the check and the delete.
        session.rollback()
        raise Conflict(
            f"Image {image_id} was just frozen in a dataset version and cannot be deleted.", image_id=image_id
        ) from None
    _remove_objects(storage, keys)


# ---- bulk actions ------------------------------------------------------------------------------------


def _bulk_target(body: BulkIn) -> list[ColumnElement[bool]]:
    if body.ids is not None:
        return [Image.id.in_(body.ids)]
    if body.filter is None:
        raise ValidationFailed.field("ids", "give the image ids, or a filter")
    if body.action == "delete" and body.filter.is_empty():
        raise ValidationFailed.field(
            "filter", "an empty filter matches the whole library; name at least one filter to delete by"
        )
    return image_filter_conditions(body.filter)


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Image).where(*where)) or 0)


def bulk_action(session: Session, storage: Storage, body: BulkIn) -> BulkOut:
    """Tag, untag, set the folder of, or delete every image named by ids or matching a filter.

    Tags and folders change in one set-based statement each (no per-image round trips); deletes go in
    batches of ids, each batch committed, so a huge delete neither holds one long transaction nor
    loads every row. Repeating a bulk request is harmless: it changes only what still differs.
    """
    target = _bulk_target(body)
    matched = _count(session, *target)
    if body.action in ("tag", "untag") and not body.tags:
        raise ValidationFailed.field("tags", f"name at least one tag to {body.action}")
    if body.action == "tag":
        missing = or_(*(~exists().where(ImageTag.image_id == Image.id, ImageTag.tag == t) for t in body.tags))
        changed = _count(session, *target, missing)
        for tag in body.tags:
            lacking = select(Image.id, literal(tag, String())).where(
                *target, ~exists().where(ImageTag.image_id == Image.id, ImageTag.tag == tag)
            )
            session.execute(insert(ImageTag).from_select(["image_id", "tag"], lacking))
        session.commit()
        return BulkOut(action="tag", matched=matched, changed=changed)
    if body.action == "untag":
        having = exists().where(ImageTag.image_id == Image.id, ImageTag.tag.in_(body.tags))
        changed = _count(session, *target, having)
        ids = select(Image.id).where(*target).scalar_subquery()
        session.execute(delete(ImageTag).where(ImageTag.tag.in_(body.tags), ImageTag.image_id.in_(ids)))
        session.commit()
        return BulkOut(action="untag", matched=matched, changed=changed)
    if body.action == "set_folder":
        result = session.execute(
            update(Image)
            .where(*target, Image.folder.is_distinct_from(body.folder))
            .values(folder=body.folder, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return BulkOut(action="set_folder", matched=matched, changed=int(getattr(result, "rowcount", 0) or 0))
    return _bulk_delete(session, storage, target, matched, force=body.force)


def _bulk_delete(
    session: Session, storage: Storage, target: list[ColumnElement[bool]], matched: int, *, force: bool
) -> BulkOut:
    deleted = 0
    skipped: dict[str, int] = {}
    last_id = 0
    while True:
        batch = session.execute(
            select(Image.id, Image.storage_key, Image.thumbnail_key)
            .where(*target, Image.id > last_id)
            .order_by(Image.id)
            .limit(_DELETE_BATCH)
        ).all()
        if not batch:
            break
        last_id = batch[-1].id
        ids = [row.id for row in batch]
        frozen = set(_frozen_in(session, ids))
        annotated = set() if force else set(_annotations_in(session, ids)) - frozen
        doomed = [row for row in batch if row.id not in frozen and row.id not in annotated]
        if frozen:
            skipped["in_dataset_version"] = skipped.get("in_dataset_version", 0) + len(frozen)
        if annotated:
            skipped["annotated"] = skipped.get("annotated", 0) + len(annotated)
        if doomed:
            session.execute(delete(Image).where(Image.id.in_([row.id for row in doomed])))
        session.commit()
        deleted += len(doomed)
        _remove_objects(storage, (k for row in doomed for k in (row.storage_key, row.thumbnail_key)))
    return BulkOut(
        action="delete",
        matched=matched,
        changed=deleted,
        skipped=sum(skipped.values()),
        skipped_reasons=skipped,
    )


__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "ImageFacts",
    "IngestResult",
    "bulk_action",
    "delete_image",
    "display_name",
    "file_chunks",
    "find_by_hash",
    "find_by_source_id",
    "get_image",
    "image_filter_conditions",
    "image_filter_query",
    "image_out",
    "images_out",
    "import_urls",
    "ingest_batch",
    "ingest_file",
    "ingest_folder",
    "ingest_stream",
    "inspect_image",
    "list_images",
    "render_thumbnail",
    "thumbnail_bytes",
    "update_image",
]


def facets(session: Session, limit: int = 200) -> ImageFacets:
    """Folders and tags in use, most used first: two grouped scans of narrow indexes."""
    folder_rows = session.execute(
        select(Image.folder, func.count())
        .where(Image.folder.is_not(None))
        .group_by(Image.folder)
        .order_by(func.count().desc(), Image.folder)
        .limit(limit)
    ).all()
    tag_rows = session.execute(
        select(ImageTag.tag, func.count())
        .group_by(ImageTag.tag)
        .order_by(func.count().desc(), ImageTag.tag)
        .limit(limit)
    ).all()
    return ImageFacets(
        folders=[FacetCount(value=str(folder), images=int(n)) for folder, n in folder_rows],
        tags=[FacetCount(value=str(tag), images=int(n)) for tag, n in tag_rows],
    )


# ---- many new images at once (imports, product recognition) -----------------------------------------

# Rows per INSERT executemany, and hashes per IN (...) list.
_INSERT_CHUNK = 50_000
_QUERY_CHUNK = 500


def insert_many(
    session: Session, rows: Sequence[NewImage], user_id: int | None
) -> tuple[list[int], list[str]]:
    """(image id per row, storage keys no row refers to). Rows are inserted unless the library has
    their content already (insert-or-skip on the content hash): a row another writer stored meanwhile
    is reused, and the keys of this row's own files are returned so the caller removes them. One
    executemany per 50,000 rows; does not commit."""
    now = utcnow()
    values = [
        {
            "storage_key": r.storage_key,
            "thumbnail_key": r.thumbnail_key,
            "filename": r.filename,
            "content_hash": r.content_hash,
            "width": r.width,
            "height": r.height,
            "format": r.format,
            "size_bytes": r.size_bytes,
            "source": r.source,
            "source_id": r.source_id,
            "folder": r.folder,
            "created_by": user_id,
            "created_at": now,
            "updated_at": now,
        }
        for r in rows
    ]
    for start in range(0, len(values), _INSERT_CHUNK):
        session.connection().execute(
            insert_ignore(session, Image, ["content_hash"]), values[start : start + _INSERT_CHUNK]
        )
    ids = [0] * len(rows)
    unused: list[str] = []
    for start in range(0, len(rows), _QUERY_CHUNK):
        by_hash: dict[str, list[int]] = {}
        for i in range(start, min(start + _QUERY_CHUNK, len(rows))):
            by_hash.setdefault(rows[i].content_hash, []).append(i)
        for image_id, content_hash, storage_key in session.execute(
            select(Image.id, Image.content_hash, Image.storage_key).where(
                Image.content_hash.in_(list(by_hash))
            )
        ):
            for i in by_hash[content_hash]:
                ids[i] = image_id
                if storage_key != rows[i].storage_key:
                    unused += [k for k in (rows[i].storage_key, rows[i].thumbnail_key) if k]
    return ids, unused

"""The image library core: one image by id, its tags and shape, its bytes and thumbnail, editing and
deleting it. Ingest, listing, bulk actions and decoding have their own modules beside this one."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import insert_ignore
from shelfscope.errors import Conflict, NotFound
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.decode import render_thumbnail
from shelfscope.od.images.models import Image, ImageTag
from shelfscope.od.images.rows import NewImage
from shelfscope.od.images.schemas import API_PREFIX, ImageOut, ImagePatch
from shelfscope.od.versions.models import DatasetVersion, VersionImage
from shelfscope.storage import Storage

log = logging.getLogger("shelfscope.images")


def find_by_hash(session: Session, content_hash: str) -> Image | None:
    return session.scalars(select(Image).where(Image.content_hash == content_hash)).one_or_none()


def ids_by_hash(session: Session, hashes: Sequence[str]) -> dict[str, int]:
    """The image id of each content hash the library has. The stored hash is the sha256 of the file's
    original bytes on every way in (upload, URL, sync, archive import), so a client that hashed its
    file can trust a match to be the same bytes."""
    found: dict[str, int] = {}
    unique = list(dict.fromkeys(hashes))
    for start in range(0, len(unique), _QUERY_CHUNK):
        rows = session.execute(
            select(Image.content_hash, Image.id).where(
                Image.content_hash.in_(unique[start : start + _QUERY_CHUNK])
            )
        )
        found.update({content_hash: image_id for content_hash, image_id in rows})
    return found


def find_by_source_id(session: Session, source: str, source_id: str) -> Image | None:
    return session.scalars(
        select(Image).where(Image.source == source, Image.source_id == source_id)
    ).one_or_none()


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


def file_chunks(storage: Storage, image: Image, byte_range: tuple[int, int] | None) -> Iterator[bytes]:
    """The original bytes (or one inclusive range of them), checked to exist before the response starts."""
    if not storage.exists(image.storage_key):
        raise NotFound(
            f"The bytes of image {image.id} are missing from storage; run POST {API_PREFIX}/verify.",
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
        return render_thumbnail(f, settings.thumbnail_size, memory_limit_bytes=settings.decode_memory_bytes)


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


def frozen_in_versions(session: Session, image_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
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


def annotated_in(session: Session, image_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
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


def remove_objects(storage: Storage, keys: Iterable[str | None]) -> None:
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
    versions = frozen_in_versions(session, [image_id]).get(image_id)
    if versions:
        names = ", ".join(f"{v['dataset_name']} v{v['number']}" for v in versions)
        raise Conflict(
            f"Image {image_id} is frozen in dataset versions ({names}); versions never change, so it "
            "cannot be deleted while they exist.",
            image_id=image_id,
            versions=versions,
        )
    datasets = annotated_in(session, [image_id]).get(image_id)
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
    remove_objects(storage, keys)


# ---- many new images at once (imports, product recognition) -----------------------------------------

# Rows per INSERT executemany, and hashes per IN (...) list.
_INSERT_CHUNK = 50_000
_QUERY_CHUNK = 500


def insert_many(
    session: Session, rows: Sequence[NewImage], user_id: int | None, at: datetime | None = None
) -> tuple[list[int], list[str]]:
    """(image id per row, storage keys no row refers to). Rows are inserted unless the library has
    their content already (insert-or-skip on the content hash): a row another writer stored meanwhile
    is reused, and the keys of this row's own files are returned so the caller removes them. New rows
    are created `at` (default now; an import spanning transactions stamps all its rows alike). One
    executemany per 50,000 rows; does not commit."""
    now = at or utcnow()
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

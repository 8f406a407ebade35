"""A product's gallery: adding one image inside the caller's transaction (uploads, video frames, the
catalogue import and cutout matches all come through here) and removing images, with the product
counters changed in the same transaction.

The bytes go through the image library's ingest (streamed hash with the upload limit, decode limits,
thumbnail, storage); only the row is the product's own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.od.images.decode import display_name
from shelfscope.od.images.ingest import StoredFile, spooled, store_file
from shelfscope.pr.datasets.models import PrDataset, PrDatasetVersion, PrVersionImage
from shelfscope.pr.products.models import DOMAINS, IMAGE_SOURCES, Product, ProductImage
from shelfscope.storage import Storage
from shelfscope.storage.pending import remove_after_commit, remove_on_rollback

# Storage areas of product images and their thumbnails (keys are server-chosen, like the library's).
IMAGE_AREA = "pr_images"
THUMBNAIL_AREA = "pr_thumbnails"
_CHUNK = 500


@dataclass(frozen=True)
class ProductImageResult:
    image: ProductImage
    status: Literal["stored", "duplicate"]


def count_column(domain: str) -> Any:
    """The pr_products counter of one domain (`real_count`, ...)."""
    return getattr(Product, f"{domain}_count")


def check_domain(domain: str, field: str = "domain") -> str:
    if domain not in DOMAINS:
        raise ValidationFailed.field(field, f"must be one of {', '.join(DOMAINS)}, not {domain!r}")
    return domain


def find_by_hash(session: Session, content_hash: str) -> ProductImage | None:
    return session.scalars(
        select(ProductImage).where(ProductImage.content_hash == content_hash)
    ).one_or_none()


def change_counters(session: Session, product_id: int, domain: str, delta: int) -> None:
    """image_count and the domain's counter of one product, as one UPDATE (no read-modify-write)."""
    column = count_column(domain)
    session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values({Product.image_count: Product.image_count + delta, column: column + delta})
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class _Frame:
    video_id: int | None
    frame_index: int | None
    frame_time_s: float | None
    cutout_id: int | None


def _insert(
    session: Session,
    stored: StoredFile,
    *,
    product_id: int,
    name: str,
    domain: str,
    source: str,
    created_by: int | None,
    frame: _Frame,
) -> ProductImage:
    """The row and the counters, in a savepoint: a concurrent writer of the same bytes (or a product
    deleted meanwhile) undoes only this, and the caller's transaction goes on."""
    facts = stored.facts
    with session.begin_nested():
        image = ProductImage(
            product_id=product_id,
            domain=domain,
            source=source,
            storage_key=stored.key,
            thumbnail_key=stored.thumbnail_key,
            filename=name,
            content_hash=facts.content_hash,
            width=facts.width,
            height=facts.height,
            format=facts.format,
            size_bytes=facts.size_bytes,
            video_id=frame.video_id,
            frame_index=frame.frame_index,
            frame_time_s=frame.frame_time_s,
            cutout_id=frame.cutout_id,
            created_by=created_by,
        )
        session.add(image)
        session.flush()
        change_counters(session, product_id, domain, +1)
    return image


def add_product_image(
    session: Session,
    storage: Storage,
    settings: Settings,
    *,
    product_id: int,
    stream: BinaryIO,
    filename: str,
    domain: str,
    source: str,
    created_by: int | None,
    video_id: int | None = None,
    frame_index: int | None = None,
    frame_time_s: float | None = None,
    cutout_id: int | None = None,
) -> ProductImageResult:
    """Add one image to a product's gallery inside the caller's transaction (the caller commits).

    Bytes some product already has return that image as a duplicate (it names its product; moving it
    is an explicit operation). Files written here are removed again if the caller's transaction rolls
    back. Bad input raises the library's errors naming the file (413 size, 415 not an image, 422
    corrupt) and stores nothing.
    """
    check_domain(domain)
    if source not in IMAGE_SOURCES:
        raise ValidationFailed.field("source", f"must be one of {', '.join(IMAGE_SOURCES)}")
    if session.get(Product, product_id) is None:
        raise NotFound(f"Product {product_id} does not exist.", product_id=product_id)
    name = display_name(filename)
    with spooled(stream, settings.max_upload_bytes, name) as (file, digest, size):
        existing = find_by_hash(session, digest)
        if existing is not None:
            return ProductImageResult(existing, "duplicate")
        stored = store_file(
            storage, settings, file, name, digest, size, area=IMAGE_AREA, thumbnail_area=THUMBNAIL_AREA
        )
    frame = _Frame(video_id, frame_index, frame_time_s, cutout_id)
    try:
        image = _insert(
            session,
            stored,
            product_id=product_id,
            name=name,
            domain=domain,
            source=source,
            created_by=created_by,
            frame=frame,
        )
    except IntegrityError:
        stored.discard(storage)
        return _after_conflict(session, product_id, digest, name)
    except BaseException:
        stored.discard(storage)
        raise
    remove_on_rollback(session, storage, (stored.key, stored.thumbnail_key))
    return ProductImageResult(image, "stored")


def _after_conflict(session: Session, product_id: int, digest: str, name: str) -> ProductImageResult:
    """The savepoint failed: another writer stored the same bytes first, or the product is gone."""
    existing = find_by_hash(session, digest)
    if existing is not None:
        return ProductImageResult(existing, "duplicate")
    if session.get(Product, product_id) is None:
        raise NotFound(f"Product {product_id} does not exist.", product_id=product_id)
    raise Conflict(f"{name} could not be added to product {product_id}; try again.", file=name)


# ---- removing ------------------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def frozen_versions(session: Session, image_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The PR dataset versions that froze any of these images, each once, oldest dataset first."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(image_ids):
        rows = session.execute(
            select(PrDatasetVersion.id, PrDatasetVersion.dataset_id, PrDatasetVersion.number, PrDataset.name)
            .join(PrVersionImage, PrVersionImage.version_id == PrDatasetVersion.id)
            .join(PrDataset, PrDataset.id == PrDatasetVersion.dataset_id)
            .where(PrVersionImage.product_image_id.in_(chunk))
            .distinct()
        )
        for version_id, dataset_id, number, dataset in rows:
            found[version_id] = {
                "dataset_id": dataset_id,
                "dataset": dataset,
                "version_id": version_id,
                "number": number,
            }
    return sorted(found.values(), key=lambda v: (v["dataset_id"], v["number"]))


def refuse_if_frozen(session: Session, image_ids: Sequence[int], what: str) -> None:
    versions = frozen_versions(session, image_ids)
    if versions:
        names = ", ".join(f"{v['dataset']} v{v['number']}" for v in versions)
        raise Conflict(
            f"{what} has images frozen in PR dataset versions ({names}); delete with force=true to "
            "take them out of those versions too.",
            versions=versions,
        )


def remove_product_images(
    session: Session, storage: Storage, image_ids: Sequence[int], *, force: bool
) -> int:
    """Delete these product images inside the caller's transaction (the caller commits); returns how
    many existed. Refused (409 naming the versions) when a frozen PR dataset version holds any of them,
    unless `force`, which deletes those version rows too. Their files are removed after the commit."""
    ids = sorted(set(image_ids))
    if not ids:
        return 0
    if not force:
        refuse_if_frozen(session, ids, f"{'This image' if len(ids) == 1 else 'One of these images'}")
    removed = 0
    for chunk in _chunks(ids):
        rows = session.execute(
            select(
                ProductImage.product_id,
                ProductImage.domain,
                ProductImage.storage_key,
                ProductImage.thumbnail_key,
            ).where(ProductImage.id.in_(chunk))
        ).all()
        counts: dict[tuple[int, str], int] = {}
        for row in rows:
            counts[(row.product_id, row.domain)] = counts.get((row.product_id, row.domain), 0) + 1
        if force:
            session.execute(delete(PrVersionImage).where(PrVersionImage.product_image_id.in_(chunk)))
        session.execute(
            delete(ProductImage)
            .where(ProductImage.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        for (product_id, domain), n in counts.items():
            change_counters(session, product_id, domain, -n)
        remove_after_commit(
            session, storage, (k for row in rows for k in (row.storage_key, row.thumbnail_key))
        )
        removed += len(rows)
    return removed

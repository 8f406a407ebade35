"""The product catalogue core: one product by id, creating, editing and deleting it, its gallery
(listing, uploading, moving and deleting images) and the bytes behind each image. Listing many
products lives in listing.py; adding and removing one image inside a transaction in images.py."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import for_update
from shelfscope.errors import Conflict, NotFound
from shelfscope.od.images.decode import display_name, render_thumbnail
from shelfscope.od.images.ingest import rejection
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.datasets.models import PrVersionImage
from shelfscope.pr.products import images as gallery
from shelfscope.pr.products.listing import image_out, products_out
from shelfscope.pr.products.models import Product, ProductImage, ProductVideo
from shelfscope.pr.products.schemas import (
    Domain,
    ImagePatch,
    ProductCreate,
    ProductImageOut,
    ProductOut,
    ProductPatch,
    UploadItem,
    UploadResult,
)
from shelfscope.storage import Storage
from shelfscope.storage.pending import remove_after_commit

# ---- products ----------------------------------------------------------------------------------------


def get_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"Product {product_id} does not exist.", product_id=product_id)
    return product


def product_detail(session: Session, product_id: int) -> ProductOut:
    return products_out(session, [get_product(session, product_id)])[0]


def _taken(session: Session, field: str, value: str | None, product_id: int | None) -> None:
    """409 naming the field when another product has this SKU or barcode."""
    if value is None:
        return
    column = Product.sku if field == "sku" else Product.barcode
    other = session.scalar(select(Product.id).where(column == value))
    if other is not None and other != product_id:
        raise Conflict(
            f"Product {other} already has {field} {value!r}; {field}s name one product each.",
            field=field,
            value=value,
            product_id=other,
        )


def _flush_unique(session: Session, sku: str, barcode: str | None, product_id: int | None) -> None:
    """Flush; a unique violation (another writer took the SKU or barcode meanwhile) becomes the 409."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        _taken(session, "sku", sku, product_id)
        _taken(session, "barcode", barcode, product_id)
        raise


def create_product(session: Session, body: ProductCreate, user_id: int | None) -> ProductOut:
    _taken(session, "sku", body.sku, None)
    _taken(session, "barcode", body.barcode, None)
    product = Product(**body.model_dump(), created_by=user_id)
    session.add(product)
    _flush_unique(session, body.sku, body.barcode, None)
    out = products_out(session, [product])[0]
    session.commit()
    return out


def update_product(session: Session, product_id: int, patch: ProductPatch) -> ProductOut:
    """Change only the fields the request named."""
    product = get_product(session, product_id)
    given = patch.model_dump(include=patch.model_fields_set)
    if "sku" in given:
        _taken(session, "sku", given["sku"], product_id)
    if "barcode" in given:
        _taken(session, "barcode", given["barcode"], product_id)
    for field, value in given.items():
        setattr(product, field, value)
    if given:
        product.updated_at = utcnow()
        _flush_unique(session, product.sku, product.barcode, product_id)
    out = products_out(session, [product])[0]
    session.commit()
    return out


def delete_product(session: Session, storage: Storage, product_id: int, *, force: bool = False) -> None:
    """Delete the product, its images, videos and their files (after the commit). Refused (409 naming
    the versions) when a frozen PR dataset version holds any of its images, unless `force`. Cutouts
    matched to it become unmatched."""
    get_product(session, product_id)
    image_ids = list(session.scalars(select(ProductImage.id).where(ProductImage.product_id == product_id)))
    versions = gallery.frozen_versions(session, image_ids, product_id=product_id)
    if versions and not force:
        raise Conflict(
            f"Product {product_id} has images frozen in PR dataset versions "
            f"({gallery.version_names(versions)}); delete with force=true to take them out of those "
            "versions too.",
            product_id=product_id,
            versions=versions,
        )
    session.execute(delete(PrVersionImage).where(PrVersionImage.product_id == product_id))
    gallery.remove_product_images(session, storage, image_ids, force=True)
    session.execute(
        update(Cutout)
        .where(Cutout.product_id == product_id)
        .values(state="unmatched", product_id=None, match_score=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    videos = session.scalars(select(ProductVideo.storage_key).where(ProductVideo.product_id == product_id))
    remove_after_commit(session, storage, list(videos))
    session.execute(
        delete(Product).where(Product.id == product_id).execution_options(synchronize_session=False)
    )
    session.commit()


# ---- the gallery -------------------------------------------------------------------------------------


def get_image(session: Session, image_id: int) -> ProductImage:
    image = session.get(ProductImage, image_id)
    if image is None:
        raise NotFound(f"Product image {image_id} does not exist.", image_id=image_id)
    return image


def list_images(
    session: Session, product_id: int, *, domain: Domain | None, limit: int, cursor: str | None
) -> Page[ProductImageOut]:
    """A product's images in the order they were added (frames in frame order), one domain or all,
    by keyset on id over the (product_id, domain, id) index. `total` is that product's count."""
    check_limit(limit)
    product = get_product(session, product_id)
    query = select(ProductImage).where(ProductImage.product_id == product_id)
    if domain is not None:
        query = query.where(ProductImage.domain == domain)
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        query = query.where(ProductImage.id > last_id)
    rows = list(session.scalars(query.order_by(ProductImage.id).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].id])
    total = product.image_count if domain is None else getattr(product, f"{domain}_count")
    return Page[ProductImageOut](items=[image_out(r) for r in rows], next_cursor=next_cursor, total=total)


def upload_images(
    session: Session,
    storage: Storage,
    settings: Settings,
    product_id: int,
    files: Iterable[tuple[str, BinaryIO]],
    *,
    domain: str,
    user_id: int | None,
) -> UploadResult:
    """Add many files to a product's gallery; each commits on its own, so one bad file never rejects
    the others (it gets the error shape naming it)."""
    gallery.check_domain(domain)
    get_product(session, product_id)
    session.commit()
    items: list[UploadItem] = []
    for filename, stream in files:
        name = display_name(filename)
        try:
            result = gallery.add_product_image(
                session,
                storage,
                settings,
                product_id=product_id,
                stream=stream,
                filename=name,
                domain=domain,
                source="upload",
                created_by=user_id,
            )
            out = image_out(result.image)
            session.commit()
        except Exception as exc:
            session.rollback()
            items.append(UploadItem(filename=name, status="error", image=None, error=rejection(name, exc)))
            continue
        items.append(
            UploadItem(filename=name, status=result.status, image=out, product_id=out.product_id, error=None)
        )
    counts = {s: sum(1 for i in items if i.status == s) for s in ("stored", "duplicate", "error")}
    return UploadResult(
        items=items, stored=counts["stored"], duplicates=counts["duplicate"], errors=counts["error"]
    )


def update_image(session: Session, image_id: int, patch: ImagePatch) -> ProductImageOut:
    """Move the image to another product and/or change its domain; both products' counters change in
    the same transaction."""
    image = session.scalars(
        for_update(select(ProductImage).where(ProductImage.id == image_id), session)
    ).one_or_none()
    if image is None:
        raise NotFound(f"Product image {image_id} does not exist.", image_id=image_id)
    target = patch.product_id if patch.product_id is not None else image.product_id
    domain = patch.domain if patch.domain is not None else image.domain
    if (target, domain) != (image.product_id, image.domain):
        if session.get(Product, target) is None:
            raise NotFound(f"Product {target} does not exist.", field="product_id", product_id=target)
        gallery.change_counters(session, image.product_id, image.domain, -1)
        gallery.change_counters(session, target, domain, +1)
        image.product_id, image.domain, image.updated_at = target, domain, utcnow()
        session.flush()
    out = image_out(image)
    session.commit()
    return out


def delete_image(session: Session, storage: Storage, image_id: int, *, force: bool = False) -> None:
    get_image(session, image_id)
    gallery.remove_product_images(session, storage, [image_id], force=force)
    session.commit()


def file_chunks(storage: Storage, image: ProductImage, byte_range: tuple[int, int] | None) -> Iterator[bytes]:
    """The original bytes (or one inclusive range), checked to exist before the response starts."""
    if not storage.exists(image.storage_key):
        raise NotFound(f"The bytes of product image {image.id} are missing from storage.", image_id=image.id)
    start, end = byte_range if byte_range is not None else (0, None)
    return storage.iter_range(image.storage_key, start, end)


def thumbnail_bytes(storage: Storage, settings: Settings, image: ProductImage) -> bytes:
    """The stored thumbnail; rendered from the original when it is missing."""
    if image.thumbnail_key is not None and storage.exists(image.thumbnail_key):
        return storage.read_bytes(image.thumbnail_key)
    if not storage.exists(image.storage_key):
        raise NotFound(f"The bytes of product image {image.id} are missing from storage.", image_id=image.id)
    with storage.open(image.storage_key) as f:
        return render_thumbnail(f, settings.thumbnail_size, memory_limit_bytes=settings.decode_memory_bytes)


def image_detail(session: Session, image_id: int) -> ProductImageOut:
    return image_out(get_image(session, image_id))

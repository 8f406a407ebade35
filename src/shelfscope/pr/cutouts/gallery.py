"""A matched cutout's crop in its product's gallery: added as a product image (domain and source
"cutout", `cutout_id` set) when the cutout is matched, removed when it is unmatched, rejected, matched
to another product or deleted. Both happen in the caller's transaction, through the products part's
own functions (counters, files, dedupe and frozen-version rules are theirs)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, ValidationFailed
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.products.images import add_product_image, remove_product_images
from shelfscope.pr.products.models import Product, ProductImage
from shelfscope.storage import Storage


def require_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise ValidationFailed.field("product_id", f"there is no product with id {product_id}")
    return product


def link(
    session: Session,
    storage: Storage,
    settings: Settings,
    cutout: Cutout,
    product_id: int,
    user_id: int | None,
) -> None:
    """Add the cutout's crop to the product's gallery (a duplicate of the product's own image is fine;
    the same bytes on another product are a conflict naming it)."""
    data = storage.read_bytes(cutout.storage_key)
    result = add_product_image(
        session,
        storage,
        settings,
        product_id=product_id,
        stream=io.BytesIO(data),
        filename=f"cutout-{cutout.id}.jpg",
        domain="cutout",
        source="cutout",
        created_by=user_id,
        cutout_id=cutout.id,
    )
    if result.status == "duplicate" and result.image.product_id != product_id:
        raise Conflict(
            f"The crop of cutout {cutout.id} is already an image of product {result.image.product_id}.",
            field="product_id",
            cutout_id=cutout.id,
            product_id=result.image.product_id,
        )


def unlink(session: Session, storage: Storage, cutout_ids: Sequence[int]) -> int:
    """Remove the gallery images of these cutouts (none when they were not matched); how many."""
    image_ids = list(
        session.scalars(
            select(ProductImage.id).where(
                ProductImage.cutout_id.in_(list(cutout_ids)), ProductImage.source == "cutout"
            )
        )
    )
    if image_ids:
        remove_product_images(session, storage, image_ids, force=False)
    return len(image_ids)

"""Shelf photos seen through matching: the library images that have cutouts (with how many are matched
or predicted), and one photo with every cutout's box labelled with its matched or predicted product."""

from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from shelfscope.errors import NotFound
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import file_url, thumbnail_url
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.cutouts.schemas import BoxOut, ProductRef
from shelfscope.pr.matching.candidates import rank_one, require_collection
from shelfscope.pr.matching.models import PrMatchCandidate
from shelfscope.pr.matching.schemas import Predicted, ShelfBox, ShelfImage, ShelfPhoto, ShelfView
from shelfscope.pr.products.models import Product


def shelf_photos(
    session: Session, *, collection_id: int | None = None, limit: int = 50, cursor: str | None = None
) -> Page[ShelfPhoto]:
    """Images with cutouts, newest first (by id), each with its counts: one grouped query a page."""
    check_limit(limit)
    if collection_id is not None:
        require_collection(session, collection_id)
    top = aliased(PrMatchCandidate, name="top_candidate")
    predicted = case((and_(Cutout.state == "unmatched", top.cutout_id.is_not(None)), 1), else_=0)
    stmt = (
        select(
            Image.id,
            Image.filename,
            Image.width,
            Image.height,
            func.count(Cutout.id),
            func.sum(case((Cutout.state == "matched", 1), else_=0)),
            func.sum(predicted),
        )
        .join(Cutout, Cutout.image_id == Image.id)
        .outerjoin(top, rank_one(top, collection_id))
        .group_by(Image.id, Image.filename, Image.width, Image.height)
        .order_by(Image.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        stmt = stmt.where(Image.id < int(last_id))
    rows = session.execute(stmt).all()
    total = session.scalar(select(func.count(func.distinct(Cutout.image_id))))
    page = rows[:limit]
    items = [
        ShelfPhoto(
            image_id=int(image_id),
            filename=filename,
            width=int(width),
            height=int(height),
            thumbnail_url=thumbnail_url(int(image_id)),
            cutouts=int(cutouts),
            matched=int(matched or 0),
            predicted=int(predicted_count or 0),
        )
        for image_id, filename, width, height, cutouts, matched, predicted_count in page
    ]
    next_cursor = encode_cursor([int(page[-1][0])]) if len(rows) > limit and page else None
    return Page(items=items, next_cursor=next_cursor, total=int(total or 0))


def _ref(product: Product | None) -> ProductRef | None:
    return ProductRef(id=product.id, sku=product.sku, name=product.name) if product is not None else None


def shelf_view(session: Session, image_id: int, collection_id: int | None = None) -> ShelfView:
    """The photo and its cutouts' boxes (in the photo's upright pixels): the matched product of each,
    and the collection's rank-1 candidate when a collection is named."""
    if collection_id is not None:
        require_collection(session, collection_id)
    image = session.get(Image, image_id)
    if image is None:
        raise NotFound(f"There is no image with id {image_id}.", field="image_id", image_id=image_id)
    top = aliased(PrMatchCandidate, name="top_candidate")
    matched = aliased(Product, name="matched_product")
    guessed = aliased(Product, name="predicted_product")
    rows = session.execute(
        select(Cutout, matched, top.similarity, guessed)
        .outerjoin(matched, matched.id == Cutout.product_id)
        .outerjoin(top, rank_one(top, collection_id))
        .outerjoin(guessed, guessed.id == top.product_id)
        .where(Cutout.image_id == image_id)
        .order_by(Cutout.id)
    ).all()
    boxes = []
    for cutout, product, similarity, predicted in rows:
        guess = _ref(predicted)
        boxes.append(
            ShelfBox(
                cutout_id=cutout.id,
                box=BoxOut(x1=cutout.x1, y1=cutout.y1, x2=cutout.x2, y2=cutout.y2),
                state=cutout.state,
                product=_ref(product),
                predicted=Predicted(product=guess, similarity=float(similarity))
                if guess is not None
                else None,
            )
        )
    return ShelfView(
        image=ShelfImage(
            id=image.id,
            filename=image.filename,
            width=image.width,
            height=image.height,
            file_url=file_url(image.id),
        ),
        boxes=boxes,
    )

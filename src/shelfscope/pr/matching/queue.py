"""The matching queue (cutouts of one state, each with one collection's candidates) and its counts.

A page is five queries however long: the cutouts with their photo, class, product and rank-1
similarity; the total; the candidates; the packshots (two)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from shelfscope.errors import ValidationFailed
from shelfscope.od.classes.models import OdClass
from shelfscope.od.images.models import Image
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.cutouts.service import cutout_out
from shelfscope.pr.matching.candidates import rank_one, require_collection, stored_candidates
from shelfscope.pr.matching.models import PrMatchCandidate
from shelfscope.pr.matching.schemas import QueueItem, QueueSort, Summary
from shelfscope.pr.products.models import Product

# Cutouts without candidates sort after every similarity (cosine is at least -1).
NO_SIMILARITY = -2.0


def _check_min_similarity(value: float | None) -> None:
    if value is not None and not -1.0 <= value <= 1.0:
        raise ValidationFailed.field("min_similarity", "must be between -1 and 1")


def _after(sort: QueueSort, cursor: str, similarity: ColumnElement[float]) -> ColumnElement[bool]:
    if sort == "id":
        (last_id,) = decode_cursor(cursor, 1)
        return Cutout.id > int(last_id)
    last_similarity, last_id = decode_cursor(cursor, 2)
    if not isinstance(last_similarity, int | float):
        raise ValidationFailed.field("cursor", "does not belong to this list or sort order")
    return or_(
        similarity < float(last_similarity),
        and_(similarity == float(last_similarity), Cutout.id > int(last_id)),
    )


def queue(
    session: Session,
    *,
    collection_id: int,
    state: str = "unmatched",
    min_similarity: float | None = None,
    sort: QueueSort = "similarity",
    limit: int = 50,
    cursor: str | None = None,
) -> Page[QueueItem]:
    """Cutouts in `state` with the collection's candidates: the most similar rank-1 candidate first
    (cutouts without candidates last), or oldest first (`sort=id`). `min_similarity` keeps those whose
    rank-1 similarity reaches it."""
    check_limit(limit)
    _check_min_similarity(min_similarity)
    top = aliased(PrMatchCandidate, name="top_candidate")
    similarity = func.coalesce(top.similarity, NO_SIMILARITY)
    after = _after(sort, cursor, similarity) if cursor else None
    require_collection(session, collection_id)
    where: list[ColumnElement[bool]] = [Cutout.state == state]
    if min_similarity is not None:
        where.append(top.similarity >= min_similarity)
    stmt = (
        select(Cutout, Image, OdClass.name, Product, similarity)
        .join(Image, Image.id == Cutout.image_id)
        .outerjoin(OdClass, OdClass.id == Cutout.class_id)
        .outerjoin(Product, Product.id == Cutout.product_id)
        .outerjoin(top, rank_one(top, collection_id))
        .where(*where)
    )
    if after is not None:
        stmt = stmt.where(after)
    order = (Cutout.id.asc(),) if sort == "id" else (similarity.desc(), Cutout.id.asc())
    rows = session.execute(stmt.order_by(*order).limit(limit + 1)).all()
    counted = select(func.count()).select_from(Cutout).outerjoin(top, rank_one(top, collection_id))
    total = int(session.scalar(counted.where(*where)) or 0)
    page = rows[:limit]
    candidates = stored_candidates(session, collection_id, [row[0].id for row in page])
    items = [
        QueueItem(
            cutout=cutout_out(cutout, image, class_name, product), candidates=candidates.get(cutout.id, [])
        )
        for cutout, image, class_name, product, _ in page
    ]
    next_cursor = None
    if len(rows) > limit and page:
        last = page[-1]
        next_cursor = encode_cursor([last[0].id] if sort == "id" else [float(last[4]), last[0].id])
    return Page(items=items, next_cursor=next_cursor, total=total)


def summary(session: Session, collection_id: int) -> Summary:
    """Cutouts by state, and how many unmatched ones the collection has candidates for."""
    require_collection(session, collection_id)
    by_state = {
        str(s): int(n) for s, n in session.execute(select(Cutout.state, func.count()).group_by(Cutout.state))
    }
    with_candidates = session.scalar(
        select(func.count())
        .select_from(PrMatchCandidate)
        .join(Cutout, Cutout.id == PrMatchCandidate.cutout_id)
        .where(
            PrMatchCandidate.collection_id == collection_id,
            PrMatchCandidate.rank == 1,
            Cutout.state == "unmatched",
        )
    )
    return Summary(
        unmatched=by_state.get("unmatched", 0),
        with_candidates=int(with_candidates or 0),
        matched=by_state.get("matched", 0),
        rejected=by_state.get("rejected", 0),
    )

"""Candidate shapes: ranked products with their packshots, read in a fixed number of queries however many
cutouts or results there are (the queue, the search job)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, select
from sqlalchemy.orm import Session

from shelfscope.errors import ValidationFailed
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.embeddings.models import PrEmbeddingCollection
from shelfscope.pr.matching.models import PrMatchCandidate
from shelfscope.pr.matching.schemas import Candidate, MatchProduct
from shelfscope.pr.products.listing import cover_images
from shelfscope.pr.products.models import Product
from shelfscope.pr.products.schemas import image_thumbnail_url


def require_collection(
    session: Session, collection_id: int, field: str = "collection_id"
) -> PrEmbeddingCollection:
    collection = session.get(PrEmbeddingCollection, collection_id)
    if collection is None:
        raise ValidationFailed.field(
            field, f"there is no embedding collection with id {collection_id}; extract embeddings first"
        )
    return collection


def rank_one(top: type[PrMatchCandidate], collection_id: int | None) -> ColumnElement[bool]:
    """Joins each cutout to its rank-1 candidate in the collection, `top` an alias of the candidates
    (outer joins: a cutout may have none; none at all without a collection)."""
    if collection_id is None:
        return false()
    return and_(top.cutout_id == Cutout.id, top.collection_id == collection_id, top.rank == 1)


def match_product(product: Product) -> MatchProduct:
    return MatchProduct(
        id=product.id, sku=product.sku, name=product.name, brand=product.brand, category=product.category
    )


def ranked_candidates(session: Session, ranked: Sequence[tuple[Product, float]]) -> list[Candidate]:
    """Candidates ranked 1.. in the order given, each with its product's packshot (the catalogue's
    cover: its first synthetic image, else the first of the next domain)."""
    covers = cover_images(session, sorted({product.id for product, _ in ranked}))
    return [
        Candidate(
            rank=rank,
            similarity=similarity,
            product=match_product(product),
            packshot_url=image_thumbnail_url(covers[product.id].id) if product.id in covers else None,
        )
        for rank, (product, similarity) in enumerate(ranked, start=1)
    ]


def stored_candidates(
    session: Session, collection_id: int, cutout_ids: Sequence[int]
) -> dict[int, list[Candidate]]:
    """The collection's stored candidates of each cutout, best first: three queries for any number."""
    if not cutout_ids:
        return {}
    rows = session.execute(
        select(PrMatchCandidate.cutout_id, PrMatchCandidate.rank, PrMatchCandidate.similarity, Product)
        .join(Product, Product.id == PrMatchCandidate.product_id)
        .where(
            PrMatchCandidate.collection_id == collection_id, PrMatchCandidate.cutout_id.in_(list(cutout_ids))
        )
        .order_by(PrMatchCandidate.cutout_id, PrMatchCandidate.rank)
    ).all()
    covers = cover_images(session, sorted({product.id for *_, product in rows}))
    found: dict[int, list[Candidate]] = defaultdict(list)
    for cutout_id, rank, similarity, product in rows:
        cover = covers.get(product.id)
        found[int(cutout_id)].append(
            Candidate(
                rank=int(rank),
                similarity=float(similarity),
                product=match_product(product),
                packshot_url=image_thumbnail_url(cover.id) if cover is not None else None,
            )
        )
    return dict(found)

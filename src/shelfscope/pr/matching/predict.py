"""Each unmatched cutout's likely products: its stored embedding searched against the collection's
product images in the vector index, one similarity per product (its closest image), the best `top_k`
kept as match candidates.

Called by the predict job and by the extraction job after it changed a collection. Numpy and the vector
index only: no model runs here (the cutouts were embedded already)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session

from shelfscope.db import Database
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import for_update
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection, vectors_of
from shelfscope.pr.matching.models import PrMatchCandidate
from shelfscope.pr.products.models import Product
from shelfscope.vectors import Filter, Hit, VectorIndex
from shelfscope.vectors.base import Vectors

# Cutouts searched (and their candidates written) at a time.
BATCH = 256
# Cutouts a transaction in predict_collection: SQLite's write lock is held for about a second at most.
CHUNK = 1024
# Points fetched per cutout at first: a product has many gallery images, so the top_k products need
# more than top_k points. A query that finds fewer products than asked while its hits were cut off
# at the limit is searched again with four times the limit, up to MAX_FETCH.
FIRST_FETCH = 64
MAX_FETCH = 4096
PRODUCT_IMAGES = Filter(kinds=["product_image"])

# (cutouts done, cutouts in all): called after each transaction; may raise to stop.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Scored:
    """One product for one query: its similarity is that of its closest gallery image."""

    product_id: int
    similarity: float


def best_products(hits: Sequence[Hit]) -> list[Scored]:
    """The products among the hits, best first, each at its best hit's score (ties by id)."""
    best: dict[int, float] = {}
    for hit in hits:
        product_id = hit.payload.product_id
        if product_id is not None and hit.score > best.get(product_id, -np.inf):
            best[product_id] = hit.score
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [Scored(product_id=p, similarity=float(s)) for p, s in ranked]


def search_products(index: VectorIndex, name: str, queries: Vectors, top_k: int) -> list[list[Scored]]:
    """The products of each query row among the collection's product images, best first: at least
    top_k of them when the collection has that many, fetching more points for a query whose first hits
    were all spent on fewer products than asked."""
    results: list[list[Scored]] = [[] for _ in range(len(queries))]
    pending = list(range(len(queries)))
    fetch = max(FIRST_FETCH, top_k * 8)
    while pending:
        found = index.search(name, queries[pending], min(fetch, MAX_FETCH), PRODUCT_IMAGES)
        again = []
        for row, hits in zip(pending, found, strict=True):
            results[row] = best_products(hits)
            cut_off = len(hits) >= min(fetch, MAX_FETCH)
            if len(results[row]) < top_k and cut_off and fetch < MAX_FETCH:
                again.append(row)
        pending, fetch = again, fetch * 4
    return results


def _embedded_unmatched() -> Select[int, int, bytes]:
    return (
        select(PrEmbedding.id, PrEmbedding.item_id, PrEmbedding.vector)
        .join(Cutout, Cutout.id == PrEmbedding.item_id)
        .where(PrEmbedding.item_kind == "cutout", Cutout.state == "unmatched")
        .order_by(PrEmbedding.id)
    )


def _batches(
    session: Session, collection_id: int, cutout_ids: Sequence[int] | None
) -> Iterator[list[tuple[int, bytes]]]:
    """(cutout id, stored vector) of the unmatched cutouts embedded in the collection (of those named),
    BATCH at a time: memory stays flat however many cutouts there are."""
    query = _embedded_unmatched().where(PrEmbedding.collection_id == collection_id)
    if cutout_ids is not None:
        wanted = sorted(set(cutout_ids))
        for start in range(0, len(wanted), BATCH):
            rows = session.execute(query.where(PrEmbedding.item_id.in_(wanted[start : start + BATCH]))).all()
            if rows:
                yield [(int(item_id), bytes(vector)) for _, item_id, vector in rows]
        return
    last = 0
    while True:
        rows = session.execute(query.where(PrEmbedding.id > last).limit(BATCH)).all()
        if not rows:
            return
        last = int(rows[-1][0])
        yield [(int(item_id), bytes(vector)) for _, item_id, vector in rows]


def _still_unmatched(session: Session, cutout_ids: Sequence[int]) -> set[int]:
    """Of these cutouts, those still unmatched, locked (PostgreSQL) until the caller commits: one
    matched, rejected or deleted since it was read keeps its rows as they are."""
    query = select(Cutout.id).where(Cutout.id.in_(list(cutout_ids)), Cutout.state == "unmatched")
    return {int(i) for i in session.scalars(for_update(query, session))}


def _existing_products(session: Session, ranked: Sequence[Sequence[Scored]]) -> set[int]:
    """Products the index still names that the catalogue still has (a deleted product's points stay in
    the index until the next extraction removes them)."""
    named = {s.product_id for products in ranked for s in products}
    if not named:
        return set()
    return {int(i) for i in session.scalars(select(Product.id).where(Product.id.in_(sorted(named))))}


def _candidate_rows(
    collection_id: int,
    ids: Sequence[int],
    ranked: Sequence[Sequence[Scored]],
    keep: set[int],
    products: set[int],
    top_k: int,
) -> list[dict[str, object]]:
    now = utcnow()
    rows: list[dict[str, object]] = []
    for cutout_id, scored in zip(ids, ranked, strict=True):
        if cutout_id not in keep:
            continue
        best = [s for s in scored if s.product_id in products][:top_k]
        rows += [
            {
                "collection_id": collection_id,
                "cutout_id": cutout_id,
                "rank": rank,
                "product_id": s.product_id,
                "similarity": s.similarity,
                "created_at": now,
                "updated_at": now,
            }
            for rank, s in enumerate(best, start=1)
        ]
    return rows


def predict_candidates(
    session: Session,
    index: VectorIndex,
    collection: PrEmbeddingCollection,
    *,
    top_k: int,
    cutout_ids: Sequence[int] | None = None,
) -> int:
    """Write the top_k match candidates of every unmatched cutout that has an embedding in `collection`
    (or of those among `cutout_ids`), replacing that collection's earlier candidates of each cutout
    searched. Returns the candidate rows written.

    Everything happens in the caller's transaction (a `db.write()` session; the caller commits), so a
    run that fails changes nothing. Rows go in with Core inserts BATCH cutouts at a time, so memory
    stays flat; on SQLite the transaction holds the write lock throughout, so a long run is better
    split by `cutout_ids` (what `predict_collection` does). Matched and rejected cutouts keep their earlier
    candidates (the shelf view still shows what was predicted). Raises the index's
    `collection_missing` (409) when the index has lost the collection (`shelfscope vectors rebuild`
    restores it)."""
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    collection_id, name, dim = collection.id, collection.name, collection.dim
    written = 0
    for batch in _batches(session, collection_id, cutout_ids):
        ids = [cutout_id for cutout_id, _ in batch]
        ranked = search_products(index, name, vectors_of([v for _, v in batch], dim), top_k)
        keep = _still_unmatched(session, ids)
        rows = _candidate_rows(collection_id, ids, ranked, keep, _existing_products(session, ranked), top_k)
        session.execute(
            delete(PrMatchCandidate).where(
                PrMatchCandidate.collection_id == collection_id, PrMatchCandidate.cutout_id.in_(sorted(keep))
            )
        )
        if rows:
            session.execute(insert(PrMatchCandidate), rows)
        written += len(rows)
    return written


def predict_collection(
    db: Database, index: VectorIndex, collection_id: int, *, top_k: int, progress: Progress | None = None
) -> int:
    """predict_candidates over the whole collection, CHUNK cutouts a transaction, with `progress`
    between transactions (where a job reports and sees a cancel: the chunks done stay done). Returns
    the candidate rows written; stops early when the collection is deleted meanwhile."""
    with db.read() as session:
        ids = [cutout_id for batch in _batches(session, collection_id, None) for cutout_id, _ in batch]
    written = 0
    for start in range(0, len(ids), CHUNK):
        with db.write() as session:
            collection = session.get(PrEmbeddingCollection, collection_id)
            if collection is None:
                return written
            written += predict_candidates(
                session, index, collection, top_k=top_k, cutout_ids=ids[start : start + CHUNK]
            )
        if progress is not None:
            progress(min(start + CHUNK, len(ids)), len(ids))
    return written

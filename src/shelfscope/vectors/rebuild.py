"""Restore the vector index from the database: `pr_embeddings` keeps every vector, so a lost or broken
index loses no work (`shelfscope vectors rebuild`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from shelfscope.errors import NotFound
from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection, vectors_of
from shelfscope.vectors.base import Payload, VectorIndex, VectorIndexError, Vectors

# Rows read and upserted at a time: memory stays flat in the collection's size (5,000 x 768 floats
# is 15 MB), and the embedded engine folds its fresh points into the graph every second batch.
BATCH = 5_000


@dataclass(frozen=True)
class CollectionStatus:
    """One collection as the database and the index each see it (`shelfscope vectors list`)."""

    name: str
    dim: int | None  # the database's, else the index's
    rows: int | None  # None: not in the database
    points: int | None  # None: not in the index
    index_dim: int | None

    @property
    def state(self) -> str:
        if self.rows is None:
            return "not in the database"
        if self.points is None:
            return "missing from the index: rebuild"
        if self.index_dim != self.dim:
            return f"index has size {self.index_dim}: rebuild"
        if self.points != self.rows:
            return "counts differ: rebuild"
        return "ok"


_COLUMNS = (
    PrEmbedding.id,
    PrEmbedding.item_kind,
    PrEmbedding.item_id,
    PrEmbedding.product_id,
    PrEmbedding.domain,
    PrEmbedding.category,
    PrEmbedding.vector,
)
_Row = Row[int, str, int, int | None, str | None, str | None, bytes]


def _batches(session: Session, collection_id: int, size: int) -> Iterator[Sequence[_Row]]:
    """Rows in id order, one page at a time (keyset: no OFFSET rescans), as plain columns."""
    last = 0
    while True:
        rows = session.execute(
            select(*_COLUMNS)
            .where(PrEmbedding.collection_id == collection_id, PrEmbedding.id > last)
            .order_by(PrEmbedding.id)
            .limit(size)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _vectors(name: str, dim: int, rows: Sequence[_Row]) -> Vectors:
    width = dim * 4
    for row in rows:
        if len(row.vector) != width:
            raise VectorIndexError(
                f"pr_embeddings row {row.id} holds {len(row.vector) // 4} values; collection "
                f"'{name}' has size {dim}"
            )
    return vectors_of([r.vector for r in rows], dim)


def rebuild(
    session: Session, index: VectorIndex, name: str | None = None, *, batch: int = BATCH
) -> dict[str, int]:
    """Drop and refill each collection (or the one named) from `pr_embeddings`; returns the points
    written per collection. Reads only: the database is the record and is not changed."""
    query = select(PrEmbeddingCollection).order_by(PrEmbeddingCollection.name)
    if name is not None:
        query = query.where(PrEmbeddingCollection.name == name)
    collections = list(session.scalars(query))
    if name is not None and not collections:
        raise NotFound(f"no embedding collection named '{name}'", field="collection", collection=name)
    written: dict[str, int] = {}
    for collection in collections:
        coll_name, coll_id, dim = collection.name, collection.id, collection.dim
        index.drop_collection(coll_name)
        index.create_collection(coll_name, dim)
        count = 0
        for rows in _batches(session, coll_id, batch):
            payloads = [
                Payload(
                    kind=r.item_kind,
                    item_id=r.item_id,
                    product_id=r.product_id,
                    domain=r.domain,
                    category=r.category,
                )
                for r in rows
            ]
            index.upsert(coll_name, [r.id for r in rows], _vectors(coll_name, dim, rows), payloads)
            count += len(rows)
        written[coll_name] = count
    return written


def statuses(session: Session, index: VectorIndex) -> list[CollectionStatus]:
    """Every collection in the database or the index, with rows, points and whether they agree."""
    rows = dict(
        session.execute(
            select(PrEmbedding.collection_id, func.count()).group_by(PrEmbedding.collection_id)
        ).all()
    )
    in_index = {info.name: info for info in index.collections()}
    out: list[CollectionStatus] = []
    for collection in session.scalars(select(PrEmbeddingCollection)):
        info = in_index.pop(collection.name, None)
        out.append(
            CollectionStatus(
                name=collection.name,
                dim=collection.dim,
                rows=int(rows.get(collection.id, 0)),
                points=None if info is None else info.count,
                index_dim=None if info is None else info.dim,
            )
        )
    out += [CollectionStatus(i.name, i.dim, None, i.count, i.dim) for i in in_index.values()]
    return sorted(out, key=lambda s: s.name)

"""The `pr.embeddings.extract` job (worker side): bring a collection up to date with the catalogue.

Incremental: an item is embedded when it has no row in the collection or its storage key changed (new
bytes); when only its payload (product, domain, category) changed, the stored vector is upserted again
with the new payload and the model is not called. Rows and points of items that are gone are removed.

Per batch: the next batch's images are read and decoded in a thread pool while the model embeds this
one; then the rows are written in one transaction and the points upserted. A crash between the two
leaves rows without points: the next run finds the index's count differs from the rows' and upserts
every stored vector again (upsert is idempotent), so no work is lost and no point is left behind.
Cancel and progress are checked between batches. When anything changed, the match candidates of the
collection's cutouts are predicted again."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from shelfscope.jobs.context import JobContext
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection, vector_bytes, vectors_of
from shelfscope.pr.embeddings.schemas import ITEM_KIND, ExtractPayload, ExtractResult
from shelfscope.pr.embeddings.service import opened_index
from shelfscope.pr.products.models import Product, ProductImage
from shelfscope.storage.base import ObjectMissing
from shelfscope.vectors import Payload, VectorIndex

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from shelfscope.ml.embeddings.checkpoint import Embedder

# Items read from the database at a time (keyset pages), and rows removed or re-upserted at a time.
PAGE = 1000
# Decoding threads: PIL releases the GIL while it decodes, so two to four keep a model fed.
DECODE_THREADS = 4
# Skipped items listed in the result (all are counted; the rest are in the job's log summary).
SKIPPED_LISTED = 200


@dataclass(frozen=True)
class Item:
    """One product image or cutout as the collection should hold it."""

    kind: str  # "product_image" or "cutout"
    item_id: int
    key: str
    product_id: int | None
    domain: str | None
    category: str | None
    # Its row in the collection when it has one (embedded again in place).
    embedding_id: int | None = None

    @property
    def payload(self) -> Payload:
        return Payload(
            kind=self.kind,
            item_id=self.item_id,
            product_id=self.product_id,
            domain=self.domain,
            category=self.category,
        )


@dataclass
class Tally:
    total: int = 0
    seen: int = 0
    embedded: int = 0
    unchanged: int = 0
    payload_updated: int = 0
    removed: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    skipped_count: int = 0
    timings: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(
            ("load_s", "model_s", "decode_s", "wait_s", "db_s", "index_s"), 0.0
        )
    )

    def skip(self, item: Item, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < SKIPPED_LISTED:
            self.skipped.append({"kind": item.kind, "item_id": item.item_id, "reason": reason})

    @property
    def changed(self) -> bool:
        return bool(self.embedded or self.payload_updated or self.removed)


def decode_square(data: bytes, image_size: int) -> npt.NDArray[np.uint8]:
    """Stored image bytes as the model's square input (model.read_square, from bytes)."""
    from PIL import Image

    from shelfscope.ml.embeddings.model import load_square

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (image_size, image_size))
        image.load()
        return load_square(image, image_size)


# ---- what the collection should hold ------------------------------------------------------------------


def _product_images(session: Session, domains: Sequence[str] | None, after: int) -> list[Item]:
    query = (
        select(ProductImage.id, ProductImage.storage_key, ProductImage.product_id, ProductImage.domain,
               Product.category)
        .join(Product, Product.id == ProductImage.product_id)
        .where(ProductImage.id > after)
        .order_by(ProductImage.id)
        .limit(PAGE)
    )  # fmt: skip
    if domains is not None:
        query = query.where(ProductImage.domain.in_(list(domains)))
    return [
        Item("product_image", int(i), str(k), int(p), str(d), c) for i, k, p, d, c in session.execute(query)
    ]


def _cutouts(session: Session, after: int) -> list[Item]:
    # A shelf cutout has no catalogue domain; its product (and category) once it is matched.
    query = (
        select(Cutout.id, Cutout.storage_key, Cutout.product_id, Product.category)
        .outerjoin(Product, Product.id == Cutout.product_id)
        .where(Cutout.id > after)
        .order_by(Cutout.id)
        .limit(PAGE)
    )
    return [
        Item("cutout", int(i), str(k), int(p) if p is not None else None, None, c)
        for i, k, p, c in session.execute(query)
    ]


def _count_selected(session: Session, payload: ExtractPayload) -> int:
    total = 0
    if "product_images" in payload.sources:
        query = select(func.count()).select_from(ProductImage)
        if payload.domains is not None:
            query = query.where(ProductImage.domain.in_(list(payload.domains)))
        total += int(session.scalar(query) or 0)
    if "cutouts" in payload.sources:
        total += int(session.scalar(select(func.count()).select_from(Cutout)) or 0)
    return total


class Extraction:
    """One run of the job over one collection."""

    def __init__(self, ctx: JobContext, payload: ExtractPayload, index: VectorIndex) -> None:
        self.ctx = ctx
        self.payload = payload
        self.index = index
        self.tally = Tally()
        self.embedder: Embedder | None = None
        with ctx.db.write() as session:
            collection = session.get(PrEmbeddingCollection, payload.collection_id)
            if collection is None:
                raise ValueError(f"embedding collection {payload.collection_id} no longer exists")
            collection.last_job_id = ctx.job_id
            self.collection_id = collection.id
            self.name = collection.name
            self.dim = collection.dim
            self.collection = collection

    # ---- timing helpers -----------------------------------------------------------------------------

    def _timed(self, name: str, started: float) -> None:
        self.tally.timings[name] += time.perf_counter() - started

    # ---- removal and resync -------------------------------------------------------------------------

    def remove_gone(self) -> None:
        """Rows and points of product images and cutouts that no longer exist (whatever this run's
        sources): points first, so a search never meets a point whose row is gone."""
        gone = {
            "product_image": ~exists().where(ProductImage.id == PrEmbedding.item_id),
            "cutout": ~exists().where(Cutout.id == PrEmbedding.item_id),
        }
        for kind, missing in gone.items():
            while True:
                started = time.perf_counter()
                with self.ctx.db.read() as session:
                    ids = list(
                        session.scalars(
                            select(PrEmbedding.id)
                            .where(
                                PrEmbedding.collection_id == self.collection_id,
                                PrEmbedding.item_kind == kind,
                                missing,
                            )
                            .order_by(PrEmbedding.id)
                            .limit(PAGE)
                        )
                    )
                self._timed("db_s", started)
                if not ids:
                    break
                started = time.perf_counter()
                self.index.delete(self.name, ids)
                self._timed("index_s", started)
                started = time.perf_counter()
                with self.ctx.db.write() as session:
                    session.execute(delete(PrEmbedding).where(PrEmbedding.id.in_(ids)))
                self._timed("db_s", started)
                self.tally.removed += len(ids)
        if self.tally.removed:
            self.ctx.log(f"removed {self.tally.removed} embeddings of items that are gone")

    def row_count(self) -> int:
        with self.ctx.db.read() as session:
            query = select(func.count()).where(PrEmbedding.collection_id == self.collection_id)
            return int(session.scalar(query) or 0)

    def resync_index(self) -> None:
        """When the index holds another number of points than there are rows (a crash between a batch's
        rows and its points, a lost index), refill the index collection from the stored vectors."""
        rows = self.row_count()
        info = self.index.info(self.name)
        if info is not None and info.count == rows:
            return
        self.ctx.log(
            f"the index holds {info.count if info else 'no'} points for {rows} stored embeddings; "
            "upserting the stored vectors again",
            "warning",
        )
        started = time.perf_counter()
        self.index.drop_collection(self.name)
        self.index.create_collection(self.name, self.dim)
        after = 0
        while True:
            with self.ctx.db.read() as session:
                page = session.execute(
                    select(
                        PrEmbedding.id, PrEmbedding.vector, PrEmbedding.item_kind, PrEmbedding.item_id,
                        PrEmbedding.product_id, PrEmbedding.domain, PrEmbedding.category,
                    )
                    .where(PrEmbedding.collection_id == self.collection_id, PrEmbedding.id > after)
                    .order_by(PrEmbedding.id)
                    .limit(PAGE)
                ).all()  # fmt: skip
            if not page:
                break
            self.index.upsert(
                self.name,
                [int(r[0]) for r in page],
                vectors_of([bytes(r[1]) for r in page], self.dim),
                [
                    Payload(kind=r[2], item_id=int(r[3]), product_id=r[4], domain=r[5], category=r[6])
                    for r in page
                ],
            )
            after = int(page[-1][0])
        self._timed("index_s", started)

    # ---- planning -----------------------------------------------------------------------------------

    def _pages(self, source: str) -> Iterator[list[Item]]:
        after = 0
        while True:
            started = time.perf_counter()
            with self.ctx.db.read() as session:
                if source == "product_images":
                    page = _product_images(session, self.payload.domains, after)
                else:
                    page = _cutouts(session, after)
            self._timed("db_s", started)
            if not page:
                return
            yield page
            after = page[-1].item_id

    def plan(self) -> Iterator[list[Item]]:
        """Batches of items to embed; payload-only changes are applied on the way, unchanged items
        counted."""
        batch: list[Item] = []
        for source in self.payload.sources:
            kind = ITEM_KIND[source]
            for page in self._pages(source):
                started = time.perf_counter()
                with self.ctx.db.read() as session:
                    existing = {
                        int(item_id): (int(row_id), str(key), product_id, domain, category)
                        for row_id, item_id, key, product_id, domain, category in session.execute(
                            select(
                                PrEmbedding.id, PrEmbedding.item_id, PrEmbedding.source_key,
                                PrEmbedding.product_id, PrEmbedding.domain, PrEmbedding.category,
                            ).where(
                                PrEmbedding.collection_id == self.collection_id,
                                PrEmbedding.item_kind == kind,
                                PrEmbedding.item_id.in_([i.item_id for i in page]),
                            )
                        )
                    }  # fmt: skip
                self._timed("db_s", started)
                moved: list[Item] = []
                for item in page:
                    row = existing.get(item.item_id)
                    if row is None or row[1] != item.key:
                        embedding_id = row[0] if row is not None else None
                        batch.append(replace(item, embedding_id=embedding_id))
                    elif row[2:] != (item.product_id, item.domain, item.category):
                        moved.append(replace(item, embedding_id=row[0]))
                    else:
                        self.tally.unchanged += 1
                        self.tally.seen += 1
                if moved:
                    self.update_payloads(moved)
                while len(batch) >= self.payload.batch_size:
                    yield batch[: self.payload.batch_size]
                    batch = batch[self.payload.batch_size :]
                self.report()
        if batch:
            yield batch

    def update_payloads(self, items: list[Item]) -> None:
        """Same bytes, new product/domain/category: the rows' payload columns and the points' payloads,
        with the vectors already stored."""
        started = time.perf_counter()
        by_id = {i.embedding_id: i for i in items if i.embedding_id is not None}
        with self.ctx.db.write() as session:
            for embedding_id, item in by_id.items():
                session.execute(
                    update(PrEmbedding)
                    .where(PrEmbedding.id == embedding_id)
                    .values(product_id=item.product_id, domain=item.domain, category=item.category)
                )
            query = select(PrEmbedding.id, PrEmbedding.vector).where(PrEmbedding.id.in_(list(by_id)))
            stored = {int(i): bytes(v) for i, v in session.execute(query)}
        self._timed("db_s", started)
        ids = [i for i in by_id if i in stored]
        started = time.perf_counter()
        self.index.upsert(
            self.name,
            ids,
            vectors_of([stored[i] for i in ids], self.dim),
            [by_id[i].payload for i in ids],
        )
        self._timed("index_s", started)
        self.tally.payload_updated += len(ids)
        self.tally.seen += len(items)

    # ---- embedding ----------------------------------------------------------------------------------

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            from shelfscope.pr.embeddings.embedders import load_collection_embedder

            self.ctx.progress(self.fraction(), "loading the model")
            started = time.perf_counter()
            self.embedder = load_collection_embedder(self.ctx.settings, self.ctx.storage, self.collection)
            self._timed("load_s", started)
            e = self.embedder
            which = self.collection.trained_model_id or self.collection.backbone
            self.ctx.log(
                f"embedding with {self.collection.model_kind} model {which} "
                f"({e.embedding_dim} dims, {e.image_size} px) on {e.device}"
            )
        return self.embedder

    def decode(self, item: Item, image_size: int) -> tuple[npt.NDArray[np.uint8] | None, str, float]:
        """(the square, or None with the reason) for one item; runs in the decode pool."""
        started = time.perf_counter()
        try:
            data = self.ctx.storage.read_bytes(item.key)
        except ObjectMissing:
            return None, "missing from storage", time.perf_counter() - started
        try:
            return decode_square(data, image_size), "", time.perf_counter() - started
        except Exception as error:  # a broken file of any kind is reported, not fatal
            return None, f"unreadable ({type(error).__name__}: {error})"[:300], time.perf_counter() - started

    def finish(self, batch: list[Item], futures: list[Future[tuple[Any, str, float]]]) -> None:
        """Embed a decoded batch, write its rows, then upsert its points."""
        started = time.perf_counter()
        decoded = [f.result() for f in futures]
        self._timed("wait_s", started)
        kept: list[Item] = []
        squares = []
        for item, (square, reason, seconds) in zip(batch, decoded, strict=True):
            self.tally.timings["decode_s"] += seconds
            if square is None:
                self.tally.skip(item, reason)
            else:
                kept.append(item)
                squares.append(square)
        self.tally.seen += len(batch) - len(kept)
        if not kept:
            return
        started = time.perf_counter()
        vectors = self._embedder().embed_arrays(squares)
        self._timed("model_s", started)
        started = time.perf_counter()
        ids = self.write_rows(kept, vectors)
        self._timed("db_s", started)
        started = time.perf_counter()
        self.index.upsert(self.name, ids, vectors, [i.payload for i in kept])
        self._timed("index_s", started)
        self.tally.embedded += len(kept)
        self.tally.seen += len(kept)

    def write_rows(self, items: list[Item], vectors: npt.NDArray[np.float32]) -> list[int]:
        """Insert or replace the batch's rows in one transaction; their ids, in order."""
        with self.ctx.db.write() as session:
            if session.get(PrEmbeddingCollection, self.collection_id) is None:
                raise ValueError(f"embedding collection '{self.name}' was deleted during the extraction")
            rows: list[PrEmbedding] = []
            existing_ids = [i.embedding_id for i in items if i.embedding_id is not None]
            existing = (
                {
                    r.id: r
                    for r in session.scalars(select(PrEmbedding).where(PrEmbedding.id.in_(existing_ids)))
                }
                if existing_ids
                else {}
            )
            for item, vector in zip(items, vectors, strict=True):
                row = existing.get(item.embedding_id) if item.embedding_id is not None else None
                if row is None:
                    row = PrEmbedding(
                        collection_id=self.collection_id, item_kind=item.kind, item_id=item.item_id
                    )
                    session.add(row)
                row.source_key = item.key
                row.product_id = item.product_id
                row.domain = item.domain
                row.category = item.category
                row.vector = vector_bytes(vector)
                rows.append(row)
            session.flush()
            return [r.id for r in rows]

    # ---- the run ------------------------------------------------------------------------------------

    def fraction(self) -> float:
        return 0.05 + 0.85 * (self.tally.seen / self.tally.total if self.tally.total else 1.0)

    def report(self) -> None:
        t = self.tally
        self.ctx.progress(self.fraction(), f"{t.seen} of {t.total} items ({t.embedded} embedded)")

    def run(self) -> None:
        with self.ctx.db.read() as session:
            self.tally.total = _count_selected(session, self.payload)
        self.ctx.progress(0.01, f"checking {self.tally.total} items")
        self.index.create_collection(self.name, self.dim)
        self.remove_gone()
        self.resync_index()
        with ThreadPoolExecutor(DECODE_THREADS, thread_name_prefix="pr-embed-decode") as pool:
            pending: tuple[list[Item], list[Future[tuple[Any, str, float]]]] | None = None
            try:
                for batch in self.plan():
                    self.ctx.check_cancelled()
                    size = self._embedder().image_size
                    futures = [pool.submit(self.decode, item, size) for item in batch]
                    if pending is not None:
                        self.finish(*pending)
                        self.report()
                    pending = (batch, futures)
                if pending is not None:
                    self.ctx.check_cancelled()
                    self.finish(*pending)
                    self.report()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> int:
        """Record the collection's vector count (also after a cancel or a failure); returns it."""
        count = self.row_count()
        with self.ctx.db.write() as session:
            session.execute(
                update(PrEmbeddingCollection)
                .where(PrEmbeddingCollection.id == self.collection_id)
                .values(vector_count=count)
            )
        return count


def predict(ctx: JobContext, index: VectorIndex, collection_id: int) -> int:
    """The collection's match candidates predicted again (pr/matching/predict.py), a chunk of cutouts a
    transaction: one transaction would hold SQLite's write lock through the whole prediction, and the
    job's own progress writes would wait on it."""
    # Imported here: matching builds on embeddings (its search job loads our embedders), not the other
    # way round; a module-level import would make the two packages import each other.
    from shelfscope.pr.matching.predict import predict_collection

    def progress(done: int, total: int) -> None:
        ctx.progress(
            0.92 + 0.08 * done / max(total, 1), f"predicting match candidates: {done}/{total} cutouts"
        )

    return predict_collection(
        ctx.db, index, collection_id, top_k=ctx.settings.pr_matching_top_k, progress=progress
    )


def execute_extract(ctx: JobContext, payload: ExtractPayload) -> dict[str, Any]:
    started = time.perf_counter()
    with opened_index(ctx.settings) as index:
        extraction = Extraction(ctx, payload, index)
        try:
            extraction.run()
        finally:
            count = extraction.close()
        t = extraction.tally
        candidates = 0
        if t.changed:
            ctx.progress(0.92, "predicting match candidates")
            candidates = predict(ctx, index, extraction.collection_id)
    timings = {name: round(value, 4) for name, value in t.timings.items()}
    timings["total_s"] = round(time.perf_counter() - started, 4)
    if t.skipped_count:
        ctx.log(f"{t.skipped_count} items skipped (missing or unreadable); see the result", "warning")
    ctx.log(
        f"{t.embedded} embedded, {t.payload_updated} payloads updated, {t.unchanged} unchanged, "
        f"{t.removed} removed; {count} vectors in '{extraction.name}'; {candidates} match candidates"
    )
    ctx.progress(1.0, "done")
    return ExtractResult(
        collection_id=extraction.collection_id,
        embedded=t.embedded,
        unchanged=t.unchanged,
        payload_updated=t.payload_updated,
        removed=t.removed,
        skipped=t.skipped,
        candidates=candidates,
        vector_count=count,
        timings=timings,
    ).model_dump()

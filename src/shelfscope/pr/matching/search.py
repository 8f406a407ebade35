"""An uploaded crop's top-k products (for scripts and the SDK), in two halves:

- the request (`search_upload`): checks the collection, k and that the file is one whole image within
  the limits, stores it under a temporary key, runs the interactive job `pr.matching.search` and removes
  the key when the job has ended;
- the worker (`run_search`): embeds the crop with the collection's model and searches the collection's
  product images. Torch is imported inside (through the embeddings part's loader), never by the server."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import Conflict, ShelfscopeError, ValidationFailed
from shelfscope.jobs import interactive
from shelfscope.jobs.context import JobContext
from shelfscope.od.images.decode import inspect_image
from shelfscope.pr.embeddings.models import PrEmbeddingCollection
from shelfscope.pr.matching.candidates import ranked_candidates, require_collection
from shelfscope.pr.matching.predict import search_products
from shelfscope.pr.matching.schemas import MAX_K, SEARCH_KIND, SearchOut, SearchPayload
from shelfscope.pr.products.models import Product
from shelfscope.storage import Storage, new_key
from shelfscope.storage.base import ObjectMissing
from shelfscope.vectors import open_vectors

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner


def check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise ValidationFailed.field("k", f"must be between 1 and {MAX_K}")
    return k


def _check_image(settings: Settings, upload: BinaryIO, filename: str) -> None:
    """One whole image of an accepted format within the size and pixel limits; the library's error
    (415 not an image, 413 too many pixels, 422 corrupt) with `field: file` added."""
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    if size > settings.max_upload_bytes:
        raise ValidationFailed.field(
            "file", f"is larger than the {settings.max_upload_bytes:,} byte upload limit"
        )
    try:
        inspect_image(upload, filename, size, "", settings.max_image_pixels)
    except ShelfscopeError as exc:
        exc.extra.setdefault("field", "file")
        exc.extra.setdefault("fields", [{"field": "file", "message": exc.detail}])
        raise
    upload.seek(0)


def search_upload(
    session: Session,
    db: Database,
    runner: JobRunner,
    settings: Settings,
    storage: Storage,
    *,
    upload: BinaryIO,
    filename: str,
    collection_id: int,
    k: int,
    user_id: int | None,
) -> SearchOut:
    """Every check first (nothing is stored for a refused request); the upload lives under a temporary
    key only while its job runs."""
    collection = require_collection(session, collection_id)
    check_k(k)
    _check_image(settings, upload, filename)
    key = new_key("tmp/matching-search")
    storage.put_stream(key, upload)
    try:
        payload = SearchPayload(collection_id=collection.id, upload_key=key, upload_name=filename[:512], k=k)
        # The request's own transaction ends first: on SQLite the job's worker needs the write lock.
        session.rollback()
        result = interactive.call(settings, db, runner, kind=SEARCH_KIND, payload=payload, user_id=user_id)
    finally:
        storage.delete(key)
    return SearchOut.model_validate(result)


def run_search(ctx: JobContext, payload: SearchPayload) -> SearchOut:
    """The worker side: embed, search, and name the products that are still in the catalogue."""
    from shelfscope.pr.embeddings.embedders import load_collection_embedder
    from shelfscope.pr.embeddings.execute import decode_square

    with ctx.db.read() as session:
        collection = session.get(PrEmbeddingCollection, payload.collection_id)
        if collection is None:
            raise ValidationFailed.field("collection_id", f"collection {payload.collection_id} was deleted")
        name = collection.name
        try:
            embedder = load_collection_embedder(ctx.settings, ctx.storage, collection)
        except (ValueError, ObjectMissing) as exc:
            raise Conflict(f"Collection '{name}' cannot embed a crop: {exc}", field="collection_id") from None
    # Decoded exactly as extraction decodes stored images: the same bytes give the same vector.
    square = decode_square(ctx.storage.read_bytes(payload.upload_key), embedder.image_size)
    vectors = embedder.embed_arrays([square])
    index = open_vectors(ctx.settings)
    try:
        (scored,) = search_products(index, name, vectors, payload.k)
    finally:
        index.close()
    with ctx.db.read() as session:
        products = {
            p.id: p
            for p in session.scalars(select(Product).where(Product.id.in_([s.product_id for s in scored])))
        }
        ranked = [(products[s.product_id], s.similarity) for s in scored if s.product_id in products]
        results = ranked_candidates(session, ranked[: payload.k])
    return SearchOut(collection_id=payload.collection_id, results=results)

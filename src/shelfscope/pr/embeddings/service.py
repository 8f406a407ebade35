"""Embedding collections on the API side (torch-free): the models extraction can use, collections with
their stats, starting an extraction (the collection made, row and index, when new) and deleting one.
The work itself is the `pr.embeddings.extract` job (execute.py).

The database commits first and the vector index follows: an index collection left behind by a failed
drop holds points no row names, which nothing reads and `shelfscope vectors rebuild` replaces."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.jobs.schemas import JobOut
from shelfscope.ml.catalogue import CATALOGUE, ModelSpec, find_spec
from shelfscope.ml.weights import is_present, model_dir
from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection
from shelfscope.pr.embeddings.schemas import (
    DOMAINS,
    EXTRACT_KIND,
    CollectionList,
    CollectionOut,
    EmbedModel,
    EmbedModelList,
    ExtractIn,
    ExtractOut,
    ExtractPayload,
    ModelKind,
)
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.vectors import VectorIndex, check_name, open_vectors

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

log = logging.getLogger(__name__)

ITEM_KINDS = ("product_image", "cutout")
LIVE_JOB = ("queued", "running")
# The released backbones' hidden sizes (ml/embeddings/backbones.ARCHITECTURES, which imports torch; a
# test keeps the two equal): the size a stock backbone embeds to when its folder is not installed yet.
RELEASED_DIMS = {"dinov2-small": 384, "dinov2-base": 768, "dinov2-large": 1024, "dinov3-small": 384,
                 "dinov3-base": 768}  # fmt: skip


def stock_specs() -> list[ModelSpec]:
    return [spec for spec in CATALOGUE if spec.task == "embedder"]


def stock_dim(settings: Settings, key: str) -> int:
    """The stock backbone's embedding size: its installed config's hidden size, else the released one."""
    config = model_dir(settings, key) / "config.json"
    if config.is_file():
        try:
            hidden = json.loads(config.read_text(encoding="utf-8")).get("hidden_size")
        except (OSError, ValueError):
            hidden = None
        if isinstance(hidden, int) and hidden > 0:
            return hidden
    return RELEASED_DIMS.get(key, 0)


def fetch_hint(key: str) -> str:
    return f"`shelfscope models fetch {key}` (or Settings → Models)"


# ---- reading ------------------------------------------------------------------------------------------


def require_collection(session: Session, collection_id: int) -> PrEmbeddingCollection:
    row = session.get(PrEmbeddingCollection, collection_id)
    if row is None:
        raise NotFound(f"There is no embedding collection {collection_id}.", collection_id=collection_id)
    return row


def describe(session: Session, rows: Sequence[PrEmbeddingCollection]) -> list[CollectionOut]:
    """The API shape of each collection: counts per kind and domain in one grouped query, model names
    in one more."""
    ids = [r.id for r in rows]
    by_kind: dict[int, dict[str, int]] = {i: dict.fromkeys(ITEM_KINDS, 0) for i in ids}
    by_domain: dict[int, dict[str, int]] = {i: dict.fromkeys(DOMAINS, 0) for i in ids}
    if ids:
        grouped = session.execute(
            select(PrEmbedding.collection_id, PrEmbedding.item_kind, PrEmbedding.domain, func.count())
            .where(PrEmbedding.collection_id.in_(ids))
            .group_by(PrEmbedding.collection_id, PrEmbedding.item_kind, PrEmbedding.domain)
        )
        for collection_id, kind, domain, n in grouped:
            by_kind[collection_id][kind] = by_kind[collection_id].get(kind, 0) + int(n)
            if kind == "product_image" and domain is not None:
                by_domain[collection_id][domain] = by_domain[collection_id].get(domain, 0) + int(n)
    model_ids = {r.trained_model_id for r in rows if r.trained_model_id is not None}
    names: dict[int, str] = {}
    if model_ids:
        query = select(PrTrainedModel.id, PrTrainedModel.name).where(PrTrainedModel.id.in_(model_ids))
        names = {int(i): str(n) for i, n in session.execute(query)}
    out = []
    for r in rows:
        if r.trained_model_id is not None:
            model_name = names.get(r.trained_model_id, f"model {r.trained_model_id}")
        else:
            spec = find_spec(r.backbone)
            model_name = spec.title if spec is not None else r.backbone
        out.append(
            CollectionOut(
                id=r.id,
                name=r.name,
                model_kind="trained" if r.model_kind == "trained" else "stock",
                trained_model_id=r.trained_model_id,
                model_name=model_name,
                backbone=r.backbone,
                dim=r.dim,
                metric=r.metric,
                vector_count=r.vector_count,
                by_kind=by_kind[r.id],
                by_domain=by_domain[r.id],
                size_bytes=r.vector_count * r.dim * 4,
                last_job_id=r.last_job_id,
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
        )
    return out


def collection_out(session: Session, row: PrEmbeddingCollection) -> CollectionOut:
    return describe(session, [row])[0]


def list_collections(session: Session) -> CollectionList:
    rows = list(session.scalars(select(PrEmbeddingCollection).order_by(PrEmbeddingCollection.id)))
    return CollectionList(items=describe(session, rows))


def get_collection(session: Session, collection_id: int) -> CollectionOut:
    return collection_out(session, require_collection(session, collection_id))


def list_models(session: Session, settings: Settings) -> EmbedModelList:
    """Every registered PR model (newest first), then the catalogue's stock backbones; each with the
    collection its vectors go to by default, once that exists."""
    collections = list(session.scalars(select(PrEmbeddingCollection).order_by(PrEmbeddingCollection.id)))
    by_name = {c.name: c.id for c in collections}
    first_of_model: dict[int, int] = {}
    first_of_stock: dict[str, int] = {}
    for c in collections:
        if c.trained_model_id is not None:
            first_of_model.setdefault(c.trained_model_id, c.id)
        else:
            first_of_stock.setdefault(c.backbone, c.id)
    items = []
    trained = session.scalars(
        select(PrTrainedModel).order_by(PrTrainedModel.created_at.desc(), PrTrainedModel.id.desc())
    )
    for m in trained:
        items.append(
            EmbedModel(
                kind="trained",
                trained_model_id=m.id,
                backbone=m.backbone,
                name=m.name,
                dim=m.embedding_dim,
                installed=True,
                test_metrics=m.test_metrics,
                collection_id=by_name.get(
                    default_name("trained", m.id, m.backbone), first_of_model.get(m.id)
                ),
            )
        )
    for spec in stock_specs():
        items.append(
            EmbedModel(
                kind="stock",
                trained_model_id=None,
                backbone=spec.key,
                name=spec.title,
                dim=stock_dim(settings, spec.key),
                installed=is_present(model_dir(settings, spec.key)),
                test_metrics=None,
                collection_id=by_name.get(
                    default_name("stock", None, spec.key), first_of_stock.get(spec.key)
                ),
            )
        )
    return EmbedModelList(items=items)


# ---- extracting ---------------------------------------------------------------------------------------


def default_name(kind: ModelKind, trained_model_id: int | None, backbone: str) -> str:
    return f"model-{trained_model_id}" if kind == "trained" else f"stock-{backbone}"


def _chosen_model(session: Session, settings: Settings, body: ExtractIn) -> tuple[int | None, str, int]:
    """(trained model id or None, backbone, embedding size) of the request's model, or the refusal
    naming the field."""
    ref = body.model
    if ref.kind == "trained":
        if ref.trained_model_id is None:
            raise ValidationFailed.field("model.trained_model_id", "is required for a trained model")
        model = session.get(PrTrainedModel, ref.trained_model_id)
        if model is None:
            raise ValidationFailed.field(
                "model.trained_model_id", f"there is no registered model {ref.trained_model_id}"
            )
        return model.id, model.backbone, model.embedding_dim
    if ref.backbone is None:
        raise ValidationFailed.field("model.backbone", "is required for a stock backbone")
    spec = find_spec(ref.backbone)
    if spec is None or spec.task != "embedder":
        known = ", ".join(s.key for s in stock_specs())
        raise ValidationFailed.field(
            "model.backbone", f"{ref.backbone!r} is not an embedding backbone ({known})"
        )
    folder = model_dir(settings, spec.key)
    if not is_present(folder):
        error = ValidationFailed.field(
            "model.backbone",
            f"{spec.key!r} is not installed: fetch it with {fetch_hint(spec.key)}, or copy a "
            f"save_pretrained folder of {spec.hub_id} to the models folder as {spec.key}",
        )
        error.extra |= {"backbone": spec.key, "fetch": f"shelfscope models fetch {spec.key}"}
        raise error
    return None, spec.key, stock_dim(settings, spec.key)


def live_job(session: Session, collection: PrEmbeddingCollection) -> int | None:
    """The collection's extraction job while it is queued or running."""
    if collection.last_job_id is None:
        return None
    status = session.scalar(select(Job.status).where(Job.id == collection.last_job_id))
    return collection.last_job_id if status in LIVE_JOB else None


def _existing_collection(
    session: Session, name: str, trained_model_id: int | None, backbone: str, dim: int
) -> PrEmbeddingCollection | None:
    """The collection called `name` when it holds this model's vectors; refusals when it holds
    another size (422) or another model's (409)."""
    row = session.scalars(select(PrEmbeddingCollection).where(PrEmbeddingCollection.name == name)).first()
    if row is None:
        return None
    if row.dim != dim:
        raise ValidationFailed(
            f"collection: '{name}' holds vectors of size {row.dim}; this model embeds to size {dim}.",
            field="collection",
            fields=[{"field": "collection", "message": f"holds size {row.dim}, the model gives {dim}"}],
            collection=name,
            collection_dim=row.dim,
            model_dim=dim,
        )
    same = row.trained_model_id == trained_model_id and (
        trained_model_id is not None or row.backbone == backbone
    )
    if not same:
        owner = (
            f"model {row.trained_model_id}" if row.trained_model_id is not None else f"stock {row.backbone}"
        )
        raise Conflict(
            f"collection: '{name}' holds the vectors of {owner}; choose another name for this model's.",
            field="collection",
            collection=name,
            collection_id=row.id,
        )
    running = live_job(session, row)
    if running is not None:
        raise Conflict(
            f"An extraction into '{name}' is already running (job {running}).",
            field="collection",
            collection_id=row.id,
            job_id=running,
        )
    return row


def start_extract(
    session: Session, runner: JobRunner, settings: Settings, body: ExtractIn, user_id: int | None
) -> ExtractOut:
    """Queue an extraction of the model's vectors into its collection (made here, row and index, when
    new). Every refusal comes before the first write."""
    trained_model_id, backbone, dim = _chosen_model(session, settings, body)
    if dim <= 0:
        raise ValidationFailed.field("model", "the model's embedding size is not known")
    kind: ModelKind = "trained" if trained_model_id is not None else "stock"
    name = (
        check_name(body.collection)
        if body.collection is not None
        else default_name(kind, trained_model_id, backbone)
    )
    row = _existing_collection(session, name, trained_model_id, backbone, dim)
    created = row is None
    if row is None:
        row = PrEmbeddingCollection(
            name=name,
            model_kind=kind,
            trained_model_id=trained_model_id,
            backbone=backbone,
            dim=dim,
            metric="cosine",
            vector_count=0,
            created_by=user_id,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            # Another request made a collection of this name since we looked (PostgreSQL lets both
            # look; the unique name decides).
            session.rollback()
            raise Conflict(
                f"collection: '{name}' was just made by another request; extract again to use it.",
                field="collection",
                collection=name,
            ) from None
    collection_id = row.id
    if created:
        try:
            with opened_index(settings) as index:
                # The database is the record: an index collection of this name that no row names is
                # left from a failed drop, and goes.
                index.drop_collection(name)
                index.create_collection(name, dim)
        except BaseException:
            session.rollback()
            raise
    payload = ExtractPayload(
        collection_id=collection_id, sources=body.sources, domains=body.domains, batch_size=body.batch_size
    )
    # submit_job commits the collection with the job; a runner that refuses leaves the job failed.
    job = jobs.submit_job(session, runner, EXTRACT_KIND, payload.model_dump(), user_id)
    row = require_collection(session, collection_id)
    row.last_job_id = job.id
    session.commit()
    return ExtractOut(
        job=JobOut.model_validate(job).model_dump(mode="json"), collection=collection_out(session, row)
    )


# ---- deleting -----------------------------------------------------------------------------------------


def delete_collection(session: Session, settings: Settings, collection_id: int) -> None:
    """The collection's rows (its embeddings and match candidates cascade), then its index collection."""
    row = require_collection(session, collection_id)
    running = live_job(session, row)
    if running is not None:
        raise Conflict(
            f"An extraction into '{row.name}' is running (job {running}); cancel it first.",
            collection_id=collection_id,
            job_id=running,
        )
    name = row.name
    session.delete(row)
    session.commit()
    drop_from_index(settings, [name])


def collection_names_of_model(session: Session, trained_model_id: int) -> list[str]:
    return list(
        session.scalars(
            select(PrEmbeddingCollection.name).where(
                PrEmbeddingCollection.trained_model_id == trained_model_id
            )
        )
    )


def drop_from_index(settings: Settings, names: Iterable[str]) -> None:
    """Drop these collections from the vector index after their rows are gone. A failure is logged, not
    raised: the rows are already deleted, and an orphaned index collection is harmless."""
    wanted = list(names)
    if not wanted:
        return
    try:
        with opened_index(settings) as index:
            for name in wanted:
                index.drop_collection(name)
    except Exception:
        log.exception("could not drop %s from the vector index", ", ".join(wanted))


@contextmanager
def opened_index(settings: Settings) -> Iterator[VectorIndex]:
    """The vector index for one piece of work, closed after it."""
    index = open_vectors(settings)
    try:
        yield index
    finally:
        index.close()

"""A person's decisions on the queue: confirm a cutout's product (its crop becomes a `cutout`-domain image
of that product, through pr/cutouts/states.py), reject it, or accept every rank-1 candidate above a
similarity at once; and starting the predict job. Each write is one transaction that changes nothing
when it is refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db.dialect import for_update, id_in
from shelfscope.errors import Conflict
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.pr.cutouts import gallery
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.cutouts.schemas import CutoutOut
from shelfscope.pr.cutouts.service import get_cutout
from shelfscope.pr.cutouts.states import apply
from shelfscope.pr.matching.candidates import require_collection
from shelfscope.pr.matching.models import PrMatchCandidate
from shelfscope.pr.matching.schemas import (
    PREDICT_KIND,
    BulkAccepted,
    BulkAcceptIn,
    BulkPreview,
    ConfirmIn,
    PredictIn,
    PredictPayload,
)
from shelfscope.storage import Storage

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

# Cutouts locked per statement by bulk accept (SQLite caps a statement's parameters).
LOCK_CHUNK = 5_000


def start_predict(session: Session, runner: JobRunner, body: PredictIn, user_id: int | None) -> Job:
    """Queue `pr.matching.predict` for an existing collection (422 naming `collection_id` if none)."""
    collection = require_collection(session, body.collection_id)
    payload = PredictPayload(collection_id=collection.id)
    return jobs.submit_job(session, runner, PREDICT_KIND, payload.model_dump(mode="json"), user_id)


def _gone(cutout_id: int) -> Conflict:
    return Conflict(
        f"Cutout {cutout_id} no longer exists: it was deleted after the queue was read. Reload the queue.",
        field="cutout_id",
        cutout_id=cutout_id,
    )


def _locked_cutout(session: Session, cutout_id: int) -> Cutout:
    """The cutout, locked until the commit (PostgreSQL; SQLite's writer holds the database lock)."""
    cutout = session.scalars(for_update(select(Cutout).where(Cutout.id == cutout_id), session)).one_or_none()
    if cutout is None:
        raise _gone(cutout_id)
    return cutout


def _candidate_similarity(
    session: Session, collection_id: int, cutout_id: int, product_id: int
) -> float | None:
    similarity = session.scalar(
        select(PrMatchCandidate.similarity).where(
            PrMatchCandidate.collection_id == collection_id,
            PrMatchCandidate.cutout_id == cutout_id,
            PrMatchCandidate.product_id == product_id,
        )
    )
    return None if similarity is None else float(similarity)


def confirm(
    session: Session,
    storage: Storage,
    settings: Settings,
    cutout_id: int,
    body: ConfirmIn,
    user_id: int | None,
) -> CutoutOut:
    """Match the cutout to the product: 409 naming `cutout_id` when it was deleted meanwhile, 422
    naming `product_id` or `collection_id` when they do not exist. Its match score is the picked
    candidate's similarity (none for a product found by search)."""
    cutout = _locked_cutout(session, cutout_id)
    if body.collection_id is not None:
        require_collection(session, body.collection_id)
    gallery.require_product(session, body.product_id)
    score = None
    if body.collection_id is not None:
        score = _candidate_similarity(session, body.collection_id, cutout_id, body.product_id)
    apply(session, storage, settings, cutout, "matched", body.product_id, user_id)
    cutout.match_score = score
    session.commit()
    return get_cutout(session, cutout_id)


def reject(
    session: Session, storage: Storage, settings: Settings, cutout_id: int, user_id: int | None
) -> CutoutOut:
    """Not a product of the catalogue (or not a usable crop): out of the queue, and out of a product's
    gallery when it was matched. 409 naming `cutout_id` when it was deleted meanwhile."""
    cutout = _locked_cutout(session, cutout_id)
    apply(session, storage, settings, cutout, "rejected", None, user_id)
    cutout.match_score = None
    session.commit()
    return get_cutout(session, cutout_id)


def _locked_unmatched(session: Session, cutout_ids: Sequence[int]) -> list[Cutout]:
    """The cutouts still unmatched, locked (PostgreSQL), in id order, LOCK_CHUNK ids a statement."""
    found: list[Cutout] = []
    for start in range(0, len(cutout_ids), LOCK_CHUNK):
        query = (
            select(Cutout)
            .where(
                id_in(session, Cutout.id, cutout_ids[start : start + LOCK_CHUNK]), Cutout.state == "unmatched"
            )
            .order_by(Cutout.id)
        )
        found += session.scalars(for_update(query, session))
    return found


def _above(collection_id: int, threshold: float) -> list[ColumnElement[bool]]:
    return [
        PrMatchCandidate.collection_id == collection_id,
        PrMatchCandidate.rank == 1,
        PrMatchCandidate.similarity >= threshold,
        Cutout.state == "unmatched",
    ]


def bulk_preview(session: Session, collection_id: int, threshold: float) -> BulkPreview:
    """How many unmatched cutouts a bulk accept at `threshold` would match now."""
    require_collection(session, collection_id)
    count = session.scalar(
        select(func.count())
        .select_from(PrMatchCandidate)
        .join(Cutout, Cutout.id == PrMatchCandidate.cutout_id)
        .where(*_above(collection_id, threshold))
    )
    return BulkPreview(count=int(count or 0), threshold=threshold)


def bulk_accept(
    session: Session, storage: Storage, settings: Settings, body: BulkAcceptIn, user_id: int | None
) -> BulkAccepted:
    """Match every unmatched cutout whose rank-1 candidate reaches the threshold to that product, all in
    one transaction: a refusal on any one of them (its crop is already another product's image)
    changes nothing."""
    require_collection(session, body.collection_id)
    chosen = session.execute(
        select(Cutout.id, PrMatchCandidate.product_id, PrMatchCandidate.similarity)
        .join(PrMatchCandidate, PrMatchCandidate.cutout_id == Cutout.id)
        .where(*_above(body.collection_id, body.threshold))
        .order_by(Cutout.id)
    ).all()
    picks = {
        int(cutout_id): (int(product_id), float(similarity)) for cutout_id, product_id, similarity in chosen
    }
    accepted = 0
    for cutout in _locked_unmatched(session, sorted(picks)):
        product_id, similarity = picks[cutout.id]
        apply(session, storage, settings, cutout, "matched", product_id, user_id)
        cutout.match_score = similarity
        accepted += 1
    session.commit()
    return BulkAccepted(accepted=accepted)

"""HTTP routes of /api/v1/pr/matching: the queue of cutouts with their candidates, confirming and rejecting,
bulk accept, predicting candidates again, searching with an uploaded crop, and shelf photos labelled with
products. Everyone signed in reads; annotators and admins write (viewers get 403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.errors import UnsupportedMedia, ValidationFailed
from shelfscope.http.uploads import form_value, read_form
from shelfscope.ids import MAX_ID, Id
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.pagination import DEFAULT_LIMIT, Page, PageLimit
from shelfscope.pr.cutouts.schemas import CutoutOut, CutoutState
from shelfscope.pr.matching import queue, search, service, shelf
from shelfscope.pr.matching.schemas import (
    DEFAULT_K,
    MAX_K,
    BulkAccepted,
    BulkAcceptIn,
    BulkPreview,
    ConfirmIn,
    PredictIn,
    QueueItem,
    QueueSort,
    SearchOut,
    ShelfPhoto,
    ShelfView,
    Summary,
)

router = APIRouter(prefix="/matching")

Threshold = Annotated[float, Query(ge=0.0, le=1.0, allow_inf_nan=False)]


@router.post("/predict", status_code=202, response_model=JobEnvelope)
def predict(body: PredictIn, session: DbSession, ctx: Ctx, user: WriterUser) -> JobEnvelope:
    """Predict every unmatched cutout's candidates again from the collection's stored vectors."""
    job = service.start_predict(session, ctx.runner, body, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.get("/queue", response_model=Page[QueueItem])
def read_queue(
    session: DbSession,
    user: CurrentUser,
    collection_id: Id,
    state: CutoutState = "unmatched",
    min_similarity: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    sort: QueueSort = "similarity",
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[QueueItem]:
    """Cutouts with the collection's candidates (packshots included): most similar first, or by id."""
    return queue.queue(
        session,
        collection_id=collection_id,
        state=state,
        min_similarity=min_similarity,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


@router.get("/summary", response_model=Summary)
def read_summary(collection_id: Id, session: DbSession, user: CurrentUser) -> Summary:
    return queue.summary(session, collection_id)


@router.get("/bulk-accept/preview", response_model=BulkPreview)
def bulk_preview(
    collection_id: Id, threshold: Threshold, session: DbSession, user: CurrentUser
) -> BulkPreview:
    """How many unmatched cutouts a bulk accept at this threshold would match."""
    return service.bulk_preview(session, collection_id, threshold)


@router.post("/bulk-accept", response_model=BulkAccepted)
def bulk_accept(body: BulkAcceptIn, session: DbSession, ctx: Ctx, user: WriterUser) -> BulkAccepted:
    """Match every unmatched cutout to its rank-1 product at or above the threshold; all or none."""
    return service.bulk_accept(session, ctx.storage, ctx.settings, body, user.id)


def _k(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"must be a whole number between 1 and {MAX_K}") from None


def _id(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("must be a collection id") from None
    if not 1 <= value <= MAX_ID:
        raise ValueError("must be a collection id")
    return value


@router.post(
    "/search",
    response_model=SearchOut,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "collection_id"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "collection_id": {"type": "integer"},
                            "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": DEFAULT_K},
                        },
                    }
                }
            }
        }
    },
)
async def search_crop(request: Request, session: DbSession, ctx: Ctx, user: WriterUser) -> SearchOut:
    """An uploaded crop's top-k products in the collection (multipart `file`, `collection_id`, `k`)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UnsupportedMedia(
            "Send the crop as multipart/form-data: a 'file' part, with 'collection_id' and optional 'k'.",
            field="file",
            content_type=content_type,
        )
    await run_in_threadpool(session.commit)
    form = await read_form(request, ctx.settings.max_upload_bytes + 1, "a crop")
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed.field("file", "attach the crop as a file part named 'file'")
        collection_id = form_value(form, "collection_id", _id)
        if collection_id is None:
            raise ValidationFailed.field("collection_id", "name the collection to search")
        k = form_value(form, "k", _k)
        return await run_in_threadpool(
            search.search_upload,
            session,
            ctx.db,
            ctx.runner,
            ctx.settings,
            ctx.storage,
            upload=upload.file,
            filename=upload.filename or "upload",
            collection_id=collection_id,
            k=DEFAULT_K if k is None else k,
            user_id=user.id,
        )
    finally:
        await form.close()


@router.get("/images", response_model=Page[ShelfPhoto])
def shelf_photos(
    session: DbSession,
    user: CurrentUser,
    collection_id: Id | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ShelfPhoto]:
    """Library images that have cutouts, newest first, with how many are matched and predicted."""
    return shelf.shelf_photos(session, collection_id=collection_id, limit=limit, cursor=cursor)


@router.get("/images/{image_id}", response_model=ShelfView)
def shelf_view(
    image_id: Id, session: DbSession, user: CurrentUser, collection_id: Id | None = None
) -> ShelfView:
    """One photo with every cutout's box, its matched product and the collection's rank-1 candidate."""
    return shelf.shelf_view(session, image_id, collection_id)


@router.post("/{cutout_id}/confirm", response_model=CutoutOut)
def confirm(cutout_id: Id, body: ConfirmIn, session: DbSession, ctx: Ctx, user: WriterUser) -> CutoutOut:
    """Match the cutout to the product; its crop becomes a `cutout`-domain image of the product. 409
    naming `cutout_id` when the cutout was deleted meanwhile."""
    return service.confirm(session, ctx.storage, ctx.settings, cutout_id, body, user.id)


@router.post("/{cutout_id}/reject", response_model=CutoutOut)
def reject(cutout_id: Id, session: DbSession, ctx: Ctx, user: WriterUser) -> CutoutOut:
    return service.reject(session, ctx.storage, ctx.settings, cutout_id, user.id)

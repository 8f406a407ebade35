"""HTTP routes of product recognition's cutouts (mounted under /api/v1/pr): the make-cutouts job,
listing and reading cutouts and their crops, a cutout drawn by hand, state changes and deletes.
Viewers read; annotators and admins write."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.pagination import DEFAULT_LIMIT, Page, PageLimit
from shelfscope.pr.cutouts import service, states
from shelfscope.pr.cutouts.schemas import (
    BulkIn,
    BulkOut,
    CutoutCreate,
    CutoutOut,
    CutoutPatch,
    CutoutSource,
    CutoutState,
    MakeCutoutsIn,
)

router = APIRouter(prefix="/cutouts")


@router.post("/jobs", status_code=202, response_model=JobEnvelope)
def make_cutouts(body: MakeCutoutsIn, session: DbSession, ctx: Ctx, user: WriterUser) -> JobEnvelope:
    """Cut a dataset's boxes out as a job: its annotations (of `class_ids`, or all), or a detector's
    predictions above `threshold`. A box that has a cutout already is not cut again."""
    job = service.start_make(session, ctx.runner, ctx.settings, body, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.get("", response_model=Page[CutoutOut])
def list_cutouts(
    session: DbSession,
    user: CurrentUser,
    state: CutoutState | None = None,
    dataset_id: Id | None = None,
    class_id: Id | None = None,
    product_id: Id | None = None,
    image_id: Id | None = None,
    source: CutoutSource | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[CutoutOut]:
    """Newest first, with the shelf photo each was cut from."""
    filters = {
        "state": state,
        "dataset_id": dataset_id,
        "class_id": class_id,
        "product_id": product_id,
        "image_id": image_id,
        "source": source,
    }
    return service.list_cutouts(session, filters=filters, limit=limit, cursor=cursor)


@router.post("", response_model=CutoutOut, status_code=201)
def create_cutout(body: CutoutCreate, session: DbSession, ctx: Ctx, user: WriterUser) -> CutoutOut:
    """A box drawn by hand on a library image, cut out now (422 naming `box` when it is outside)."""
    return service.create_cutout(session, ctx.storage, ctx.settings, body, user.id)


@router.post("/bulk", response_model=BulkOut)
def bulk_update(body: BulkIn, session: DbSession, ctx: Ctx, user: WriterUser) -> BulkOut:
    """Reject, unmatch or match (with `product_id`) several cutouts; all or none."""
    return states.bulk_update(session, ctx.storage, ctx.settings, body, user.id)


@router.get("/{cutout_id}", response_model=CutoutOut)
def get_cutout(cutout_id: Id, session: DbSession, user: CurrentUser) -> CutoutOut:
    return service.get_cutout(session, cutout_id)


@router.get("/{cutout_id}/file", response_class=Response)
def cutout_file(cutout_id: Id, request: Request, session: DbSession, ctx: Ctx, user: CurrentUser) -> Response:
    """The crop, JPEG. Keys are never reused, so the bytes behind an id never change."""
    data, key = service.crop_bytes(session, ctx.storage, cutout_id)
    etag = f'"{key.rsplit("/", 1)[-1]}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="image/jpeg", headers=headers)


@router.patch("/{cutout_id}", response_model=CutoutOut)
def update_cutout(
    cutout_id: Id, body: CutoutPatch, session: DbSession, ctx: Ctx, user: WriterUser
) -> CutoutOut:
    """Match (the crop joins the product's gallery), unmatch or reject (it leaves the gallery)."""
    return states.patch_cutout(session, ctx.storage, ctx.settings, cutout_id, body, user.id)


@router.delete("/{cutout_id}", status_code=204)
def delete_cutout(cutout_id: Id, session: DbSession, ctx: Ctx, user: WriterUser) -> Response:
    service.delete_cutout(session, ctx.storage, cutout_id)
    return Response(status_code=204)

"""HTTP routes of the image library (mounted at /api/v1/od/images).

Static paths (/verify, /bulk, /import/url, /sync/...) come before /{image_id} so they are never
taken for an id.
"""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Body, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from shelfscope.auth.deps import AdminUser, CurrentUser, WriterUser, require_admin
from shelfscope.deps import Ctx, DbSession
from shelfscope.http.files import original_response, thumbnail_response
from shelfscope.http.uploads import form_files, form_value, read_form
from shelfscope.http.validation import validation_failed
from shelfscope.ids import Id
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.jobs.service import submit_job
from shelfscope.od.images import bulk as bulk_actions
from shelfscope.od.images import ingest, listing, service, sync, url_import
from shelfscope.od.images.decode import CONTENT_TYPES
from shelfscope.od.images.schemas import (
    VERIFY_KIND,
    BatchResult,
    BulkIn,
    BulkOut,
    ImageFacets,
    ImageFilters,
    ImageOut,
    ImagePatch,
    LookupIn,
    LookupOut,
    SortField,
    SortOrder,
    SyncIn,
    UrlImportIn,
    VerifyPayload,
    normalize_folder,
    normalize_tags,
)
from shelfscope.od.vocabulary import ImageSource
from shelfscope.pagination import Page, PageLimit

router = APIRouter()


@router.post("/verify", status_code=202, response_model=JobEnvelope)
def verify_images(
    session: DbSession,
    ctx: Ctx,
    user: WriterUser,
    body: Annotated[VerifyPayload | None, Body()] = None,
) -> JobEnvelope:
    """Start a job that re-hashes stored images, reports missing or altered ones and rebuilds thumbnails."""
    payload = (body or VerifyPayload()).model_dump(mode="json")
    job = submit_job(session, ctx.runner, VERIFY_KIND, payload, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


# ---- upload ------------------------------------------------------------------------------------------


_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "folder": {"type": "string", "description": "e.g. stores/berlin"},
                        "tags": {"type": "string", "description": "comma-separated, e.g. promo,aisle-3"},
                    },
                }
            }
        },
    }
}


@router.post(
    "",
    response_model=BatchResult,
    responses={207: {"model": BatchResult, "description": "Some files were rejected; see each result."}},
    openapi_extra=_UPLOAD_DOC,
)
async def upload_images(request: Request, ctx: Ctx, session: DbSession, user: WriterUser) -> JSONResponse:
    """Upload one or many images (multipart field `files`, repeatable; optional `folder` and `tags`).

    Each file is stored, found to be a duplicate of an existing image (same bytes), or rejected with
    the reason; each commits on its own. 200 when none was rejected, 207 otherwise.
    """
    # The auth lookup began a transaction on this write session; end it before the body streams in,
    # or SQLite's write lock would be held for the whole upload.
    await run_in_threadpool(session.commit)
    form = await read_form(request, ctx.settings.max_upload_bytes + 1)
    try:
        uploads = form_files(form)
        folder = form_value(form, "folder", normalize_folder)
        tags = form_value(form, "tags", normalize_tags) or []
        files = [(name, u.file) for name, u in uploads]
        result = await run_in_threadpool(
            ingest.ingest_batch,
            session,
            ctx.storage,
            ctx.settings,
            files,
            folder=folder,
            tags=tags,
            user_id=user.id,
        )
    finally:
        await form.close()
    return JSONResponse(result.model_dump(mode="json"), status_code=207 if result.rejected else 200)


@router.post("/import/url", status_code=202, response_model=JobEnvelope)
def import_from_urls(body: UrlImportIn, ctx: Ctx, session: DbSession, user: WriterUser) -> JobEnvelope:
    """Start a job that fetches images from http(s) URLs (size, total time and redirect limits;
    addresses on the server's own network are refused). The job's result has per-URL results like an
    upload: `{"results": [...], "stored", "duplicate", "rejected"}`."""
    job = url_import.start_url_import(session, ctx.runner, body, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.post("/sync/buybuddy", status_code=202, response_model=JobEnvelope)
def sync_from_source(body: SyncIn, ctx: Ctx, session: DbSession, user: AdminUser) -> JobEnvelope:
    """Start a job pulling new images from the configured image source (docs/sync-connector.md)."""
    job = sync.start_sync(session, ctx.runner, ctx.settings, body, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.post("/lookup", response_model=LookupOut)
def lookup_hashes(body: LookupIn, session: DbSession, user: CurrentUser) -> LookupOut:
    """Which of these sha256 content hashes (up to 1,000) the library has, with each one's image id:
    a client hashes its files first and uploads only the missing ones (a resumed upload sends no
    bytes for what arrived before)."""
    return LookupOut(found=service.ids_by_hash(session, body.hashes))


@router.post("/bulk", response_model=BulkOut)
def bulk(body: BulkIn, ctx: Ctx, session: DbSession, user: WriterUser) -> BulkOut:
    """Tag, untag, set the folder of, or delete (admins) the images named by `ids` or matching `filter`."""
    if body.action == "delete":
        require_admin(user, "delete images")
    return bulk_actions.bulk_action(session, ctx.storage, body)


# ---- reading -----------------------------------------------------------------------------------------


def _filters(**given: Any) -> ImageFilters:
    try:
        return ImageFilters.model_validate(given)
    except pydantic.ValidationError as exc:
        raise validation_failed(exc.errors()) from None


@router.get("", response_model=Page[ImageOut])
def list_images(
    session: DbSession,
    user: CurrentUser,
    limit: PageLimit = 50,
    cursor: str | None = None,
    sort: SortField = "created_at",
    order: SortOrder = "desc",
    with_total: bool = False,
    source: ImageSource | None = None,
    folder: str | None = None,
    folder_prefix: Annotated[bool, Query(description="also take images in folders below `folder`")] = False,
    tags: Annotated[
        list[str] | None, Query(description="images having all of these; repeat or comma-separate")
    ] = None,
    dataset_id: Id | None = None,
    not_in_dataset_id: Id | None = None,
    has_annotations: bool | None = None,
    q: Annotated[str | None, Query(description="case-insensitive part of the file name")] = None,
) -> Page[ImageOut]:
    """Library images, newest first by default, by keyset pagination (`next_cursor`). `total` only
    with `with_total=true` (counting is the one part that grows with the library)."""
    filters = _filters(
        source=source,
        folder=folder,
        folder_prefix=folder_prefix,
        tags=tags or [],
        dataset_id=dataset_id,
        not_in_dataset_id=not_in_dataset_id,
        has_annotations=has_annotations,
        q=q,
    )
    return listing.list_images(
        session, filters, sort=sort, order=order, limit=limit, cursor=cursor, with_total=with_total
    )


@router.get("/facets", response_model=ImageFacets)
def image_facets(session: DbSession, user: CurrentUser) -> ImageFacets:
    """Folders and tags in use with their image counts (the 200 most used of each)."""
    return listing.facets(session)


@router.get("/{image_id}", response_model=ImageOut)
def get_image(image_id: Id, session: DbSession, user: CurrentUser) -> ImageOut:
    return service.image_out(session, service.get_image(session, image_id))


@router.get("/{image_id}/file", response_class=Response)
def image_file(image_id: Id, request: Request, ctx: Ctx, session: DbSession, user: CurrentUser) -> Response:
    """The original bytes, as uploaded. Supports a single `Range: bytes=...` (206) and `If-None-Match`."""
    image = service.get_image(session, image_id)
    return original_response(
        request,
        content_hash=image.content_hash,
        size=image.size_bytes,
        filename=image.filename,
        media_type=CONTENT_TYPES.get(image.format, "application/octet-stream"),
        chunks=lambda byte_range: service.file_chunks(ctx.storage, image, byte_range),
    )


@router.get("/{image_id}/thumbnail", response_class=Response)
def image_thumbnail(
    image_id: Id, request: Request, ctx: Ctx, session: DbSession, user: CurrentUser
) -> Response:
    """A JPEG at most thumbnail_size pixels on its long side, upright per EXIF."""
    image = service.get_image(session, image_id)
    return thumbnail_response(
        request,
        content_hash=image.content_hash,
        thumbnail_size=ctx.settings.thumbnail_size,
        render=lambda: service.thumbnail_bytes(ctx.storage, ctx.settings, image),
    )


# ---- editing -----------------------------------------------------------------------------------------


@router.patch("/{image_id}", response_model=ImageOut)
def update_image(image_id: Id, body: ImagePatch, session: DbSession, user: WriterUser) -> ImageOut:
    """Change `folder` (null clears it) and/or replace `tags`; fields left out stay as they are."""
    return service.update_image(session, image_id, body)


@router.delete("/{image_id}", status_code=204, response_class=Response)
def delete_image(
    image_id: Id,
    ctx: Ctx,
    session: DbSession,
    user: AdminUser,
    force: Annotated[bool, Query(description="also delete its annotations in every dataset")] = False,
) -> Response:
    """Delete the image, its bytes and thumbnail. 409 when it is annotated (unless force) or frozen in a
    dataset version (always; the 409 names the versions)."""
    service.delete_image(session, ctx.storage, image_id, force=force)
    return Response(status_code=204)

"""HTTP routes of the image library (mounted at /api/v1/od/images).

Static paths (/verify, /bulk, /import/url, /sync/...) come before /{image_id} so they are never
taken for an id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import pydantic
from fastapi import APIRouter, Body, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from shelfscope.auth.deps import AdminUser, CurrentUser, WriterUser, require_admin
from shelfscope.deps import Ctx, DbSession
from shelfscope.errors import UnsupportedMedia, ValidationFailed
from shelfscope.http.ranges import ranged_response
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

MAX_FILES_PER_REQUEST = 500
# Text fields of an upload form (folder, tags) are short; a file part is limited separately.
MAX_FIELD_BYTES = 64 * 1024
T = TypeVar("T")


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


class _CappedMultiPartParser(MultiPartParser):
    """Starlette's parser, except a file part stops being written to disk one byte past the per-file
    limit: the service then rejects that file by name while the other files of the request are kept,
    and an oversized upload never fills the disk. (Starlette itself only limits non-file parts.)"""

    def __init__(self, headers: Headers, request: Request, *, file_cap: int) -> None:
        super().__init__(
            headers,
            request.stream(),
            max_files=MAX_FILES_PER_REQUEST,
            max_fields=20,
            max_part_size=MAX_FIELD_BYTES,
        )
        self._cap = file_cap
        self._written: dict[int, int] = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        upload = self._current_part.file
        if upload is None:
            super().on_part_data(data, start, end)
            return
        used = self._written.get(id(upload), 0)
        keep = min(end - start, self._cap - used)
        if keep > 0:
            self._written[id(upload)] = used + keep
            super().on_part_data(data, start, start + keep)


async def _read_form(request: Request, file_cap: int) -> FormData:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UnsupportedMedia(
            "Upload images as multipart/form-data with one or more 'files' parts.", content_type=content_type
        )
    try:
        return await _CappedMultiPartParser(request.headers, request, file_cap=file_cap).parse()
    except MultiPartException as exc:
        raise ValidationFailed(f"The upload form could not be read: {exc.message}") from None


def _form_value(form: FormData, name: str, parse: Callable[[str], T]) -> T | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed.field(name, "must be a text field, not a file")
    try:
        return parse(value)
    except ValueError as exc:
        raise ValidationFailed.field(name, str(exc)) from None


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
    form = await _read_form(request, ctx.settings.max_upload_bytes + 1)
    try:
        uploads = form.getlist("files")
        if not uploads:
            raise ValidationFailed.field("files", "attach at least one file")
        if not all(isinstance(u, UploadFile) for u in uploads):
            raise ValidationFailed.field("files", "every 'files' part must be a file")
        folder = _form_value(form, "folder", normalize_folder)
        tags = _form_value(form, "tags", normalize_tags) or []
        files = [(u.filename or "", u.file) for u in uploads if isinstance(u, UploadFile)]
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


def _content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{image_id}/file", response_class=Response)
def image_file(image_id: Id, request: Request, ctx: Ctx, session: DbSession, user: CurrentUser) -> Response:
    """The original bytes, as uploaded. Supports a single `Range: bytes=...` (206) and `If-None-Match`."""
    image = service.get_image(session, image_id)
    etag = f'"{image.content_hash}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        # Content-addressed: the bytes behind an id never change.
        "Cache-Control": "private, max-age=31536000, immutable",
        "Content-Disposition": _content_disposition(image.filename),
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range != etag:
        range_header = None  # the client's partial copy is of other bytes: send everything
    return ranged_response(
        size=image.size_bytes,
        range_header=range_header,
        chunks=lambda byte_range: service.file_chunks(ctx.storage, image, byte_range),
        media_type=CONTENT_TYPES.get(image.format, "application/octet-stream"),
        headers=headers,
    )


@router.get("/{image_id}/thumbnail", response_class=Response)
def image_thumbnail(
    image_id: Id, request: Request, ctx: Ctx, session: DbSession, user: CurrentUser
) -> Response:
    """A JPEG at most thumbnail_size pixels on its long side, upright per EXIF."""
    image = service.get_image(session, image_id)
    etag = f'"t{ctx.settings.thumbnail_size}-{image.content_hash}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    data = service.thumbnail_bytes(ctx.storage, ctx.settings, image)
    return Response(data, media_type="image/jpeg", headers=headers)


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

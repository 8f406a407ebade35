"""HTTP routes of product videos (mounted under /api/v1/pr): upload (frames taken by a job), list,
read, stream the kept file, delete."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import pydantic
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.errors import UnsupportedMedia, ValidationFailed
from shelfscope.http.ranges import ranged_response
from shelfscope.http.validation import validation_failed
from shelfscope.ids import Id
from shelfscope.jobs.schemas import JobOut
from shelfscope.pr.videos import service
from shelfscope.pr.videos.schemas import FramePolicyIn, VideoList, VideoOut, VideoUploadOut

router = APIRouter()

_POLICY_FIELDS = ("mode", "every_s", "max_frames")
_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "MP4, MOV or WebM"},
                        "mode": {"type": "string", "enum": ["first", "key_frames", "interval"]},
                        "every_s": {"type": "number", "description": "seconds between frames (interval)"},
                        "max_frames": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                }
            }
        },
    }
}


def _policy(fields: dict[str, Any]) -> FramePolicyIn:
    try:
        return FramePolicyIn.model_validate(fields)
    except pydantic.ValidationError as exc:
        raise validation_failed(exc.errors()) from None


@router.post(
    "/products/{product_id}/videos", status_code=202, response_model=VideoUploadOut, openapi_extra=_UPLOAD_DOC
)
async def upload_video(
    product_id: Id, request: Request, ctx: Ctx, session: DbSession, user: WriterUser
) -> JSONResponse:
    """Upload a product video (multipart `file`, checked by its content, not its name) and start the
    job that takes its frames (`mode` first | key_frames | interval, `every_s`, `max_frames`) as the
    product's synthetic images."""
    # End the auth lookup's transaction before the body streams in (SQLite's write lock).
    await run_in_threadpool(session.commit)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise UnsupportedMedia("Upload the video as multipart/form-data in the field 'file'.", field="file")
    form = await request.form(max_files=1, max_fields=len(_POLICY_FIELDS) + 1)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed.field("file", "attach the video file in the multipart field 'file'")
        policy = _policy({k: v for k, v in form.items() if k in _POLICY_FIELDS and isinstance(v, str) and v})
        job, video = await run_in_threadpool(
            service.accept_video,
            session,
            ctx.storage,
            ctx.settings,
            ctx.runner,
            product_id=product_id,
            stream=upload.file,
            filename=upload.filename or "video",
            policy=policy,
            user_id=user.id,
        )
    finally:
        await form.close()
    body = VideoUploadOut(job=JobOut.model_validate(job), video=video)
    return JSONResponse(body.model_dump(mode="json"), status_code=202)


@router.get("/products/{product_id}/videos", response_model=VideoList)
def list_videos(product_id: Id, session: DbSession, user: CurrentUser) -> VideoList:
    """The product's videos, newest first, with their extraction state."""
    return VideoList(items=service.list_videos(session, product_id))


@router.get("/videos/{video_id}", response_model=VideoOut)
def get_video(video_id: Id, session: DbSession, user: CurrentUser) -> VideoOut:
    return service.get_video(session, video_id)


@router.get("/videos/{video_id}/file", response_class=Response)
def video_file(video_id: Id, request: Request, ctx: Ctx, session: DbSession, user: CurrentUser) -> Response:
    """The kept video file (single byte ranges supported, so a browser can seek in it)."""
    key, content_type, filename = service.video_file(session, video_id)
    size = ctx.storage.size(key)
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    disposition = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    headers = {"Content-Disposition": disposition}

    def chunks(byte_range: tuple[int, int] | None) -> Any:
        start, end = byte_range if byte_range is not None else (0, None)
        return ctx.storage.iter_range(key, start, end)

    return ranged_response(
        size=size,
        range_header=request.headers.get("range"),
        chunks=chunks,
        media_type=content_type,
        headers=headers,
    )


@router.delete("/videos/{video_id}", status_code=204, response_class=Response)
def delete_video(
    video_id: Id,
    ctx: Ctx,
    session: DbSession,
    user: WriterUser,
    delete_frames: Annotated[bool, Query()] = False,
) -> Response:
    """Delete a video and its file; its frames stay as product images unless `delete_frames=true`."""
    service.delete_video(session, ctx.storage, video_id, delete_frames=delete_frames)
    return Response(status_code=204)

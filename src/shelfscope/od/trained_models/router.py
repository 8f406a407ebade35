"""HTTP routes of the model registry (mounted at /api/v1/od/models). Everyone signed in reads; annotators
and admins edit, set the default, test and export; deleting a model is for admins (like deleting a
dataset)."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile

from shelfscope.auth.deps import AdminUser, CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.errors import UnsupportedMedia, ValidationFailed
from shelfscope.http.validation import validation_failed
from shelfscope.ids import Id
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.od.trained_models import service
from shelfscope.od.trained_models.schemas import (
    CompareOut,
    DownloadFormat,
    ExportIn,
    InferenceIn,
    InferenceOut,
    ModelOut,
    ModelPatch,
)
from shelfscope.pagination import DEFAULT_LIMIT, Page, PageLimit

router = APIRouter()

_CHUNK = 1024 * 1024


@router.get("", response_model=Page[ModelOut])
def list_models(
    session: DbSession,
    user: CurrentUser,
    architecture: str | None = None,
    family: str | None = None,
    active: bool | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ModelOut]:
    """Registered models, newest first; filter by architecture key, family and active."""
    return service.list_models(
        session, architecture=architecture, family=family, active=active, limit=limit, cursor=cursor
    )


@router.get("/compare", response_model=CompareOut)
def compare_models(
    session: DbSession, user: CurrentUser, ids: Annotated[str, Query(max_length=200)]
) -> CompareOut:
    """2 to 5 models (`ids=1,2,3`) with each class's test AP per model."""
    try:
        parsed = [int(part) for part in ids.split(",") if part.strip()]
    except ValueError:
        raise ValidationFailed.field("ids", "must be model ids separated by commas") from None
    if any(not 1 <= i <= 2**63 - 1 for i in parsed):
        raise ValidationFailed.field("ids", "must be model ids separated by commas")
    return service.compare(session, parsed)


@router.get("/{model_id}", response_model=ModelOut)
def get_model(model_id: Id, session: DbSession, user: CurrentUser) -> ModelOut:
    return service.model_out(session, service.get_model(session, model_id))


@router.patch("/{model_id}", response_model=ModelOut)
def update_model(model_id: Id, body: ModelPatch, session: DbSession, user: WriterUser) -> ModelOut:
    """Rename, describe, activate or deactivate (not the annotation default: 409)."""
    return service.update_model(session, model_id, body)


@router.delete("/{model_id}", status_code=204)
def delete_model(model_id: Id, session: DbSession, ctx: Ctx, user: AdminUser) -> Response:
    """Delete the model and its stored files; the annotation default is refused with 409."""
    service.delete_model(session, ctx.settings, ctx.storage, model_id)
    return Response(status_code=204)


@router.post("/{model_id}/set-default", response_model=ModelOut)
def set_default(model_id: Id, session: DbSession, user: WriterUser) -> ModelOut:
    """Make this the default model for AI auto-annotation (the only one)."""
    return service.set_default(session, model_id)


def _threshold(raw: Any) -> float:
    if raw is None:
        return 0.05
    if not isinstance(raw, str):
        raise ValidationFailed.field("threshold", "must be a number between 0 and 1")
    try:
        value = float(raw)
    except ValueError:
        raise ValidationFailed.field("threshold", "must be a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise ValidationFailed.field("threshold", "must be between 0 and 1")
    return value


@router.post(
    "/{model_id}/inference",
    response_model=InferenceOut,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": InferenceIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "threshold": {"type": "number", "default": 0.05},
                        },
                    }
                },
            }
        }
    },
)
async def run_inference(
    model_id: Id, request: Request, session: DbSession, ctx: Ctx, user: WriterUser
) -> InferenceOut:
    """Run the model on one image: a library image (JSON `{image_id, threshold}`) or an uploaded file
    (multipart `file`, optional `threshold`); boxes at or above the threshold (default 0.05)."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        await run_in_threadpool(session.commit)
        form = await request.form(max_files=1, max_fields=4)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise ValidationFailed.field("file", "attach the image as a file part named 'file'")
            threshold = _threshold(form.get("threshold"))
            return await run_in_threadpool(
                service.infer_upload,
                session,
                ctx.db,
                ctx.runner,
                ctx.settings,
                ctx.storage,
                model_id,
                upload.file,
                upload.filename or "upload",
                threshold,
                user.id,
            )
        finally:
            await form.close()
    if not content_type.startswith("application/json"):
        raise UnsupportedMedia(
            "Send JSON {image_id, threshold} or a multipart form with a 'file' part.",
            content_type=content_type,
        )
    try:
        body = InferenceIn.model_validate_json(await request.body())
    except pydantic.ValidationError as exc:
        raise validation_failed(exc.errors()) from None
    return await run_in_threadpool(
        service.infer_library_image,
        session,
        ctx.db,
        ctx.runner,
        ctx.settings,
        model_id,
        body.image_id,
        body.threshold,
        user.id,
    )


@router.post("/{model_id}/export", status_code=202, response_model=JobEnvelope)
def export_model(model_id: Id, body: ExportIn, session: DbSession, ctx: Ctx, user: WriterUser) -> JobEnvelope:
    """Export to ONNX as a job, checked against PyTorch on a real image (the outcome is on the model)."""
    job = service.start_export(session, ctx.runner, model_id, body.format, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.get("/{model_id}/download", response_model=None)
def download_model(
    model_id: Id, session: DbSession, ctx: Ctx, user: CurrentUser, format: DownloadFormat = "pytorch"
) -> Response:
    """The model folder as a zip (`pytorch`), or its checked ONNX file (`onnx`)."""
    if format == "onnx":
        key, size, filename = service.download_onnx(session, ctx.storage, model_id)
        media = "application/octet-stream"
        chunks: Any = ctx.storage.iter_range(key, 0, size - 1)
        headers = {"Content-Length": str(size)}
    else:
        spool, filename = service.download_pytorch(session, ctx.storage, model_id)
        media = "application/zip"

        def read() -> Any:
            with spool:
                while block := spool.read(_CHUNK):
                    yield block

        chunks = read()
        headers = {}
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return StreamingResponse(chunks, media_type=media, headers=headers)

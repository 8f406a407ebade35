"""HTTP routes that start dataset imports (mounted at /api/v1/od/images/import).

`POST /{format}` takes either a multipart upload (`file`: a zip archive, plus optional form fields
`dataset_id`, `dataset_name`, `on_invalid`) or a JSON body `{"path": ..., ...}` naming a server folder
under one of the configured import roots. Either way it answers 202 with the queued job; the job's
result is the import report (see schemas.ImportReport).
"""

from __future__ import annotations

from typing import Any

import pydantic
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from shelfscope.auth.deps import WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.errors import PayloadTooLarge, UnsupportedMedia, ValidationFailed
from shelfscope.http.validation import validation_failed
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.od.imports.schemas import FolderImportIn, ImportFormat, ImportPayload, ImportTarget
from shelfscope.od.imports.service import start_import
from shelfscope.od.imports.sources import accept_upload

router = APIRouter()

_FORM_FIELDS = ("dataset_id", "dataset_name", "on_invalid")
_OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "a zip archive"},
                        "dataset_id": {"type": "integer"},
                        "dataset_name": {"type": "string"},
                        "on_invalid": {"type": "string", "enum": ["fail", "skip"]},
                    },
                }
            },
            "application/json": {"schema": FolderImportIn.model_json_schema()},
        },
    }
}


@router.post("/{fmt}", status_code=202, response_model=JobEnvelope, openapi_extra=_OPENAPI_BODY)
async def start(
    fmt: ImportFormat, request: Request, session: DbSession, ctx: Ctx, user: WriterUser
) -> JobEnvelope:
    """Import a COCO, YOLO or Pascal VOC dataset (zip upload, or a server folder) as a job."""
    settings = ctx.settings
    user_id = user.id
    # Signing in read through this write session; end that transaction now, or SQLite's write lock
    # would be held while the archive arrives and is stored.
    await run_in_threadpool(session.rollback)
    content_type = request.headers.get("content-type", "")
    default_on_invalid = settings.import_on_invalid
    if content_type.startswith("multipart/form-data"):
        declared = int(request.headers.get("content-length") or 0)
        if declared > settings.max_import_upload_bytes:
            raise PayloadTooLarge(
                f"The upload is larger than the {settings.max_import_upload_bytes:,} byte limit for dataset "
                "archives.",
                limit_bytes=settings.max_import_upload_bytes,
            )
        form = await request.form(max_files=1, max_fields=len(_FORM_FIELDS) + 1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed.field("file", "a zip archive is required in the multipart field 'file'")
        fields = {k: v for k, v in form.items() if k in _FORM_FIELDS and isinstance(v, str) and v != ""}
        try:
            target = ImportTarget.model_validate(fields)
        except pydantic.ValidationError as exc:
            raise validation_failed(exc.errors()) from None
        if (upload.size or 0) > settings.max_import_upload_bytes:
            raise PayloadTooLarge(
                f"{upload.filename} is larger than the {settings.max_import_upload_bytes:,} byte limit.",
                file=upload.filename,
            )
        name = upload.filename or "upload.zip"
        key = await run_in_threadpool(accept_upload, settings, ctx.storage, upload.file, name)
        payload = ImportPayload(
            format=fmt,
            upload_key=key,
            upload_name=name,
            dataset_id=target.dataset_id,
            dataset_name=target.dataset_name,
            on_invalid=target.on_invalid or default_on_invalid,
        )
        try:
            job = await run_in_threadpool(start_import, session, ctx.runner, settings, payload, user_id)
        except BaseException:
            await run_in_threadpool(ctx.storage.delete, key)
            raise
        return JobEnvelope(job=JobOut.model_validate(job))
    if not content_type.startswith("application/json"):
        raise UnsupportedMedia(
            "Send a zip archive as multipart/form-data (field 'file'), or JSON {\"path\": ...} naming a "
            "server folder."
        )
    try:
        body = FolderImportIn.model_validate_json(await request.body())
    except pydantic.ValidationError as exc:
        raise validation_failed(exc.errors()) from None
    payload = ImportPayload(
        format=fmt,
        path=body.path,
        dataset_id=body.dataset_id,
        dataset_name=body.dataset_name,
        on_invalid=body.on_invalid or default_on_invalid,
    )
    job = await run_in_threadpool(start_import, session, ctx.runner, settings, payload, user_id)
    return JobEnvelope(job=JobOut.model_validate(job))

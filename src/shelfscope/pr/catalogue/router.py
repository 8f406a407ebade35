"""HTTP route of the catalogue import (mounted under /api/v1/pr): `POST /catalogue/import` answers 202
with the job; the job's result is the report (catalogue.schemas.CatalogueReport)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from shelfscope.auth.deps import WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.errors import UnsupportedMedia, ValidationFailed
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.pr.catalogue.service import accept_catalogue, parse_json_field, start_catalogue_import

router = APIRouter()

_TEXT_FIELDS = ("on_existing", "domain_map", "columns")
_OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["catalogue"],
                    "properties": {
                        "catalogue": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (header with sku and name) or JSON list of products, UTF-8",
                        },
                        "images": {
                            "type": "string",
                            "format": "binary",
                            "description": "optional zip laid out <sku>/<domain>/<file>",
                        },
                        "on_existing": {"type": "string", "enum": ["skip", "update", "fail"]},
                        "domain_map": {
                            "type": "string",
                            "description": 'JSON folder -> domain, e.g. {"studio": "synthetic", '
                            '"store": "real", "shelf": "cutout"}',
                        },
                        "columns": {
                            "type": "string",
                            "description": 'JSON product field -> column, e.g. {"sku": "product_id"}',
                        },
                    },
                }
            }
        },
    }
}


def _options(form: FormData) -> dict[str, Any]:
    text = {k: v for k, v in form.items() if k in _TEXT_FIELDS and isinstance(v, str)}
    options: dict[str, Any] = {
        "domain_map": parse_json_field("domain_map", text.get("domain_map")),
        "columns": parse_json_field("columns", text.get("columns")),
    }
    if text.get("on_existing"):
        options["on_existing"] = text["on_existing"]
    return options


@router.post("/catalogue/import", status_code=202, response_model=JobEnvelope, openapi_extra=_OPENAPI_BODY)
async def import_catalogue(request: Request, ctx: Ctx, session: DbSession, user: WriterUser) -> JobEnvelope:
    """Import products from a CSV or JSON catalogue, with an optional zip of their images, as a job:
    all or nothing, with a report naming every bad row and file."""
    await run_in_threadpool(session.rollback)  # no transaction open while the files arrive
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise UnsupportedMedia(
            "Send the catalogue as multipart/form-data: field 'catalogue' (CSV or JSON), and optionally "
            "'images' (a zip).",
            field="catalogue",
        )
    form = await request.form(max_files=2, max_fields=len(_TEXT_FIELDS) + 2)
    try:
        catalogue = form.get("catalogue")
        if not isinstance(catalogue, UploadFile):
            raise ValidationFailed.field(
                "catalogue", "attach the CSV or JSON file in the multipart field 'catalogue'"
            )
        images = form.get("images")
        if images is not None and not isinstance(images, UploadFile):
            raise ValidationFailed.field("images", "must be a zip file, not a text field")
        payload = await run_in_threadpool(
            accept_catalogue,
            ctx.storage,
            ctx.settings,
            catalogue=catalogue.file,
            upload_name=catalogue.filename or "catalogue.csv",
            images=images.file if images is not None else None,
            images_name=images.filename if images is not None else None,
            options=_options(form),
        )
    finally:
        await form.close()
    job = await run_in_threadpool(start_catalogue_import, session, ctx.runner, ctx.storage, payload, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))

"""HTTP routes of model weights (mounted at /api/v1/ml/models): list, fetch (a job), delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from shelfscope.auth.deps import AdminUser, CurrentUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.weights import service
from shelfscope.weights.schemas import ModelList

router = APIRouter()

ModelKey = Annotated[str, Path(min_length=1, max_length=64, description="A catalogue model key.")]


@router.get("", response_model=ModelList)
def list_models(session: DbSession, ctx: Ctx, user: CurrentUser, include_trained: bool = False) -> ModelList:
    """Every catalogue model with whether its weights are installed, their size and any running fetch;
    `include_trained=true` adds the registry's active models (`trained:<id>`, the default first), as
    the AI auto-annotation picker lists them."""
    return ModelList(items=service.list_models(session, ctx.settings, include_trained=include_trained))


@router.post("/{key}/fetch", status_code=202, response_model=JobEnvelope)
def fetch_model(key: ModelKey, session: DbSession, ctx: Ctx, user: AdminUser) -> JobEnvelope:
    """Download the model's weights from the hub as a job (the running one, if a fetch is under way)."""
    job = service.start_fetch(session, ctx.runner, ctx.settings, key, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.delete("/{key}", status_code=204)
def delete_model(key: ModelKey, ctx: Ctx, user: AdminUser) -> Response:
    service.delete_model(ctx.settings, key)
    return Response(status_code=204)

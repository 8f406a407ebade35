"""HTTP routes of registered embedding models (mounted at /api/v1/pr/models)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id
from shelfscope.pr.trained_models import service
from shelfscope.pr.trained_models.schemas import (
    CompareIn,
    CompareTable,
    ModelIn,
    ModelList,
    ModelOut,
    ModelPatch,
)

router = APIRouter(prefix="/models")


@router.post("", status_code=201, response_model=ModelOut)
def register_model(body: ModelIn, session: DbSession, ctx: Ctx, user: WriterUser) -> ModelOut:
    """A model from a checkpoint; 409 naming `name` when the name is taken. Without a finished
    evaluation of the checkpoint one is queued and the model shows `evaluating`."""
    return service.register_model(session, ctx.runner, ctx.storage, body, user.id)


@router.get("", response_model=ModelList)
def list_models(session: DbSession, user: CurrentUser) -> ModelList:
    return service.list_models(session)


@router.get("/compare", response_model=CompareTable)
def compare_table(ids: str, session: DbSession, user: CurrentUser) -> CompareTable:
    """`ids=1,2`: the models' test metrics aligned, one row per metric with the best model."""
    return service.compare_table(session, service.parse_ids(ids))


@router.post("/compare", status_code=202)
def start_compare(body: CompareIn, session: DbSession, ctx: Ctx, user: WriterUser) -> dict[str, Any]:
    """The visual comparison as a `pr.models.compare` job: its result holds the same queries' top 5
    for every model, and their metrics on one shared gallery."""
    job = service.start_compare(session, ctx.runner, body, user.id)
    return {"job": job.model_dump(mode="json")}


@router.get("/{model_id}", response_model=ModelOut)
def get_model(model_id: Id, session: DbSession, user: CurrentUser) -> ModelOut:
    return service.get_model(session, model_id)


@router.patch("/{model_id}", response_model=ModelOut)
def update_model(model_id: Id, body: ModelPatch, session: DbSession, user: WriterUser) -> ModelOut:
    return service.update_model(session, model_id, body)


@router.delete("/{model_id}", status_code=204, response_class=Response)
def delete_model(model_id: Id, session: DbSession, ctx: Ctx, user: WriterUser) -> Response:
    service.delete_model(session, ctx.storage, model_id, ctx.settings)
    return Response(status_code=204)

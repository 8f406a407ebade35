"""HTTP routes of /api/v1/pr/embeddings: the models extraction can use, collections, and extraction."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id
from shelfscope.pr.embeddings import service
from shelfscope.pr.embeddings.schemas import (
    CollectionList,
    CollectionOut,
    EmbedModelList,
    ExtractIn,
    ExtractOut,
)

router = APIRouter(prefix="/embeddings")


@router.get("/models", response_model=EmbedModelList)
def list_models(session: DbSession, ctx: Ctx, user: CurrentUser) -> EmbedModelList:
    """Registered PR models (newest first), then the stock backbones (`installed` false: fetch first)."""
    return service.list_models(session, ctx.settings)


@router.get("/collections", response_model=CollectionList)
def list_collections(session: DbSession, user: CurrentUser) -> CollectionList:
    return service.list_collections(session)


@router.get("/collections/{collection_id}", response_model=CollectionOut)
def get_collection(collection_id: Id, session: DbSession, user: CurrentUser) -> CollectionOut:
    return service.get_collection(session, collection_id)


@router.delete("/collections/{collection_id}", status_code=204, response_class=Response)
def delete_collection(collection_id: Id, session: DbSession, ctx: Ctx, user: WriterUser) -> Response:
    """Its embeddings and match candidates go with it; 409 while an extraction into it runs."""
    service.delete_collection(session, ctx.settings, collection_id)
    return Response(status_code=204)


@router.post("/extract", status_code=202, response_model=ExtractOut)
def extract(body: ExtractIn, session: DbSession, ctx: Ctx, user: WriterUser) -> ExtractOut:
    """Queue `pr.embeddings.extract` into the model's collection (made when new). 422 naming
    `model.trained_model_id`, `model.backbone` (not installed: the fetch command) or `collection`
    (another embedding size: both sizes); 409 when the collection holds another model's vectors."""
    return service.start_extract(session, ctx.runner, ctx.settings, body, user.id)

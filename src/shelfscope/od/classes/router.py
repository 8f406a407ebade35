"""HTTP routes under /api/v1/od/classes. Creating and editing needs a writer; delete and merge an admin."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from shelfscope.auth.deps import AdminUser, CurrentUser, WriterUser
from shelfscope.deps import DbSession
from shelfscope.ids import Id
from shelfscope.od.classes import delete, history, merge, service
from shelfscope.od.classes.schemas import (
    CategoryOut,
    ChangeAction,
    ClassChangeOut,
    ClassCreate,
    ClassOut,
    ClassUpdate,
    DeletePreview,
    DeleteResult,
    MergeIn,
    MergePreview,
    MergeResult,
)
from shelfscope.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, PageLimit

router = APIRouter()


@router.get("", response_model=Page[ClassOut])
def list_classes(
    session: DbSession,
    user: CurrentUser,
    category: str | None = None,
    q: str | None = Query(default=None, description="Matches name, display name and aliases"),
    dataset_id: Id | None = Query(default=None, description="Count annotations in this dataset only"),
    limit: PageLimit = MAX_LIMIT,
    cursor: str | None = None,
) -> Page[ClassOut]:
    return service.list_classes(
        session, category=category, q=q, dataset_id=dataset_id, limit=limit, cursor=cursor
    )


@router.post("", response_model=ClassOut, status_code=201)
def create_class(body: ClassCreate, session: DbSession, user: WriterUser) -> ClassOut:
    return service.create_class(session, body, user.id)


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(session: DbSession, user: CurrentUser) -> list[CategoryOut]:
    return service.list_categories(session)


@router.get("/changes", response_model=Page[ClassChangeOut])
def list_changes(
    session: DbSession,
    user: CurrentUser,
    action: ChangeAction | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ClassChangeOut]:
    """The audit log of the whole catalogue, newest first."""
    return history.list_changes(session, action=action, limit=limit, cursor=cursor)


@router.post("/merge/preview", response_model=MergePreview)
def merge_preview(body: MergeIn, session: DbSession, user: CurrentUser) -> MergePreview:
    """What a merge would touch; changes nothing."""
    return merge.merge_preview(session, body)


@router.post("/merge", response_model=MergeResult)
def merge_classes(body: MergeIn, session: DbSession, user: AdminUser) -> MergeResult:
    return merge.merge_classes(session, body, user.id)


@router.get("/{class_id}", response_model=ClassOut)
def get_class(class_id: Id, session: DbSession, user: CurrentUser) -> ClassOut:
    return service.get_class(session, class_id)


@router.patch("/{class_id}", response_model=ClassOut)
def update_class(class_id: Id, body: ClassUpdate, session: DbSession, user: WriterUser) -> ClassOut:
    return service.update_class(session, class_id, body, user.id)


@router.get("/{class_id}/delete-preview", response_model=DeletePreview)
def delete_preview(class_id: Id, session: DbSession, user: CurrentUser) -> DeletePreview:
    return delete.delete_preview(session, class_id)


@router.delete("/{class_id}", response_model=DeleteResult)
def delete_class(
    class_id: Id,
    session: DbSession,
    user: AdminUser,
    annotations: Literal["delete"] | None = Query(
        default=None, description="'delete': delete the class's annotations with it"
    ),
    reassign_to: Id | None = Query(default=None, description="Move the class's annotations to this class"),
) -> DeleteResult:
    """409 with counts while annotations use the class, unless annotations=delete or reassign_to is given."""
    return delete.delete_class(
        session, class_id, annotations=annotations, reassign_to=reassign_to, user_id=user.id
    )


@router.get("/{class_id}/history", response_model=Page[ClassChangeOut])
def class_history(
    class_id: Id,
    session: DbSession,
    user: CurrentUser,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ClassChangeOut]:
    return history.class_history(session, class_id, limit=limit, cursor=cursor)

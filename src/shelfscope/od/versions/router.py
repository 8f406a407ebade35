"""HTTP routes of dataset versions (mounted at /api/v1/od/datasets): create (202 + build job), list, get."""

from __future__ import annotations

from fastapi import APIRouter

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Number
from shelfscope.jobs.schemas import JobOut
from shelfscope.od.datasets.deps import DatasetId
from shelfscope.od.versions import service
from shelfscope.od.versions.schemas import VersionCreate, VersionCreated, VersionOut, VersionPage
from shelfscope.pagination import DEFAULT_LIMIT, PageLimit

router = APIRouter()


@router.post("/{dataset_id}/versions", status_code=202, response_model=VersionCreated)
def create_version(
    session: DbSession, ctx: Ctx, user: WriterUser, dataset_id: DatasetId, body: VersionCreate | None = None
) -> VersionCreated:
    """Snapshot the dataset now (images, annotations, class mapping) with a train/val/test split."""
    job, version = service.create_version(session, ctx.runner, dataset_id, body or VersionCreate(), user.id)
    return VersionCreated(job=JobOut.model_validate(job), version=version)


@router.get("/{dataset_id}/versions", response_model=VersionPage)
def list_versions(
    session: DbSession,
    user: CurrentUser,
    dataset_id: DatasetId,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> VersionPage:
    """Newest first, with their counts per split and class."""
    return service.list_versions(session, dataset_id, limit=limit, cursor=cursor)


@router.get("/{dataset_id}/versions/{number}", response_model=VersionOut)
def get_version(number: Number, session: DbSession, user: CurrentUser, dataset_id: DatasetId) -> VersionOut:
    return service.get_version(session, dataset_id, number)

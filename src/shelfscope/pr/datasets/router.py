"""HTTP routes of product recognition's datasets (mounted under /api/v1/pr): PR datasets, their stats
and frozen versions. Viewers read; annotators and admins write; deleting a dataset or a version
(frozen lists a training run may have used) is an admin's."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from shelfscope.auth.deps import AdminUser, CurrentUser, WriterUser
from shelfscope.deps import DbSession
from shelfscope.ids import Id
from shelfscope.pagination import DEFAULT_LIMIT, Page, PageLimit
from shelfscope.pr.datasets import service
from shelfscope.pr.datasets.schemas import (
    PrDatasetCreate,
    PrDatasetOut,
    PrDatasetStats,
    PrDatasetUpdate,
    PrVersionCreate,
    PrVersionImageOut,
    PrVersionList,
    PrVersionOut,
)

router = APIRouter(prefix="/datasets")


@router.get("", response_model=Page[PrDatasetOut])
def list_datasets(
    session: DbSession,
    user: CurrentUser,
    q: str | None = Query(default=None, max_length=200, description="Case-insensitive part of the name"),
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[PrDatasetOut]:
    return service.list_datasets(session, q=q, limit=limit, cursor=cursor)


@router.post("", response_model=PrDatasetOut, status_code=201)
def create_dataset(body: PrDatasetCreate, session: DbSession, user: WriterUser) -> PrDatasetOut:
    """Every product, products with a matched cutout, or a selection (ids and/or brand, category,
    status); which image domains count; the minimum of counted images a product needs."""
    return service.create_dataset(session, body, user.id)


@router.get("/{dataset_id}", response_model=PrDatasetOut)
def get_dataset(dataset_id: Id, session: DbSession, user: CurrentUser) -> PrDatasetOut:
    return service.get_dataset(session, dataset_id)


@router.patch("/{dataset_id}", response_model=PrDatasetOut)
def update_dataset(
    dataset_id: Id, body: PrDatasetUpdate, session: DbSession, user: WriterUser
) -> PrDatasetOut:
    return service.update_dataset(session, dataset_id, body)


@router.delete("/{dataset_id}", status_code=204)
def delete_dataset(dataset_id: Id, session: DbSession, user: AdminUser) -> Response:
    """The dataset and its versions; products and their images stay."""
    service.delete_dataset(session, dataset_id)
    return Response(status_code=204)


@router.get("/{dataset_id}/stats", response_model=PrDatasetStats)
def dataset_stats(dataset_id: Id, session: DbSession, user: CurrentUser) -> PrDatasetStats:
    """Included products and counted images (per domain), the images-per-product distribution, and
    the excluded products (the first 500, fewest images first)."""
    return service.dataset_stats(session, dataset_id)


@router.post("/{dataset_id}/versions", response_model=PrVersionOut, status_code=201)
def create_version(
    dataset_id: Id, session: DbSession, user: WriterUser, body: PrVersionCreate | None = None
) -> PrVersionOut:
    """Freeze the product and image lists now (what a training run records it used)."""
    return service.create_version(session, dataset_id, body or PrVersionCreate(), user.id)


@router.get("/{dataset_id}/versions", response_model=PrVersionList)
def list_versions(dataset_id: Id, session: DbSession, user: CurrentUser) -> PrVersionList:
    return service.list_versions(session, dataset_id)


@router.get("/{dataset_id}/versions/{version_id}", response_model=PrVersionOut)
def get_version(dataset_id: Id, version_id: Id, session: DbSession, user: CurrentUser) -> PrVersionOut:
    return service.get_version(session, dataset_id, version_id)


@router.get("/{dataset_id}/versions/{version_id}/images", response_model=Page[PrVersionImageOut])
def list_version_images(
    dataset_id: Id,
    version_id: Id,
    session: DbSession,
    user: CurrentUser,
    product_id: Id | None = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[PrVersionImageOut]:
    return service.list_version_images(
        session, dataset_id, version_id, product_id=product_id, limit=limit, cursor=cursor
    )


@router.delete("/{dataset_id}/versions/{version_id}", status_code=204)
def delete_version(dataset_id: Id, version_id: Id, session: DbSession, user: AdminUser) -> Response:
    service.delete_version(session, dataset_id, version_id)
    return Response(status_code=204)

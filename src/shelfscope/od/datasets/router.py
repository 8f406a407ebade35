"""HTTP routes under /api/v1/od/datasets. Reading needs a signed-in user, changing a writer; deleting a
dataset or taking images out of one (their annotations go with them) an admin (README: Roles)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from shelfscope.auth.deps import AdminUser, CurrentUser, WriterUser
from shelfscope.deps import DbSession
from shelfscope.ids import Id
from shelfscope.od.datasets import label_set, members, service
from shelfscope.od.datasets.deps import DatasetId
from shelfscope.od.datasets.schemas import (
    AddImagesIn,
    AddImagesOut,
    BulkImagesOut,
    BulkImagesPatch,
    DatasetCreate,
    DatasetImageOut,
    DatasetImagePatch,
    DatasetOut,
    DatasetStats,
    DatasetUpdate,
    LabelSetIn,
    LabelSetOut,
    RemoveImagesIn,
    RemoveImagesOut,
)
from shelfscope.od.vocabulary import ImageStatus
from shelfscope.pagination import DEFAULT_LIMIT, Page, PageLimit

router = APIRouter()


@router.get("", response_model=Page[DatasetOut])
def list_datasets(
    session: DbSession,
    user: CurrentUser,
    q: str | None = Query(default=None, description="Case-insensitive part of the name"),
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[DatasetOut]:
    return service.list_datasets(session, q=q, limit=limit, cursor=cursor)


@router.post("", response_model=DatasetOut, status_code=201)
def create_dataset(body: DatasetCreate, session: DbSession, user: WriterUser) -> DatasetOut:
    return service.create_dataset(session, body, user.id)


@router.get("/{dataset_id}", response_model=DatasetOut)
def get_dataset(session: DbSession, user: CurrentUser, dataset_id: DatasetId) -> DatasetOut:
    return service.get_dataset(session, dataset_id)


@router.patch("/{dataset_id}", response_model=DatasetOut)
def update_dataset(
    body: DatasetUpdate, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> DatasetOut:
    return service.update_dataset(session, dataset_id, body)


@router.delete("/{dataset_id}", status_code=204)
def delete_dataset(session: DbSession, user: AdminUser, dataset_id: DatasetId) -> Response:
    """Deletes the dataset with its annotations and versions; the images stay in the library."""
    service.delete_dataset(session, dataset_id)
    return Response(status_code=204)


@router.get("/{dataset_id}/stats", response_model=DatasetStats)
def dataset_stats(session: DbSession, user: CurrentUser, dataset_id: DatasetId) -> DatasetStats:
    return service.dataset_stats(session, dataset_id)


@router.get("/{dataset_id}/images", response_model=Page[DatasetImageOut])
def list_images(
    session: DbSession,
    user: CurrentUser,
    dataset_id: DatasetId,
    status: list[ImageStatus] | None = Query(default=None, description="Repeat for several"),
    split: Literal["train", "val", "test", "none"] | None = None,
    q: str | None = Query(default=None, max_length=200, description="Part of the file name"),
    with_boxes: bool = Query(default=False, description="Add each image's first boxes for its thumbnail"),
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[DatasetImageOut]:
    return service.list_images(
        session,
        dataset_id,
        statuses=status or (),
        split=split,
        q=q.strip() or None if q else None,
        with_boxes=with_boxes,
        limit=limit,
        cursor=cursor,
    )


@router.post("/{dataset_id}/images/bulk", response_model=BulkImagesOut)
def bulk_update_images(
    body: BulkImagesPatch, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> BulkImagesOut:
    """Sets the status and/or split of several images of the dataset."""
    return members.bulk_update(session, dataset_id, body)


@router.post("/{dataset_id}/images", response_model=AddImagesOut)
def add_images(
    body: AddImagesIn, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> AddImagesOut:
    """Body: {"image_ids": [...]} or {"filter": {...library filters...}}; images already in the
    dataset are counted as already_present."""
    return service.add_images(session, dataset_id, body)


@router.post("/{dataset_id}/images/remove", response_model=RemoveImagesOut)
def remove_images(
    body: RemoveImagesIn, session: DbSession, user: AdminUser, dataset_id: DatasetId
) -> RemoveImagesOut:
    return service.remove_images(session, dataset_id, body.image_ids)


@router.delete("/{dataset_id}/images/{image_id}", status_code=204)
def remove_image(image_id: Id, session: DbSession, user: AdminUser, dataset_id: DatasetId) -> Response:
    service.remove_image(session, dataset_id, image_id)
    return Response(status_code=204)


@router.patch("/{dataset_id}/images/{image_id}", response_model=DatasetImageOut)
def update_image(
    image_id: Id, body: DatasetImagePatch, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> DatasetImageOut:
    return service.update_image(session, dataset_id, image_id, body)


# --- label set -------------------------------------------------------------------------------------


@router.get("/{dataset_id}/classes", response_model=LabelSetOut)
def get_label_set(session: DbSession, user: CurrentUser, dataset_id: DatasetId) -> LabelSetOut:
    """The dataset's classes in order (number keys 1-9 go to the first nine): the stored order, then
    classes its annotations use that the order does not place yet, by name."""
    return label_set.get_label_set(session, dataset_id)


@router.put("/{dataset_id}/classes", response_model=LabelSetOut)
def set_label_set(
    body: LabelSetIn, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> LabelSetOut:
    """Body: {"class_ids": [...]}, the whole order; it replaces the stored one. A class left out that
    annotations of the dataset still use stays in the set, after the ordered ones."""
    return label_set.set_label_set(session, dataset_id, body)

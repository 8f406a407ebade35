"""HTTP routes of the annotation API (mounted at /api/v1/od): the editor's load/save, CRUD, bulk, navigation.

`{image_id}` in these routes is the library image id, as in the dataset routes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from shelfscope.auth.deps import AdminUser, CurrentUser, WriterUser
from shelfscope.deps import DbSession
from shelfscope.ids import Id
from shelfscope.od.annotations import bulk, editor, navigation, service
from shelfscope.od.annotations.schemas import (
    AnnotationCreate,
    AnnotationDeleted,
    AnnotationPatch,
    AnnotationWritten,
    BulkDeleteIn,
    BulkDeleteOut,
    BulkIn,
    BulkOut,
    DatasetImageState,
    ImageAnnotations,
    Neighbors,
    NextImage,
    SaveIn,
    SaveOut,
    StatusIn,
)
from shelfscope.od.datasets.deps import DatasetId

router = APIRouter()

_IMAGE = "/datasets/{dataset_id}/images/{image_id}"
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "base_revision is stale; the body's `current` holds the image's state now"}
}


@router.get(f"{_IMAGE}/annotations", response_model=ImageAnnotations)
def get_image_annotations(
    image_id: Id, session: DbSession, user: CurrentUser, dataset_id: DatasetId
) -> ImageAnnotations:
    """Everything the editor needs to open an image: the image, its membership state and its annotations."""
    return service.get_image_annotations(session, dataset_id, image_id)


@router.put(f"{_IMAGE}/annotations", response_model=SaveOut, responses=_CONFLICT)
def save_image_annotations(
    image_id: Id, body: SaveIn, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> SaveOut:
    """The editor save: created/updated/deleted applied together, or 409 when base_revision is stale."""
    return editor.save_image_annotations(session, dataset_id, image_id, body, user.id)


@router.post(f"{_IMAGE}/annotations", response_model=AnnotationWritten, status_code=201)
def create_annotation(
    image_id: Id, body: AnnotationCreate, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> AnnotationWritten:
    return service.create_annotation(session, dataset_id, image_id, body, user.id)


@router.post(f"{_IMAGE}/status", response_model=DatasetImageState)
def set_image_status(
    image_id: Id, body: StatusIn, session: DbSession, user: WriterUser, dataset_id: DatasetId
) -> DatasetImageState:
    """Mark an image new, in progress, completed or skipped; its annotation count is recounted."""
    return service.set_status(session, dataset_id, image_id, body.status)


@router.get(f"{_IMAGE}/neighbors", response_model=Neighbors)
def image_neighbors(image_id: Id, session: DbSession, user: CurrentUser, dataset_id: DatasetId) -> Neighbors:
    return navigation.neighbors(session, dataset_id, image_id)


@router.get("/datasets/{dataset_id}/annotate/next", response_model=NextImage)
def next_to_annotate(session: DbSession, user: CurrentUser, dataset_id: DatasetId) -> NextImage:
    """The first image still new or in progress: where annotating this dataset continues."""
    return navigation.next_to_annotate(session, dataset_id)


# The bulk routes come before /annotations/{annotation_id} so "bulk" is never read as an id.
@router.post("/annotations/bulk", response_model=BulkOut)
def bulk_write(body: BulkIn, session: DbSession, user: WriterUser) -> BulkOut:
    """Create (no id) and update (with id) many annotations of one dataset, all or nothing."""
    return bulk.bulk_write(session, body, user.id)


@router.delete("/annotations/bulk", response_model=BulkDeleteOut)
def bulk_delete(body: BulkDeleteIn, session: DbSession, user: AdminUser) -> BulkDeleteOut:
    """Delete annotations by id; ids already gone are listed in not_found, so a retry succeeds."""
    return bulk.bulk_delete(session, body)


@router.post("/annotations/bulk-delete", response_model=BulkDeleteOut)
def bulk_delete_post(body: BulkDeleteIn, session: DbSession, user: AdminUser) -> BulkDeleteOut:
    """The same as DELETE /annotations/bulk, for clients that cannot send a body with DELETE."""
    return bulk.bulk_delete(session, body)


@router.patch("/annotations/{annotation_id}", response_model=AnnotationWritten)
def update_annotation(
    annotation_id: Id, body: AnnotationPatch, session: DbSession, user: WriterUser
) -> AnnotationWritten:
    return service.update_annotation(session, annotation_id, body)


@router.delete("/annotations/{annotation_id}", response_model=AnnotationDeleted)
def delete_annotation(annotation_id: Id, session: DbSession, user: WriterUser) -> AnnotationDeleted:
    return service.delete_annotation(session, annotation_id)

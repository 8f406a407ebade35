"""Reading the library: the filter other features reuse (add every match to a dataset), keyset
pages in any sort order, and the folder and tag facets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from shelfscope.db.dialect import contains_ignore_case, is_postgres, like_escape
from shelfscope.errors import ValidationFailed
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image, ImageTag
from shelfscope.od.images.schemas import FacetCount, ImageFacets, ImageFilters, ImageOut, SortField, SortOrder
from shelfscope.od.images.service import images_out
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor


def image_filter_conditions(filters: ImageFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses on `Image` for the filters; every one is an index lookup or a correlated EXISTS
    so the planner can walk a sort index and stop after one page."""
    where: list[ColumnElement[bool]] = []
    if filters.source is not None:
        where.append(Image.source == filters.source)
    if filters.folder is not None:
        if filters.folder_prefix:
            below = like_escape(filters.folder) + "/%"
            where.append(or_(Image.folder == filters.folder, Image.folder.like(below, escape="\\")))
        else:
            where.append(Image.folder == filters.folder)
    for tag in filters.tags:
        # One EXISTS per tag: "has all of them", each a primary-key probe of (image_id, tag).
        where.append(exists().where(ImageTag.image_id == Image.id, ImageTag.tag == tag))
    if filters.dataset_id is not None:
        where.append(
            exists().where(DatasetImage.dataset_id == filters.dataset_id, DatasetImage.image_id == Image.id)
        )
    if filters.not_in_dataset_id is not None:
        where.append(
            ~exists().where(
                DatasetImage.dataset_id == filters.not_in_dataset_id, DatasetImage.image_id == Image.id
            )
        )
    if filters.has_annotations is not None:
        annotated = exists().where(
            DatasetImage.image_id == Image.id, Annotation.dataset_image_id == DatasetImage.id
        )
        where.append(annotated if filters.has_annotations else ~annotated)
    if filters.q:
        # ILIKE: PostgreSQL answers it from the pg_trgm GIN index; SQLite's LIKE is already
        # case-insensitive (ASCII) and scans the narrow (created_at, id) or (filename, id) index.
        where.append(contains_ignore_case(Image.filename, filters.q))
    return where


def image_filter_query(filters: ImageFilters) -> Select[int]:
    """Ids of the library images matching `filters` (unordered). Use it as a subquery or an
    INSERT ... SELECT source, e.g. adding every matching image to a dataset in one statement."""
    return select(Image.id).where(*image_filter_conditions(filters))


_SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "created_at": Image.created_at,
    "filename": Image.filename,
    "size": Image.size_bytes,
}


def _cursor_value(sort: SortField, raw: Any) -> Any:
    try:
        if sort == "created_at":
            value = datetime.fromisoformat(str(raw))
            if value.tzinfo is None:
                raise ValueError("naive")
            return value
        if sort == "size":
            return int(raw)
        if not isinstance(raw, str):
            raise ValueError("not a name")
        return raw
    except (TypeError, ValueError):
        raise ValidationFailed.field("cursor", "is not a cursor this API returned") from None


# SQLite has no trigram index (FTS5 would be a virtual table outside the migrated schema). A substring
# search either walks the sort index testing each row, fast when matches are common, or scans the
# narrow (filename, id) index, fast when they are rare. The scan runs first and stops after this many
# matches: a short result becomes an id list for the page query; a long one means matches are common,
# and walking the sort index finds a page of them within a few thousand rows.
SQLITE_SEARCH_ID_LIMIT = 2000


def _sqlite_search_ids(session: Session, q: str) -> list[int] | None:
    query = (
        select(Image.id)
        .with_hint(Image, "INDEXED BY ix_od_images_filename_id", "sqlite")
        .where(contains_ignore_case(Image.filename, q))
        .limit(SQLITE_SEARCH_ID_LIMIT + 1)
    )
    ids = list(session.scalars(query))
    return ids if len(ids) <= SQLITE_SEARCH_ID_LIMIT else None


def _list_conditions(session: Session, filters: ImageFilters) -> list[ColumnElement[bool]]:
    if filters.q and not is_postgres(session):
        ids = _sqlite_search_ids(session, filters.q)
        if ids is not None:
            return [*image_filter_conditions(filters.model_copy(update={"q": None})), Image.id.in_(ids)]
    return image_filter_conditions(filters)


def list_images(
    session: Session,
    filters: ImageFilters,
    *,
    sort: SortField = "created_at",
    order: SortOrder = "desc",
    limit: int = 50,
    cursor: str | None = None,
    with_total: bool = False,
) -> Page[ImageOut]:
    """One page by keyset on (sort column, id): page 1,000 costs what page 1 costs. The count is only
    taken when asked for, since it is the one part that grows with the library."""
    check_limit(limit)
    column = _SORT_COLUMNS[sort]
    where = _list_conditions(session, filters)
    query = select(Image).where(*where)
    if cursor:
        cur_sort, cur_order, raw, last_id = decode_cursor(cursor, 4)
        if (cur_sort, cur_order) != (sort, order) or not isinstance(last_id, int):
            raise ValidationFailed.field("cursor", "belongs to another sort order; start from the first page")
        key = tuple_(column, Image.id)
        bound = tuple_(literal(_cursor_value(sort, raw), column.type), literal(last_id, Image.id.type))
        query = query.where(key < bound if order == "desc" else key > bound)
    ordering = (column.desc(), Image.id.desc()) if order == "desc" else (column.asc(), Image.id.asc())
    rows = list(session.scalars(query.order_by(*ordering).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        value = {
            "created_at": last.created_at.isoformat(),
            "filename": last.filename,
            "size": last.size_bytes,
        }
        next_cursor = encode_cursor([sort, order, value[sort], last.id])
    total = None
    if with_total:
        total = session.scalar(select(func.count()).select_from(Image).where(*where)) or 0
    return Page[ImageOut](items=images_out(session, rows), next_cursor=next_cursor, total=total)


def facets(session: Session, limit: int = 200) -> ImageFacets:
    """Folders and tags in use, most used first: two grouped scans of narrow indexes."""
    folder_rows = session.execute(
        select(Image.folder, func.count())
        .where(Image.folder.is_not(None))
        .group_by(Image.folder)
        .order_by(func.count().desc(), Image.folder)
        .limit(limit)
    ).all()
    tag_rows = session.execute(
        select(ImageTag.tag, func.count())
        .group_by(ImageTag.tag)
        .order_by(func.count().desc(), ImageTag.tag)
        .limit(limit)
    ).all()
    return ImageFacets(
        folders=[FacetCount(value=str(folder), images=int(n)) for folder, n in folder_rows],
        tags=[FacetCount(value=str(tag), images=int(n)) for tag, n in tag_rows],
    )

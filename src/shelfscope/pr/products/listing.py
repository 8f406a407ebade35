"""Reading the catalogue: product pages by keyset in every sort the list offers (page 1,000 costs
what page 1 costs, at 100,000 products), the brand and category facets, and the response shapes with
each product's cover image (two queries a page, never one per product)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, String, func, literal, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from shelfscope.db.dialect import contains_ignore_case, id_in, is_postgres, like_escape
from shelfscope.errors import ValidationFailed
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor
from shelfscope.pr.products.images import count_column
from shelfscope.pr.products.models import DOMAINS, Product, ProductImage
from shelfscope.pr.products.schemas import (
    DomainCounts,
    FacetCount,
    ProductFacets,
    ProductFilters,
    ProductImageOut,
    ProductOut,
    SortField,
    SortOrder,
)

# Each sort walks its own index: (created_at, id), (name, id), sku (unique), (brand, id), (image_count, id).
_SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "created_at": Product.created_at,
    "name": Product.name,
    "sku": Product.sku,
    "brand": Product.brand,
    "image_count": Product.image_count,
}
# Products without a brand come last in both orders (SQLite and PostgreSQL disagree on where NULLs sort,
# so they are a second segment read by id, not left to the database).
_NULLABLE = frozenset({"brand"})
# The cover shown for a product: a packshot when it has one, else the first image of the next domain.
_COVER_PRIORITY = {domain: rank for rank, domain in enumerate(DOMAINS)}


def _contains(session: Session, column: ColumnElement[str], q: str) -> ColumnElement[bool]:
    if is_postgres(session):
        # No trigram index serves this table, so the search reads every row: PostgreSQL's lower() then
        # LIKE takes half the time of ILIKE (measured at 100,000 products, bench/pr_products_bench.py).
        pattern = literal(f"%{like_escape(q)}%", String())
        return func.lower(column).like(func.lower(pattern), escape="\\")
    return contains_ignore_case(column, q)


def search_condition(session: Session, q: str) -> ColumnElement[bool]:
    """A case-insensitive part of the SKU, name, barcode or brand (NULLs simply do not match)."""
    return or_(
        *(
            _contains(session, cast(ColumnElement[str], column), q)
            for column in (Product.sku, Product.name, Product.barcode, Product.brand)
        )
    )


def product_conditions(session: Session, filters: ProductFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses on `Product`; the domain and size filters read the counters kept on the row."""
    where: list[ColumnElement[bool]] = []
    if filters.q:
        where.append(search_condition(session, filters.q))
    if filters.brand is not None:
        where.append(Product.brand == filters.brand)
    if filters.category is not None:
        where.append(Product.category == filters.category)
    if filters.status is not None:
        where.append(Product.status == filters.status)
    if filters.has_domain is not None:
        where.append(count_column(filters.has_domain) > 0)
    if filters.missing_domain is not None:
        where.append(count_column(filters.missing_domain) == 0)
    if filters.min_images_below is not None:
        where.append(Product.image_count < filters.min_images_below)
    return where


@dataclass(frozen=True)
class _After:
    """Where the previous page ended: its last row's sort value and id, and the first page's total."""

    value: Any
    last_id: int
    total: int | None


def _cursor_value(sort: str, raw: Any) -> Any:
    try:
        if raw is None and sort in _NULLABLE:
            return None
        if sort == "created_at":
            value = datetime.fromisoformat(str(raw))
            if value.tzinfo is None:
                raise ValueError("naive")
            return value
        if sort == "image_count":
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise ValueError("not a count")
            return raw
        if not isinstance(raw, str):
            raise ValueError("not a name")
        return raw
    except (TypeError, ValueError):
        raise ValidationFailed.field("cursor", "is not a cursor this API returned") from None


def _decode(cursor: str, sort: str, order: str) -> _After:
    cur_sort, cur_order, total, raw, last_id = decode_cursor(cursor, 5)
    if (cur_sort, cur_order) != (sort, order):
        raise ValidationFailed.field("cursor", "belongs to another sort order; start from the first page")
    if total is not None and (not isinstance(total, int) or isinstance(total, bool) or total < 0):
        raise ValidationFailed.field("cursor", "is not a cursor this API returned")
    return _After(_cursor_value(sort, raw), last_id, total)


def _encode(sort: str, order: str, total: int | None, last: Product) -> str:
    value = getattr(last, sort)
    if isinstance(value, datetime):
        value = value.isoformat()
    return encode_cursor([sort, order, total, value, last.id])


def _bound(sort: str, order: str, after: _After) -> ColumnElement[bool]:
    """Rows past the cursor among rows whose sort value is not NULL."""
    column = _SORT_COLUMNS[sort]
    if sort == "sku":  # unique: the value alone orders, and the plain sku index serves it
        value = literal(after.value, column.type)
        return column < value if order == "desc" else column > value
    key = tuple_(column, Product.id)
    bound = tuple_(literal(after.value, column.type), literal(after.last_id, Product.id.type))
    return key < bound if order == "desc" else key > bound


def _ordered(query: Select[Product], sort: str, order: str) -> Select[Product]:
    column = _SORT_COLUMNS[sort]
    if sort == "sku":
        return query.order_by(column.desc() if order == "desc" else column.asc())
    if order == "desc":
        return query.order_by(column.desc(), Product.id.desc())
    return query.order_by(column.asc(), Product.id.asc())


def _page_rows(
    session: Session,
    where: list[ColumnElement[bool]],
    sort: str,
    order: str,
    after: _After | None,
    want: int,
) -> list[Product]:
    column = _SORT_COLUMNS[sort]
    rows: list[Product] = []
    if after is None or after.value is not None:
        query = select(Product).where(*where)
        if sort in _NULLABLE:
            query = query.where(column.is_not(None))
        if after is not None:
            query = query.where(_bound(sort, order, after))
        rows = list(session.scalars(_ordered(query, sort, order).limit(want)))
    if sort in _NULLABLE and len(rows) < want:
        # The products without a value, by id in the same direction.
        query = select(Product).where(*where, column.is_(None))
        if after is not None and after.value is None:
            query = query.where(Product.id < after.last_id if order == "desc" else Product.id > after.last_id)
        ordering = Product.id.desc() if order == "desc" else Product.id.asc()
        rows += session.scalars(query.order_by(ordering).limit(want - len(rows)))
    return rows


# A substring search has no index to use (no trigram index in the schema): it reads every row once.
# It runs first, on its own, and stops after this many matches. A short result (the usual search for
# one SKU or name) becomes an id list that the page and the count then read by primary key, so the
# table is scanned once instead of twice; a long one means matches are common, and walking the sort
# index finds a page of them after a few rows.
SEARCH_ID_LIMIT = 2000


def _list_conditions(session: Session, filters: ProductFilters) -> list[ColumnElement[bool]]:
    if filters.q:
        query = select(Product.id).where(search_condition(session, filters.q)).limit(SEARCH_ID_LIMIT + 1)
        ids = list(session.scalars(query))
        if len(ids) <= SEARCH_ID_LIMIT:
            rest = product_conditions(session, filters.model_copy(update={"q": None}))
            return [*rest, id_in(session, Product.id, ids)]
    return product_conditions(session, filters)


def count_products(session: Session, where: Sequence[ColumnElement[bool]]) -> int:
    return int(session.scalar(select(func.count()).select_from(Product).where(*where)) or 0)


def list_products(
    session: Session,
    filters: ProductFilters,
    *,
    sort: SortField = "created_at",
    order: SortOrder = "desc",
    limit: int = 50,
    cursor: str | None = None,
) -> Page[ProductOut]:
    """One page by keyset. `total` is counted for the first page and carried in the cursor to the next
    ones, so paging through 100,000 products counts them once."""
    check_limit(limit)
    where = _list_conditions(session, filters)
    after = _decode(cursor, sort, order) if cursor else None
    rows = _page_rows(session, where, sort, order, after, limit + 1)
    total = after.total if after is not None else count_products(session, where)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(sort, order, total, rows[-1])
    return Page[ProductOut](items=products_out(session, rows), next_cursor=next_cursor, total=total)


def facets(session: Session, limit: int = 200) -> ProductFacets:
    """Brands and categories in use, most used first (each a grouped scan of its narrow index)."""

    def counted(column: InstrumentedAttribute[str | None]) -> list[FacetCount]:
        rows = session.execute(
            select(column, func.count())
            .where(column.is_not(None))
            .group_by(column)
            .order_by(func.count().desc(), column)
            .limit(limit)
        ).all()
        return [FacetCount(value=str(value), count=int(n)) for value, n in rows]

    return ProductFacets(brands=counted(Product.brand), categories=counted(Product.category))


# ---- response shapes -------------------------------------------------------------------------------------


def image_out(image: ProductImage) -> ProductImageOut:
    return ProductImageOut(
        id=image.id,
        product_id=image.product_id,
        domain=image.domain,
        source=image.source,
        filename=image.filename,
        width=image.width,
        height=image.height,
        format=image.format,
        size_bytes=image.size_bytes,
        video_id=image.video_id,
        frame_index=image.frame_index,
        frame_time_s=image.frame_time_s,
        cutout_id=image.cutout_id,
        created_at=image.created_at,
    )


def cover_images(session: Session, product_ids: Sequence[int]) -> dict[int, ProductImage]:
    """Each product's cover: the first image of its first domain in DOMAINS order. One grouped query
    over the (product_id, domain, id) index, then one for the chosen rows."""
    if not product_ids:
        return {}
    firsts = session.execute(
        select(ProductImage.product_id, ProductImage.domain, func.min(ProductImage.id))
        .where(ProductImage.product_id.in_(list(product_ids)))
        .group_by(ProductImage.product_id, ProductImage.domain)
    ).all()
    chosen: dict[int, tuple[int, int]] = {}
    for product_id, domain, image_id in firsts:
        rank = (_COVER_PRIORITY.get(domain, len(DOMAINS)), int(image_id))
        if product_id not in chosen or rank < chosen[product_id]:
            chosen[product_id] = rank
    ids = [image_id for _, image_id in chosen.values()]
    if not ids:
        return {}
    images = session.scalars(select(ProductImage).where(ProductImage.id.in_(ids)))
    return {image.product_id: image for image in images}


def product_out(product: Product, cover: ProductImage | None) -> ProductOut:
    return ProductOut(
        id=product.id,
        sku=product.sku,
        barcode=product.barcode,
        name=product.name,
        brand=product.brand,
        category=product.category,
        attributes=product.attributes or {},
        status=product.status,
        image_count=product.image_count,
        domain_counts=DomainCounts(
            synthetic=product.synthetic_count,
            real=product.real_count,
            augmented=product.augmented_count,
            cutout=product.cutout_count,
        ),
        cover_image=image_out(cover) if cover is not None else None,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def products_out(session: Session, products: Sequence[Product]) -> list[ProductOut]:
    covers = cover_images(session, [p.id for p in products])
    return [product_out(p, covers.get(p.id)) for p in products]

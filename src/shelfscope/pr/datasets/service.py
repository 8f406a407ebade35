"""PR datasets: named sets of products and which of their images count (members.py says which), their
stats, and versions that freeze the product and image lists in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelfscope.db.dialect import for_update, id_in
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor, newest_first_after
from shelfscope.pr.datasets import members
from shelfscope.pr.datasets.members import Definition
from shelfscope.pr.datasets.models import PrDataset, PrDatasetVersion, PrVersionImage
from shelfscope.pr.datasets.schemas import (
    MAX_EXCLUDED_LISTED,
    DistributionPoint,
    ExcludedProduct,
    PrDatasetCreate,
    PrDatasetOut,
    PrDatasetStats,
    PrDatasetUpdate,
    PrVersionCreate,
    PrVersionImageOut,
    PrVersionList,
    PrVersionOut,
    Selection,
)
from shelfscope.pr.products.models import Product


def dataset_not_found(dataset_id: int) -> NotFound:
    return NotFound(f"There is no PR dataset with id {dataset_id}.", dataset_id=dataset_id)


def require_dataset(session: Session, dataset_id: int, *, lock: bool = False) -> PrDataset:
    query = select(PrDataset).where(PrDataset.id == dataset_id)
    found = session.scalars(for_update(query, session) if lock else query).one_or_none()
    if found is None:
        raise dataset_not_found(dataset_id)
    return found


def definition(dataset: PrDataset) -> Definition:
    return Definition(
        source=dataset.source,
        selection=dict(dataset.selection or {}),
        domains=list(dataset.domains or []),
        min_images=dataset.min_images_per_product,
    )


# --- reading -----------------------------------------------------------------------------------------


def _version_count(session: Session, dataset_id: int) -> int:
    stmt = select(func.count()).select_from(PrDatasetVersion).where(PrDatasetVersion.dataset_id == dataset_id)
    return int(session.scalar(stmt) or 0)


def dataset_out(session: Session, dataset: PrDataset) -> PrDatasetOut:
    counted = members.summary(session, definition(dataset))
    return PrDatasetOut(
        id=dataset.id,
        name=dataset.name,
        description=dataset.description,
        source=dataset.source,
        selection=dict(dataset.selection or {}),
        domains=list(dataset.domains or []),
        min_images_per_product=dataset.min_images_per_product,
        product_count=counted.products,
        image_count=counted.images,
        excluded_count=counted.excluded,
        version_count=_version_count(session, dataset.id),
        created_by=dataset.created_by,
        created_at=dataset.created_at,
        updated_at=dataset.updated_at,
    )


def get_dataset(session: Session, dataset_id: int) -> PrDatasetOut:
    return dataset_out(session, require_dataset(session, dataset_id))


def list_datasets(
    session: Session, *, q: str | None = None, limit: int = 50, cursor: str | None = None
) -> Page[PrDatasetOut]:
    """Newest first, each with its product, image and excluded counts as they are now."""
    check_limit(limit)
    where: list[ColumnElement[bool]] = []
    if q and q.strip():
        where.append(func.lower(PrDataset.name).contains(q.strip().lower(), autoescape=True))
    stmt = select(PrDataset).where(*where).order_by(PrDataset.created_at.desc(), PrDataset.id.desc())
    if cursor:
        stmt = stmt.where(newest_first_after(cursor, PrDataset.created_at, PrDataset.id))
    rows = list(session.scalars(stmt.limit(limit + 1)))
    total = session.scalar(select(func.count()).select_from(PrDataset).where(*where)) or 0
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit and page:
        next_cursor = encode_cursor([page[-1].created_at.isoformat(), page[-1].id])
    return Page(items=[dataset_out(session, d) for d in page], next_cursor=next_cursor, total=int(total))


def dataset_stats(session: Session, dataset_id: int) -> PrDatasetStats:
    dataset = require_dataset(session, dataset_id)
    rule = definition(dataset)
    counted = members.summary(session, rule)
    excluded = members.excluded(session, rule, MAX_EXCLUDED_LISTED)
    return PrDatasetStats(
        dataset_id=dataset.id,
        products=counted.products,
        images=counted.images,
        domains=members.domain_counts(session, rule),
        distribution=[
            DistributionPoint(images=k, products=n) for k, n in members.distribution(session, rule)
        ],
        min_images_per_product=dataset.min_images_per_product,
        excluded=[ExcludedProduct(product_id=i, sku=s, name=n, images=k) for i, s, n, k in excluded],
        excluded_count=counted.excluded,
    )


# --- writing -----------------------------------------------------------------------------------------


def _check_name(session: Session, name: str, dataset_id: int | None = None) -> None:
    stmt = select(PrDataset.id).where(func.lower(PrDataset.name) == name.lower())
    if dataset_id is not None:
        stmt = stmt.where(PrDataset.id != dataset_id)
    taken = session.scalar(stmt.limit(1))
    if taken is not None:
        raise _name_taken(name, taken)


def _name_taken(name: str, taken: int | None) -> Conflict:
    return Conflict(
        f"A PR dataset named {name!r} exists already; choose another name.",
        field="name",
        fields=[{"field": "name", "message": "is taken by another PR dataset"}],
        dataset_id=taken,
    )


def _check_selection(session: Session, source: str, selection: Selection) -> dict[str, Any]:
    """The selection as stored: refused when empty with source `selection`, or given with another
    source; listed products must exist."""
    if source != "selection":
        if not selection.is_empty():
            raise ValidationFailed.field(
                "selection", f"is only taken with source 'selection', not '{source}'"
            )
        return {}
    if selection.is_empty():
        raise ValidationFailed.field(
            "selection", "list product_ids and/or give a brand, category or status to select by"
        )
    stored = selection.stored()
    ids = stored.get("product_ids")
    if ids:
        found = set(session.scalars(select(Product.id).where(id_in(session, Product.id, ids))))
        missing = [i for i in ids if i not in found]
        if missing:
            listed = ", ".join(str(i) for i in missing[:20])
            raise ValidationFailed(
                f"selection.product_ids: no product with id {listed}; nothing was stored.",
                field="selection.product_ids",
                fields=[{"field": "selection.product_ids", "message": f"no product with id {listed}"}],
                missing_ids=missing,
            )
    return stored


def _commit_named(session: Session, name: str) -> None:
    try:
        session.commit()
    except IntegrityError:
        # Another request took the name between the check and the commit.
        session.rollback()
        raise _name_taken(name, None) from None


def create_dataset(session: Session, body: PrDatasetCreate, user_id: int | None) -> PrDatasetOut:
    _check_name(session, body.name)
    dataset = PrDataset(
        name=body.name,
        description=body.description,
        source=body.source,
        selection=_check_selection(session, body.source, body.selection),
        domains=list(body.domains),
        min_images_per_product=body.min_images_per_product,
        created_by=user_id,
    )
    session.add(dataset)
    _commit_named(session, body.name)
    return get_dataset(session, dataset.id)


def update_dataset(session: Session, dataset_id: int, body: PrDatasetUpdate) -> PrDatasetOut:
    dataset = require_dataset(session, dataset_id, lock=True)
    fields = body.model_fields_set
    if "name" in fields and body.name is not None:
        _check_name(session, body.name, dataset_id)
        dataset.name = body.name
    if "description" in fields and body.description is not None:
        dataset.description = body.description
    if fields & {"source", "selection"}:
        source = body.source if "source" in fields and body.source else dataset.source
        given = body.selection if "selection" in fields and body.selection is not None else None
        if given is None:
            # A new source keeps the stored selection only where it still applies.
            given = (
                Selection.model_validate(dataset.selection or {}) if source == "selection" else Selection()
            )
        dataset.selection = _check_selection(session, source, given)
        dataset.source = source
    if "domains" in fields and body.domains is not None:
        dataset.domains = list(body.domains)
    if "min_images_per_product" in fields and body.min_images_per_product is not None:
        dataset.min_images_per_product = body.min_images_per_product
    _commit_named(session, dataset.name)
    return get_dataset(session, dataset_id)


def delete_dataset(session: Session, dataset_id: int) -> None:
    """The dataset and its versions (their frozen rows go with them); products and images stay."""
    require_dataset(session, dataset_id, lock=True)
    session.execute(delete(PrDataset).where(PrDataset.id == dataset_id))
    session.commit()


# --- versions ----------------------------------------------------------------------------------------


def _version_out(version: PrDatasetVersion) -> PrVersionOut:
    return PrVersionOut(
        id=version.id,
        dataset_id=version.dataset_id,
        number=version.number,
        name=version.name,
        config=dict(version.config or {}),
        counts=dict(version.counts or {}),
        created_by=version.created_by,
        created_at=version.created_at,
    )


def create_version(
    session: Session, dataset_id: int, body: PrVersionCreate, user_id: int | None
) -> PrVersionOut:
    """Freeze the included products' counted images now: the version row, its counts and its image
    rows (one INSERT ... SELECT) commit together, with the dataset locked so numbers never clash."""
    dataset = require_dataset(session, dataset_id, lock=True)
    rule = definition(dataset)
    counted = members.summary(session, rule)
    last = session.scalar(
        select(func.max(PrDatasetVersion.number)).where(PrDatasetVersion.dataset_id == dataset_id)
    )
    number = int(last or 0) + 1
    version = PrDatasetVersion(
        dataset_id=dataset_id,
        number=number,
        name=body.name or f"v{number}",
        config=rule.config(),
        counts=counted.as_counts(members.domain_counts(session, rule)),
        created_by=user_id,
    )
    session.add(version)
    session.flush()
    columns = ["version_id", "product_image_id", "product_id", "domain"]
    session.execute(insert(PrVersionImage).from_select(columns, members.frozen_images(rule, version.id)))
    session.commit()
    return _version_out(version)


def require_version(session: Session, dataset_id: int, version_id: int) -> PrDatasetVersion:
    version = session.get(PrDatasetVersion, version_id)
    if version is None or version.dataset_id != dataset_id:
        raise NotFound(
            f"PR dataset {dataset_id} has no version with id {version_id}.",
            dataset_id=dataset_id,
            version_id=version_id,
        )
    return version


def list_versions(session: Session, dataset_id: int) -> PrVersionList:
    require_dataset(session, dataset_id)
    rows = session.scalars(
        select(PrDatasetVersion)
        .where(PrDatasetVersion.dataset_id == dataset_id)
        .order_by(PrDatasetVersion.number.desc())
    )
    return PrVersionList(items=[_version_out(v) for v in rows])


def get_version(session: Session, dataset_id: int, version_id: int) -> PrVersionOut:
    require_dataset(session, dataset_id)
    return _version_out(require_version(session, dataset_id, version_id))


def list_version_images(
    session: Session,
    dataset_id: int,
    version_id: int,
    *,
    product_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[PrVersionImageOut]:
    """The frozen rows in the order they were frozen; `total` counts them (with the filter)."""
    check_limit(limit)
    require_dataset(session, dataset_id)
    require_version(session, dataset_id, version_id)
    where = [PrVersionImage.version_id == version_id]
    if product_id is not None:
        where.append(PrVersionImage.product_id == product_id)
    stmt = select(PrVersionImage).where(*where).order_by(PrVersionImage.id).limit(limit + 1)
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        stmt = stmt.where(PrVersionImage.id > int(last_id))
    rows = list(session.scalars(stmt))
    total = session.scalar(select(func.count()).select_from(PrVersionImage).where(*where)) or 0
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1].id]) if len(rows) > limit and page else None
    items = [
        PrVersionImageOut(product_image_id=r.product_image_id, product_id=r.product_id, domain=r.domain)
        for r in page
    ]
    return Page(items=items, next_cursor=next_cursor, total=int(total))


def delete_version(session: Session, dataset_id: int, version_id: int) -> None:
    """The version and its frozen rows (its images stay with their products)."""
    require_dataset(session, dataset_id, lock=True)
    require_version(session, dataset_id, version_id)
    session.execute(delete(PrDatasetVersion).where(PrDatasetVersion.id == version_id))
    session.commit()

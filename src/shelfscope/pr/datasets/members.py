"""Which products a PR dataset holds and which of their images count, as SQL (set-based: the same
statements at 50 products and at 100,000).

Candidates are the products the source names (every product, those with a matched cutout, or a
selection). An image counts when its domain is one of the dataset's; counts come from
pr_product_images grouped by product (the product counters cannot answer for an arbitrary set of
domains). A candidate with at least `min_images_per_product` counted images is included, else it is
excluded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session

from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.products.models import Product, ProductImage


@dataclass(frozen=True)
class Definition:
    """What decides a dataset's members (a dataset row's fields, or a version's frozen config)."""

    source: str
    selection: dict[str, Any]
    domains: Sequence[str]
    min_images: int

    def config(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "selection": dict(self.selection),
            "domains": list(self.domains),
            "min_images_per_product": self.min_images,
        }


def _candidate_filters(definition: Definition) -> list[ColumnElement[bool]]:
    if definition.source == "matched_products":
        matched = exists().where(Cutout.product_id == Product.id, Cutout.state == "matched")
        return [matched]
    if definition.source != "selection":
        return []
    selection = definition.selection
    where: list[ColumnElement[bool]] = []
    if selection.get("product_ids") is not None:
        where.append(Product.id.in_(list(selection["product_ids"])))
    for name in ("brand", "category", "status"):
        if selection.get(name):
            where.append(getattr(Product, name) == selection[name])
    # An empty selection holds nothing (the service refuses to store one).
    return where or [literal(False)]


def _counts(definition: Definition) -> Subquery:
    return (
        select(ProductImage.product_id, func.count().label("images"))
        .where(ProductImage.domain.in_(list(definition.domains)))
        .group_by(ProductImage.product_id)
        .subquery("counted")
    )


def per_product(definition: Definition) -> Subquery:
    """(product_id, sku, name, images) for every candidate; `images` counted, 0 when none."""
    counts = _counts(definition)
    return (
        select(
            Product.id.label("product_id"),
            Product.sku,
            Product.name,
            func.coalesce(counts.c.images, 0).label("images"),
        )
        .outerjoin(counts, counts.c.product_id == Product.id)
        .where(*_candidate_filters(definition))
        .subquery("members")
    )


@dataclass(frozen=True)
class Summary:
    products: int
    images: int
    excluded: int

    def as_counts(self, domains: dict[str, int]) -> dict[str, Any]:
        return {
            "products": self.products,
            "images": self.images,
            "domains": domains,
            "excluded": self.excluded,
        }


def summary(session: Session, definition: Definition) -> Summary:
    members = per_product(definition)
    included = members.c.images >= definition.min_images
    row = session.execute(
        select(
            func.coalesce(func.sum(case((included, 1), else_=0)), 0),
            func.coalesce(func.sum(case((included, members.c.images), else_=0)), 0),
            func.coalesce(func.sum(case((included, 0), else_=1)), 0),
        )
    ).one()
    return Summary(int(row[0]), int(row[1]), int(row[2]))


def included_ids(definition: Definition) -> Select[tuple[int]]:
    members = per_product(definition)
    return select(members.c.product_id).where(members.c.images >= definition.min_images)


def domain_counts(session: Session, definition: Definition) -> dict[str, int]:
    """Counted images of the included products, per domain (every chosen domain listed, 0 included)."""
    rows = session.execute(
        select(ProductImage.domain, func.count())
        .where(
            and_(
                ProductImage.domain.in_(list(definition.domains)),
                ProductImage.product_id.in_(included_ids(definition).scalar_subquery()),
            )
        )
        .group_by(ProductImage.domain)
    )
    found = {str(d): int(n) for d, n in rows}
    return {d: found.get(d, 0) for d in definition.domains}


def distribution(session: Session, definition: Definition) -> list[tuple[int, int]]:
    members = per_product(definition)
    rows = session.execute(
        select(members.c.images, func.count()).group_by(members.c.images).order_by(members.c.images)
    )
    return [(int(k), int(n)) for k, n in rows]


def excluded(session: Session, definition: Definition, limit: int) -> list[tuple[int, str, str, int]]:
    """The excluded candidates with the fewest counted images first (then by SKU)."""
    members = per_product(definition)
    rows = session.execute(
        select(members.c.product_id, members.c.sku, members.c.name, members.c.images)
        .where(members.c.images < definition.min_images)
        .order_by(members.c.images, members.c.sku)
        .limit(limit)
    )
    return [(int(i), str(s), str(n), int(k)) for i, s, n, k in rows]


def frozen_images(definition: Definition, version_id: int) -> Select[int, int, int, str]:
    """The rows a version freezes: every counted image of every included product."""
    return select(literal(version_id), ProductImage.id, ProductImage.product_id, ProductImage.domain).where(
        ProductImage.domain.in_(list(definition.domains)),
        ProductImage.product_id.in_(included_ids(definition).scalar_subquery()),
    )

"""PR dataset fixtures: a catalogue written straight into pr_products / pr_product_images (the dataset
rules only read rows), and the shared products set stored through the products part's own function."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.pr.datasets.models import PrDataset, PrDatasetVersion, PrVersionImage
from shelfscope.pr.products.images import add_product_image
from shelfscope.pr.products.models import Product, ProductImage

# How the shared set's folders map to domains (the issue: studio packshots, store photos, shelf crops).
DOMAIN_MAP = {"studio": "synthetic", "store": "real", "shelf": "cutout"}

Spec = Mapping[str, Mapping[str, int]]


def write_catalogue(ctx: AppContext, spec: Spec, **fields: Any) -> dict[str, int]:
    """Products by SKU with `n` image rows per domain ({"SKU": {"real": 3}}); returns {sku: id}."""
    ids = {}
    with ctx.db.write() as session:
        for sku, domains in spec.items():
            counts = {f"{d}_count": n for d, n in domains.items()}
            product = Product(
                sku=sku, name=f"Product {sku}", image_count=sum(domains.values()), **counts, **fields
            )
            session.add(product)
            session.flush()
            ids[sku] = product.id
            for domain, n in domains.items():
                for _ in range(n):
                    token = uuid.uuid4().hex
                    session.add(
                        ProductImage(
                            product_id=product.id,
                            domain=domain,
                            source="upload",
                            storage_key=f"pr_images/{token[:2]}/{token}.jpg",
                            filename=f"{sku}-{domain}.jpg",
                            content_hash=token * 2,
                            width=10,
                            height=10,
                            format="JPEG",
                            size_bytes=100,
                        )
                    )
    return ids


@pytest.fixture
def catalogue(ctx: AppContext) -> Callable[..., dict[str, int]]:
    def write(spec: Spec, **fields: Any) -> dict[str, int]:
        return write_catalogue(ctx, spec, **fields)

    return write


def store_shared_products(ctx: AppContext, shared_data: Path, names: list[str]) -> dict[str, int]:
    """The named products of ../shared/data/products with all their photos, through add_product_image."""
    root = shared_data / "products"
    ids = {}
    with ctx.db.writer() as session:
        for name in names:
            product = Product(sku=name, name=name.split("_", 1)[1].replace("-", " "))
            session.add(product)
            session.flush()
            ids[name] = product.id
            for folder, domain in DOMAIN_MAP.items():
                for path in (
                    sorted((root / name / folder).glob("*")) if (root / name / folder).is_dir() else []
                ):
                    with path.open("rb") as stream:
                        add_product_image(
                            session,
                            ctx.storage,
                            ctx.settings,
                            product_id=product.id,
                            stream=stream,
                            filename=path.name,
                            domain=domain,
                            source="import",
                            created_by=None,
                        )
        session.commit()
    return ids


def stored_state(ctx: AppContext) -> tuple[Any, ...]:
    """Every PR dataset, version and frozen row: what a refused request must leave as it was."""
    with ctx.db.read() as session:
        datasets = [
            (d.id, d.name, d.source, d.selection, d.domains, d.min_images_per_product, d.updated_at)
            for d in session.scalars(select(PrDataset).order_by(PrDataset.id))
        ]
        versions = [
            (v.id, v.number) for v in session.scalars(select(PrDatasetVersion).order_by(PrDatasetVersion.id))
        ]
        frozen = session.scalar(select(func.count()).select_from(PrVersionImage))
    return datasets, versions, frozen

"""Product catalogue fixtures: tight upload limits, real product photos from the shared data, and
what is stored (to assert that bad input changed nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.pr.products.models import Product, ProductImage
from tests.support.images import MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES

MILK = "gsd_Arla-Medium-Fat-Milk"
JUICE = "gsd_Bravo-Apple-Juice"
CRACKERS = "grozi_005"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "max_upload_bytes": MAX_UPLOAD_BYTES,
            "max_image_pixels": MAX_IMAGE_PIXELS,
            "thumbnail_size": 64,
        }
    )


@dataclass(frozen=True)
class Photos:
    """The shared products set: <product>/<studio|store|shelf>/<file>."""

    root: Path

    def of(self, product: str, domain: str) -> list[Path]:
        return sorted((self.root / product / domain).iterdir())

    def one(self, product: str = MILK, domain: str = "store", index: int = 0) -> Path:
        return self.of(product, domain)[index]


@pytest.fixture
def photos(shared_data: Path) -> Photos:
    return Photos(shared_data / "products")


@dataclass(frozen=True)
class Catalogue:
    """What the database and storage hold, read outside the code under test."""

    ctx: AppContext

    def add(self, sku: str, name: str | None = None, **fields: object) -> int:
        with self.ctx.db.write() as session:
            product = Product(sku=sku, name=name or sku, **fields)
            session.add(product)
            session.flush()
            return product.id

    def counters(self, product_id: int) -> dict[str, int]:
        with self.ctx.db.read() as session:
            p = session.get(Product, product_id)
            assert p is not None
            return {
                "images": p.image_count,
                "synthetic": p.synthetic_count,
                "real": p.real_count,
                "augmented": p.augmented_count,
                "cutout": p.cutout_count,
            }

    def image_count(self) -> int:
        with self.ctx.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(ProductImage)) or 0)

    def product_count(self) -> int:
        with self.ctx.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(Product)) or 0)

    def stored_keys(self) -> list[str]:
        return sorted(self.ctx.storage.iter_keys("pr_"))


@pytest.fixture
def catalogue(ctx: AppContext) -> Catalogue:
    return Catalogue(ctx)

"""Product video fixtures: a product to upload to, videos made with PyAV from real photos of the shared
products set, and what is stored (to assert that bad input changed nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.pr.products.models import Product, ProductImage, ProductVideo
from tests.support.products_set import make_video


@pytest.fixture
def settings(settings: Settings, shared_data: Path) -> Settings:
    return settings.model_copy(update={"thumbnail_size": 64, "max_video_bytes": 5_000_000})


@dataclass(frozen=True)
class Shelf:
    """What the database and storage hold, read outside the code under test."""

    ctx: AppContext

    def product(self, sku: str = "gsd_Arla-Medium-Fat-Milk") -> int:
        with self.ctx.db.write() as session:
            product = Product(sku=sku, name=sku.replace("-", " "))
            session.add(product)
            session.flush()
            return product.id

    def frames(self, video_id: int | None = None) -> list[ProductImage]:
        with self.ctx.db.read() as session:
            query = select(ProductImage).order_by(ProductImage.frame_index)
            if video_id is not None:
                query = query.where(ProductImage.video_id == video_id)
            return list(session.scalars(query))

    def counts(self) -> dict[str, int]:
        with self.ctx.db.read() as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in (("videos", ProductVideo), ("images", ProductImage), ("jobs", Job))
            }

    def stored(self) -> list[str]:
        return sorted(self.ctx.storage.iter_keys())

    def assert_nothing_stored(self) -> None:
        assert self.counts() == {"videos": 0, "images": 0, "jobs": 0}
        assert self.stored() == []


@pytest.fixture
def shelf(ctx: AppContext) -> Shelf:
    return Shelf(ctx)


@pytest.fixture
def video(tmp_path: Path) -> Callable[..., Path]:
    """make_video into the test's temporary folder: video("clip.mp4", seconds=3, fps=10)."""

    def make(name: str = "clip.mp4", **options: Any) -> Path:
        return make_video(tmp_path / name, **options)

    return make


def upload(client: TestClient, product_id: int, path: Path, name: str | None = None, **form: Any) -> Any:
    with path.open("rb") as f:
        return client.post(
            f"/api/v1/pr/products/{product_id}/videos",
            files={"file": (name or path.name, f, "application/octet-stream")},
            data={k: str(v) for k, v in form.items()},
        )

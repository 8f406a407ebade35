"""Catalogue import fixtures: small thumbnails, the loopback image server allowed for URL tests, what
is stored (to assert that bad input changed nothing), and the request that starts an import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.pr.products.models import Product, ProductImage
from tests.support.dataset_files import run_job
from tests.support.images import ImageServer


@pytest.fixture(scope="session")
def _image_server() -> Iterator[ImageServer]:
    server = ImageServer()
    yield server
    server.close()


@pytest.fixture
def image_server(_image_server: ImageServer) -> Iterator[ImageServer]:
    _image_server.reset()
    yield _image_server
    _image_server.reset()


@pytest.fixture
def settings(settings: Settings, shared_data: Path, _image_server: ImageServer) -> Settings:
    return settings.model_copy(
        update={"thumbnail_size": 64, "url_fetch_allow_hosts": [f"127.0.0.1:{_image_server.port}"]}
    )


@dataclass(frozen=True)
class Store:
    """What the database and storage hold, read outside the code under test."""

    ctx: AppContext

    def counts(self) -> dict[str, int]:
        with self.ctx.db.read() as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in (("products", Product), ("images", ProductImage))
            }

    def products(self) -> dict[str, Product]:
        with self.ctx.db.read() as session:
            return {p.sku: p for p in session.scalars(select(Product))}

    def images(self) -> list[ProductImage]:
        with self.ctx.db.read() as session:
            return list(session.scalars(select(ProductImage).order_by(ProductImage.id)))

    def stored(self) -> list[str]:
        return sorted(self.ctx.storage.iter_keys())

    def jobs(self) -> int:
        with self.ctx.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(Job)) or 0)

    def assert_nothing_stored(self) -> None:
        assert self.counts() == {"products": 0, "images": 0}
        assert self.stored() == []


@pytest.fixture
def store(ctx: AppContext) -> Store:
    return Store(ctx)


def post_import(
    client: TestClient,
    catalogue: bytes,
    name: str = "products.csv",
    images: bytes | None = None,
    **form: Any,
) -> Any:
    files: dict[str, tuple[str, bytes, str]] = {"catalogue": (name, catalogue, "text/csv")}
    if images is not None:
        files["images"] = ("images.zip", images, "application/zip")
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in form.items()}
    return client.post("/api/v1/pr/catalogue/import", files=files, data=data)


def import_job(client: TestClient, ctx: AppContext, catalogue: bytes, **kwargs: Any) -> Job:
    """Start an import, run its job here, and return the ended job."""
    response = post_import(client, catalogue, **kwargs)
    assert response.status_code == 202, response.text
    assert response.json()["job"]["kind"] == "pr.catalogue.import"
    return run_job(ctx, response.json()["job"]["id"])

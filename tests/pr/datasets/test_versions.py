"""Freezing a PR dataset: a version records exactly which products and images it held, and keeps them
while the catalogue changes; the products part refuses to delete a frozen image unless forced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.pr.products.models import ProductImage
from tests.pr.datasets.conftest import write_catalogue

Catalogue = Callable[..., dict[str, int]]
URL = "/api/v1/pr/datasets"


def _images(ctx: AppContext, product_ids: list[int], domains: list[str]) -> set[tuple[int, int, str]]:
    with ctx.db.read() as session:
        rows = session.execute(
            select(ProductImage.id, ProductImage.product_id, ProductImage.domain).where(
                ProductImage.product_id.in_(product_ids), ProductImage.domain.in_(domains)
            )
        )
        return {(int(i), int(p), str(d)) for i, p, d in rows}


def _all_frozen(client: TestClient, dataset_id: int, version_id: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 4, **params, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{URL}/{dataset_id}/versions/{version_id}/images", params=query).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_a_version_freezes_the_included_products_counted_images(
    client: TestClient, ctx: AppContext, catalogue: Catalogue
) -> None:
    ids = catalogue({"A": {"real": 5, "synthetic": 1}, "B": {"real": 2, "cutout": 4}, "C": {"real": 1}})
    dataset = client.post(
        URL, json={"name": "Set", "domains": ["real", "cutout"], "min_images_per_product": 3}
    ).json()
    made = client.post(f"{URL}/{dataset['id']}/versions", json={"name": "for run 1"})
    assert made.status_code == 201, made.text
    version = made.json()
    assert version["number"] == 1 and version["name"] == "for run 1"
    assert version["config"] == {
        "source": "all_products",
        "selection": {},
        "domains": ["real", "cutout"],
        "min_images_per_product": 3,
    }
    assert version["counts"] == {
        "products": 2,
        "images": 11,
        "domains": {"real": 7, "cutout": 4},
        "excluded": 1,
    }
    frozen = _all_frozen(client, dataset["id"], version["id"])
    expected = _images(ctx, [ids["A"], ids["B"]], ["real", "cutout"])
    assert {(f["product_image_id"], f["product_id"], f["domain"]) for f in frozen} == expected
    only_b = _all_frozen(client, dataset["id"], version["id"], product_id=ids["B"])
    assert len(only_b) == 6 and {f["product_id"] for f in only_b} == {ids["B"]}
    total = client.get(f"{URL}/{dataset['id']}/versions/{version['id']}/images").json()["total"]
    assert total == 11


def test_a_version_does_not_change_when_the_catalogue_does(
    client: TestClient, ctx: AppContext, catalogue: Catalogue
) -> None:
    catalogue({"A": {"real": 3}})
    dataset = client.post(URL, json={"name": "Set"}).json()
    first = client.post(f"{URL}/{dataset['id']}/versions").json()
    write_catalogue(ctx, {"B": {"real": 4}})
    second = client.post(f"{URL}/{dataset['id']}/versions", json={}).json()
    assert (first["number"], first["name"], second["number"], second["name"]) == (1, "v1", 2, "v2")
    assert first["counts"]["images"] == 3 and second["counts"]["images"] == 7
    assert len(_all_frozen(client, dataset["id"], first["id"])) == 3
    listed = client.get(f"{URL}/{dataset['id']}/versions").json()["items"]
    assert [v["number"] for v in listed] == [2, 1]
    assert client.get(f"{URL}/{dataset['id']}").json()["version_count"] == 2
    assert client.get(f"{URL}/{dataset['id']}/versions/{first['id']}").json() == first


def test_a_frozen_image_cannot_be_deleted_unless_forced(
    client: TestClient, ctx: AppContext, catalogue: Catalogue
) -> None:
    from shelfscope.errors import Conflict
    from shelfscope.pr.products.images import remove_product_images

    ids = catalogue({"A": {"real": 2}})
    dataset = client.post(URL, json={"name": "Set"}).json()
    version = client.post(f"{URL}/{dataset['id']}/versions").json()
    image_ids = [i for i, _, _ in _images(ctx, [ids["A"]], ["real"])]
    with ctx.db.writer() as session, pytest.raises(Conflict) as refused:
        remove_product_images(session, ctx.storage, image_ids, force=False)
    assert refused.value.extra["versions"][0]["version_id"] == version["id"]
    assert len(_all_frozen(client, dataset["id"], version["id"])) == 2


def test_deleting_a_version_and_a_dataset_keeps_the_products_images(
    client: TestClient, ctx: AppContext, catalogue: Catalogue
) -> None:
    ids = catalogue({"A": {"real": 2}})
    dataset = client.post(URL, json={"name": "Set"}).json()
    first = client.post(f"{URL}/{dataset['id']}/versions").json()
    second = client.post(f"{URL}/{dataset['id']}/versions").json()
    assert client.delete(f"{URL}/{dataset['id']}/versions/{first['id']}").status_code == 204
    assert client.get(f"{URL}/{dataset['id']}/versions/{first['id']}").status_code == 404
    assert [v["id"] for v in client.get(f"{URL}/{dataset['id']}/versions").json()["items"]] == [second["id"]]
    assert client.delete(f"{URL}/{dataset['id']}").status_code == 204
    assert client.get(f"{URL}/{dataset['id']}/versions/{second['id']}").status_code == 404
    assert len(_images(ctx, [ids["A"]], ["real"])) == 2

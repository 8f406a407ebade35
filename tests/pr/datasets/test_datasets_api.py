"""PR datasets over HTTP: the three sources, which domains count, the minimum of images per product,
the stats behind the charts and the excluded list, and the CRUD around them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from shelfscope.pr.cutouts.models import Cutout
from tests.support.seed import make_images

Catalogue = Callable[..., dict[str, int]]
URL = "/api/v1/pr/datasets"


def _create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(URL, json={"name": "Set", **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_every_product_counts_its_images_in_the_chosen_domains(
    client: TestClient, catalogue: Catalogue
) -> None:
    catalogue(
        {
            "A": {"synthetic": 1, "real": 6},
            "B": {"synthetic": 2, "real": 2, "cutout": 3},
            "C": {"augmented": 9},
            "D": {},
        }
    )
    out = _create(client, domains=["real", "synthetic"], min_images_per_product=4)
    assert out["source"] == "all_products" and out["domains"] == ["synthetic", "real"]
    # A: 7 counted, B: 4, C: 0, D: 0.
    assert (out["product_count"], out["image_count"], out["excluded_count"]) == (2, 11, 2)
    stats = client.get(f"{URL}/{out['id']}/stats").json()
    assert stats["products"] == 2 and stats["images"] == 11
    assert stats["domains"] == {"synthetic": 3, "real": 8}
    assert stats["distribution"] == [
        {"images": 0, "products": 2},
        {"images": 4, "products": 1},
        {"images": 7, "products": 1},
    ]
    assert [(e["sku"], e["images"]) for e in stats["excluded"]] == [("C", 0), ("D", 0)]
    assert stats["excluded_count"] == 2


def test_every_domain_counts_by_default_and_a_minimum_of_zero_keeps_everyone(
    client: TestClient, catalogue: Catalogue
) -> None:
    catalogue({"A": {"synthetic": 1, "real": 6}, "C": {"augmented": 9}, "D": {}})
    out = _create(client, min_images_per_product=0)
    assert out["domains"] == ["synthetic", "real", "augmented", "cutout"]
    assert (out["product_count"], out["image_count"], out["excluded_count"]) == (3, 16, 0)


def test_matched_products_are_those_with_a_matched_cutout(
    client: TestClient, ctx: AppContext, catalogue: Catalogue
) -> None:
    ids = catalogue({"A": {"real": 2}, "B": {"real": 3}, "C": {"real": 4}})
    (image_id,) = make_images(ctx, 1)
    with ctx.db.write() as session:
        for n, (state, sku) in enumerate((("matched", "A"), ("rejected", "B"), ("matched", "A"))):
            product = ids[sku] if state == "matched" else None
            session.add(
                Cutout(
                    image_id=image_id,
                    source="manual",
                    x1=n,
                    y1=0,
                    x2=n + 5,
                    y2=5,
                    storage_key=f"cutouts/00/{n}.jpg",
                    width=5,
                    height=5,
                    state=state,
                    product_id=product,
                )
            )
    out = _create(client, source="matched_products")
    assert (out["product_count"], out["image_count"], out["excluded_count"]) == (1, 2, 0)


def test_a_selection_by_ids_and_by_brand_category_and_status(
    client: TestClient, catalogue: Catalogue
) -> None:
    ids = catalogue({"A": {"real": 2}, "B": {"real": 3}}, brand="Arla", category="Milk")
    ids |= catalogue({"C": {"real": 4}}, brand="Arla", category="Juice", status="draft")
    ids |= catalogue({"D": {"real": 5}}, brand="Bravo", category="Juice")
    picked = _create(
        client, name="Picked", source="selection", selection={"product_ids": [ids["D"], ids["A"]]}
    )
    assert picked["selection"] == {"product_ids": sorted([ids["A"], ids["D"]])}
    assert (picked["product_count"], picked["image_count"]) == (2, 7)
    arla = _create(client, name="Arla", source="selection", selection={"brand": "Arla"})
    assert (arla["product_count"], arla["image_count"]) == (3, 9)
    juice = _create(
        client, name="Juice", source="selection", selection={"category": "Juice", "status": "active"}
    )
    assert (juice["product_count"], juice["image_count"]) == (1, 5)
    both = _create(
        client,
        name="Both",
        source="selection",
        selection={"product_ids": [ids["A"], ids["D"]], "brand": "Arla"},
    )
    assert both["product_count"] == 1


def test_create_read_list_update_and_delete(
    client: TestClient, annotator_client: TestClient, catalogue: Catalogue
) -> None:
    catalogue({"A": {"real": 6}, "B": {"real": 2}})
    made = annotator_client.post(
        URL, json={"name": "Shelf SKUs", "description": "first", "min_images_per_product": 5}
    )
    assert made.status_code == 201, made.text
    dataset = made.json()
    assert (dataset["product_count"], dataset["excluded_count"], dataset["version_count"]) == (1, 1, 0)
    assert client.get(f"{URL}/{dataset['id']}").json() == dataset
    _create(client, name="Other")
    listed = client.get(URL, params={"q": "shelf"}).json()
    assert listed["total"] == 1 and [d["id"] for d in listed["items"]] == [dataset["id"]]
    pages = client.get(URL, params={"limit": 1}).json()
    assert pages["total"] == 2 and pages["next_cursor"]
    second = client.get(URL, params={"limit": 1, "cursor": pages["next_cursor"]}).json()
    assert {pages["items"][0]["id"], second["items"][0]["id"]} == {dataset["id"], dataset["id"] + 1}
    changed = annotator_client.patch(
        f"{URL}/{dataset['id']}",
        json={"name": "Shelf SKUs v2", "min_images_per_product": 1, "domains": ["real"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Shelf SKUs v2" and changed.json()["product_count"] == 2
    assert changed.json()["description"] == "first"
    # Renaming to its own name in another case is not a clash with itself.
    assert annotator_client.patch(f"{URL}/{dataset['id']}", json={"name": "SHELF SKUS V2"}).status_code == 200
    to_selection = client.patch(
        f"{URL}/{dataset['id']}", json={"source": "selection", "selection": {"brand": "X"}}
    )
    assert to_selection.json()["product_count"] == 0
    back = client.patch(f"{URL}/{dataset['id']}", json={"source": "all_products"})
    assert back.json()["selection"] == {} and back.json()["product_count"] == 2
    assert client.delete(f"{URL}/{dataset['id']}").status_code == 204
    assert client.get(f"{URL}/{dataset['id']}").status_code == 404
    assert client.get(URL).json()["total"] == 1


def test_the_excluded_list_stops_at_500_but_the_count_does_not(
    client: TestClient, catalogue: Catalogue
) -> None:
    catalogue({f"SKU-{i:04d}": {"real": 1} for i in range(520)})
    out = _create(client, min_images_per_product=2)
    stats = client.get(f"{URL}/{out['id']}/stats").json()
    assert stats["excluded_count"] == 520 and len(stats["excluded"]) == 500
    assert stats["excluded"][0]["sku"] == "SKU-0000"
    assert stats["distribution"] == [{"images": 1, "products": 520}]

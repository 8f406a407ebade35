"""The catalogue API: creating, editing, listing (filters, every sort, keyset pages, total), facets and
deleting products; every bad input answers the error shape naming the field and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from shelfscope.context import AppContext
from shelfscope.od.images.models import Image
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.datasets.models import PrDataset, PrDatasetVersion, PrVersionImage
from shelfscope.pr.products import listing
from shelfscope.pr.products.models import Product
from tests.pr.products.conftest import JUICE, MILK, Catalogue, Photos

URL = "/api/v1/pr/products"


def create(client: TestClient, **body: Any) -> Any:
    return client.post(URL, json=body)


def test_create_get_and_patch_a_product(client: TestClient) -> None:
    response = create(
        client,
        sku=" ARLA-1 ",
        name="Arla  Medium Fat Milk",
        barcode="7310865004703",
        brand="Arla",
        category="Milk",
        attributes={"volume_ml": 1000, "organic": False},
    )
    assert response.status_code == 201, response.text
    product = response.json()
    assert product["sku"] == "ARLA-1" and product["name"] == "Arla Medium Fat Milk"
    assert product["status"] == "active" and product["attributes"] == {"volume_ml": 1000, "organic": False}
    assert product["image_count"] == 0 and product["cover_image"] is None
    assert product["domain_counts"] == {"synthetic": 0, "real": 0, "augmented": 0, "cutout": 0}
    assert client.get(f"{URL}/{product['id']}").json() == product

    patched = client.patch(
        f"{URL}/{product['id']}", json={"brand": None, "status": "archived", "name": "Milk"}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["brand"], body["status"], body["name"], body["sku"]) == (None, "archived", "Milk", "ARLA-1")


@pytest.mark.parametrize("field", ["sku", "barcode"])
def test_a_duplicate_sku_or_barcode_is_409_naming_the_field_and_stores_nothing(
    client: TestClient, catalogue: Catalogue, field: str
) -> None:
    assert create(client, sku="A", name="a", barcode="111").status_code == 201
    second = {"sku": "B", "name": "b", "barcode": "222", field: "A" if field == "sku" else "111"}
    response = client.post(URL, json=second)
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "Conflict" and body["field"] == field and body["detail"]
    assert catalogue.product_count() == 1


def test_a_patch_to_a_taken_sku_is_409_and_changes_nothing(client: TestClient) -> None:
    create(client, sku="A", name="a")
    b = create(client, sku="B", name="b").json()
    response = client.patch(f"{URL}/{b['id']}", json={"sku": "A", "name": "changed"})
    assert response.status_code == 409 and response.json()["field"] == "sku"
    assert client.get(f"{URL}/{b['id']}").json()["name"] == "b"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sku": "A", "name": "  "}, "name"),
        ({"sku": "", "name": "a"}, "sku"),
        ({"sku": "A", "name": "a", "barcode": "73 10"}, "barcode"),
        ({"sku": "A", "name": "a", "status": "gone"}, "status"),
        ({"sku": "A", "name": "a", "colour": "red"}, "colour"),
        ({"sku": "A", "name": "a", "attributes": {"x": "y" * 20_000}}, "attributes"),
        ({"sku": "A\u202e", "name": "a"}, "sku"),
        ({"name": "a"}, "sku"),
    ],
)
def test_a_bad_field_is_422_naming_it_and_stores_nothing(
    client: TestClient, catalogue: Catalogue, body: dict[str, Any], field: str
) -> None:
    response = client.post(URL, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "ValidationFailed"
    assert [f["field"] for f in response.json()["fields"]] == [field]
    assert catalogue.product_count() == 0


def test_a_null_for_a_required_field_in_a_patch_is_422(client: TestClient) -> None:
    product = create(client, sku="A", name="a").json()
    response = client.patch(f"{URL}/{product['id']}", json={"name": None})
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "name"


def test_viewers_read_but_never_write(
    client: TestClient, viewer_client: TestClient, catalogue: Catalogue
) -> None:
    product = create(client, sku="A", name="a").json()
    assert viewer_client.get(URL).status_code == 200
    assert viewer_client.get(f"{URL}/{product['id']}").status_code == 200
    for response in (
        viewer_client.post(URL, json={"sku": "B", "name": "b"}),
        viewer_client.patch(f"{URL}/{product['id']}", json={"name": "x"}),
        viewer_client.delete(f"{URL}/{product['id']}"),
    ):
        assert response.status_code == 403 and response.json()["error"] == "Forbidden"
    assert catalogue.product_count() == 1
    assert client.get(f"{URL}/{product['id']}").json()["name"] == "a"


def test_annotators_write(annotator_client: TestClient) -> None:
    assert create(annotator_client, sku="A", name="a").status_code == 201


def test_unknown_products_are_404(client: TestClient) -> None:
    for response in (client.get(f"{URL}/99"), client.patch(f"{URL}/99", json={}), client.delete(f"{URL}/99")):
        assert response.status_code == 404 and response.json()["product_id"] == 99


# ---- listing -------------------------------------------------------------------------------------------

BRANDS = ["Arla", "Alpro", None, "Oatly", "Bravo", None, "Tropicana", "Garant"]


@pytest.fixture
def seeded(client: TestClient, ctx: AppContext) -> list[dict[str, Any]]:
    """23 products: brands with NULLs, two categories, counters set as if images were added."""
    products = []
    for i in range(23):
        body: dict[str, Any] = {
            "sku": f"SKU-{(i * 7) % 23:03d}",
            "name": f"Product {chr(65 + (i * 5) % 23)}",
            "brand": BRANDS[i % len(BRANDS)],
            "category": "Milk" if i % 3 else "Juice",
            "status": "draft" if i % 4 == 0 else "active",
        }
        if i % 2:
            body["barcode"] = f"7310{i:05d}"
        products.append(create(client, **body).json())
    with ctx.db.write() as session:
        for i, p in enumerate(products):
            session.execute(
                update(Product)
                .where(Product.id == p["id"])
                .values(
                    image_count=i % 6, real_count=i % 6 if i % 2 else 0, synthetic_count=0 if i % 2 else i % 6
                )
            )
    return [client.get(f"{URL}/{p['id']}").json() for p in products]


def walk(client: TestClient, limit: int = 4, **params: Any) -> tuple[list[dict[str, Any]], set[int | None]]:
    """Every page of a list; (items, the totals the pages reported)."""
    items: list[dict[str, Any]] = []
    totals: set[int | None] = set()
    cursor = None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(URL, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        totals.add(page["total"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items, totals


def expected_order(products: list[dict[str, Any]], sort: str, order: str) -> list[int]:
    desc = order == "desc"
    if sort == "brand":
        named = sorted((p for p in products if p["brand"] is not None), key=lambda p: (p["brand"], p["id"]))
        unnamed = sorted((p for p in products if p["brand"] is None), key=lambda p: p["id"])
        if desc:
            named.reverse()
            unnamed.reverse()
        return [p["id"] for p in named + unnamed]  # no brand: last in both orders
    return [p["id"] for p in sorted(products, key=lambda p: (p[sort], p["id"]), reverse=desc)]


@pytest.mark.parametrize("sort", ["created_at", "name", "sku", "brand", "image_count"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_sort_pages_through_all_products_once_in_order(
    client: TestClient, seeded: list[dict[str, Any]], sort: str, order: str
) -> None:
    items, totals = walk(client, sort=sort, order=order)
    ids = [p["id"] for p in items]
    assert sorted(ids) == sorted(p["id"] for p in seeded)  # each once
    assert totals == {23}
    assert ids == expected_order(seeded, sort, order)


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"q": "sku-00"}, lambda p: "SKU-00" in p["sku"]),
        ({"q": "PRODUCT a"}, lambda p: p["name"] == "Product A"),
        ({"q": "0000"}, lambda p: "0000" in (p["barcode"] or "")),
        ({"q": "ARL"}, lambda p: p["brand"] == "Arla"),
        ({"q": "%"}, lambda p: False),
        ({"brand": "Oatly"}, lambda p: p["brand"] == "Oatly"),
        ({"category": "Juice"}, lambda p: p["category"] == "Juice"),
        ({"status": "draft"}, lambda p: p["status"] == "draft"),
        ({"has_domain": "real"}, lambda p: p["domain_counts"]["real"] > 0),
        ({"missing_domain": "synthetic"}, lambda p: p["domain_counts"]["synthetic"] == 0),
        ({"min_images_below": 3}, lambda p: p["image_count"] < 3),
        ({"has_domain": "real", "min_images_below": 4}, lambda p: 0 < p["domain_counts"]["real"] < 4),
    ],
)
def test_filters_keep_the_matching_products_with_their_total(
    client: TestClient, seeded: list[dict[str, Any]], params: dict[str, Any], keep: Any
) -> None:
    items, totals = walk(client, limit=5, **params)
    expected = {p["id"] for p in seeded if keep(p)}
    assert {p["id"] for p in items} == expected
    assert totals == {len(expected)}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "nonsense"}, "cursor"),
        ({"sort": "colour"}, "sort"),
        ({"has_domain": "studio"}, "has_domain"),
        ({"min_images_below": 0}, "min_images_below"),
        ({"limit": 501}, "limit"),
    ],
)
def test_bad_list_parameters_are_422_naming_them(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get(URL, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == field


def test_a_cursor_of_another_sort_is_refused(client: TestClient, seeded: list[dict[str, Any]]) -> None:
    cursor = client.get(URL, params={"limit": 2, "sort": "name"}).json()["next_cursor"]
    response = client.get(URL, params={"limit": 2, "cursor": cursor})
    assert response.status_code == 422 and "another sort" in response.json()["detail"]


def test_facets_count_brands_and_categories(client: TestClient, seeded: list[dict[str, Any]]) -> None:
    facets = client.get(f"{URL}/facets").json()
    categories = {f["value"]: f["count"] for f in facets["categories"]}
    assert categories == {"Juice": 8, "Milk": 15}
    brands = {f["value"]: f["count"] for f in facets["brands"]}
    assert sum(brands.values()) == sum(1 for p in seeded if p["brand"] is not None)
    assert brands["Oatly"] == 3


@contextmanager
def count_queries(ctx: AppContext) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)


def test_a_page_costs_the_same_queries_for_2_or_20_products_with_images(
    client: TestClient, ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    ids = [catalogue.add(f"P{i:02d}") for i in range(20)]
    paths = photos.of(MILK, "store") + photos.of(JUICE, "store")
    for product_id, path in zip(ids, paths, strict=False):
        catalogue.add_photos(product_id, [path])
    client.get(URL, params={"limit": 1})  # warm the session-touch path out of the count
    counts = []
    for limit in (2, 20):
        with count_queries(ctx) as statements:
            page = client.get(URL, params={"limit": limit}).json()
        assert all(p["cover_image"] is not None for p in page["items"])
        counts.append(len(statements))
    assert counts[0] == counts[1]


# ---- deleting ------------------------------------------------------------------------------------------


def _add_images(catalogue: Catalogue, product_id: int, photos: Photos, n: int = 2) -> list[int]:
    return catalogue.add_photos(product_id, photos.of(MILK, "store")[:n])


def _freeze(ctx: AppContext, product_id: int, image_ids: list[int]) -> dict[str, Any]:
    with ctx.db.write() as session:
        dataset = PrDataset(name="Milk gallery", domains=["real"])
        session.add(dataset)
        session.flush()
        version = PrDatasetVersion(dataset_id=dataset.id, number=1)
        session.add(version)
        session.flush()
        for image_id in image_ids:
            session.add(
                PrVersionImage(
                    version_id=version.id, product_image_id=image_id, product_id=product_id, domain="real"
                )
            )
        return {"dataset_id": dataset.id, "dataset": "Milk gallery", "version_id": version.id, "number": 1}


def test_delete_removes_the_product_its_images_and_files(
    client: TestClient, ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    product_id = catalogue.add(MILK)
    _add_images(catalogue, product_id, photos)
    assert len(catalogue.stored_keys()) == 4
    assert client.delete(f"{URL}/{product_id}").status_code == 204
    assert catalogue.product_count() == 0 and catalogue.image_count() == 0
    assert catalogue.stored_keys() == []


def test_delete_of_a_frozen_product_is_409_naming_the_version_and_changes_nothing_unless_forced(
    client: TestClient, ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    product_id = catalogue.add(MILK)
    image_ids = _add_images(catalogue, product_id, photos)
    version = _freeze(ctx, product_id, image_ids[:1])
    response = client.delete(f"{URL}/{product_id}")
    assert response.status_code == 409
    body = response.json()
    assert (
        body["error"] == "Conflict" and body["versions"] == [version] and "Milk gallery v1" in body["detail"]
    )
    assert catalogue.product_count() == 1 and catalogue.image_count() == 2
    assert len(catalogue.stored_keys()) == 4

    assert client.delete(f"{URL}/{product_id}", params={"force": "true"}).status_code == 204
    assert catalogue.product_count() == 0 and catalogue.image_count() == 0
    assert catalogue.stored_keys() == []
    with ctx.db.read() as session:
        assert session.scalars(select(PrVersionImage)).all() == []
        assert session.get(PrDatasetVersion, version["version_id"]) is not None


def test_deleting_a_product_unmatches_its_cutouts(
    client: TestClient, ctx: AppContext, catalogue: Catalogue
) -> None:
    product_id = catalogue.add(MILK)
    with ctx.db.write() as session:
        shelf = Image(
            storage_key="images/aa/shelf.jpg",
            filename="shelf.jpg",
            content_hash="0" * 64,
            width=100,
            height=100,
            format="JPEG",
            size_bytes=1,
            source="upload",
        )
        session.add(shelf)
        session.flush()
        session.add(
            Cutout(
                image_id=shelf.id,
                source="manual",
                x1=1,
                y1=1,
                x2=20,
                y2=20,
                storage_key="cutouts/aa/c.jpg",
                width=19,
                height=19,
                state="matched",
                product_id=product_id,
            )
        )
    assert client.delete(f"{URL}/{product_id}").status_code == 204
    with ctx.db.read() as session:
        cutout = session.scalars(select(Cutout)).one()
        assert (cutout.state, cutout.product_id) == ("unmatched", None)


@pytest.mark.parametrize("q", ["sku-0", "product", "7310"])
def test_a_search_with_many_matches_finds_the_same_products(
    client: TestClient, seeded: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, q: str
) -> None:
    """Past SEARCH_ID_LIMIT matches the search filters while walking the sort index instead of
    reading an id list; the answer is the same."""
    few, few_totals = walk(client, limit=5, q=q)
    monkeypatch.setattr(listing, "SEARCH_ID_LIMIT", 2)
    many, many_totals = walk(client, limit=5, q=q)
    assert [p["id"] for p in many] == [p["id"] for p in few] and len(few) > 2
    assert many_totals == few_totals == {len(few)}

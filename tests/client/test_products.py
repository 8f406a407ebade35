"""The client's product catalogue against a real server: products created, found and refused, gallery
images uploaded (stored, duplicate, error per file), and a crop searched against the catalogue with a
tiny random-weight embedder the server loads from its models folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfscope.client import Client, Conflict, NotFound, ValidationFailed
from tests.client.conftest import LiveServer
from tests.client.ml_support import install_embedder, ok, raw, tag

NAMES = ["gsd_Arla-Standard-Milk", "gsd_Bravo-Apple-Juice", "gsd_Oatly-Oat-Milk"]


def _photos(shared_data: Path, name: str) -> list[Path]:
    """The product's studio packshot, then its store photos."""
    folder = shared_data / "products" / name
    return sorted((folder / "studio").glob("*.jpg")) + sorted((folder / "store").glob("*.jpg"))


def test_products_are_created_read_listed_and_a_taken_sku_is_refused(api: Client) -> None:
    sku = f"SKU-{tag()}"
    made = api.products.create(sku, "Oat milk 1 l", brand="Oatly", category="dairy", barcode="7394376616037")
    assert (made.sku, made.name, made.brand, made.category) == (sku, "Oat milk 1 l", "Oatly", "dairy")
    assert api.products.get(made.id) == made
    assert [p.id for p in api.products.list(q=sku)] == [made.id]
    assert api.products.get_by_sku(sku.lower()).id == made.id

    with pytest.raises(Conflict) as taken:
        api.products.create(sku, "Another")
    assert taken.value.body.get("field") == "sku" or "sku" in [f["field"] for f in taken.value.fields]
    with pytest.raises(ValidationFailed) as bad:
        api.products.create(f"SKU-{tag()}", "Bad barcode", barcode="has spaces in it")
    assert "barcode" in [f["field"] for f in bad.value.fields]
    assert [p.id for p in api.products.list(q=sku)] == [made.id]
    with pytest.raises(NotFound):
        api.products.get_by_sku(f"missing-{tag()}")

    updated = api.products.update(made.id, name="Oat milk 1.5 l")
    assert updated.name == "Oat milk 1.5 l"
    api.products.delete(made.id)
    with pytest.raises(NotFound):
        api.products.get(made.id)


def test_upload_images_stores_each_file_names_the_bad_one_and_dedupes_a_resend(
    api: Client, shared_data: Path, tmp_path: Path
) -> None:
    product = api.products.create(f"SKU-{tag()}", "Arla standard milk")
    photos = _photos(shared_data, "gsd_Arla-Medium-Fat-Milk")[:2]
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"this is not a jpeg")

    first = api.products.upload_images(product.id, [*photos, broken], kind="synthetic")

    assert (first.stored, first.duplicates, first.errors) == (2, 0, 1)
    assert [i.path for i in first.items] == [str(p) for p in [*photos, broken]]
    assert first.items[2].status == "error" and first.items[2].error is not None
    gallery = list(api.products.images(product.id))
    assert sorted(i.id for i in gallery) == sorted(i.image.id for i in first.items[:2] if i.image)
    assert {i.domain for i in gallery} == {"synthetic"} and api.products.get(product.id).image_count == 2

    again = api.products.upload_images(product.id, photos[0], kind="synthetic")
    assert (again.stored, again.duplicates) == (0, 1) and again.items[0].product_id == product.id
    assert len(list(api.products.images(product.id))) == 2
    with pytest.raises(ValueError, match="kind"):
        api.products.upload_images(product.id, photos, kind="drawing")
    with pytest.raises(FileNotFoundError):
        api.products.upload_images(product.id, [photos[0], tmp_path / "missing.jpg"])
    assert len(list(api.products.images(product.id))) == 2


def test_search_finds_the_product_whose_photo_the_crop_is(
    live_server: LiveServer, api: Client, shared_data: Path
) -> None:
    install_embedder(live_server)
    t = tag()
    products = {}
    for name in NAMES:
        product = api.products.create(f"{name}-{t}", name.removeprefix("gsd_"))
        api.products.upload_images(product.id, _photos(shared_data, name)[:2], kind="real")
        products[name] = product.id
    collection = f"stock-tiny-{t}"
    with raw(live_server) as http:
        started = ok(
            http.post(
                "/pr/embeddings/extract",
                json={
                    "model": {"kind": "stock", "backbone": "dinov2-small"},
                    "collection": collection,
                    "sources": ["product_images"],
                },
            )
        )
    api.jobs.wait(started["job"]["id"])
    crop = _photos(shared_data, NAMES[1])[0]

    hits = api.products.search(crop, top_k=2, collection=collection)

    assert [h.rank for h in hits] == [1, 2]
    assert hits[0].product.id == products[NAMES[1]] and hits[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert hits[0].similarity >= hits[1].similarity
    by_id = api.products.search(crop, top_k=1, collection=started["collection"]["id"])
    assert [h.product.id for h in by_id] == [products[NAMES[1]]]

    for kwargs, field in (
        ({"top_k": 0, "collection": collection}, "k"),
        ({"top_k": 51, "collection": collection}, "k"),
        ({"collection": f"no-such-{t}"}, "collection_id"),
        ({"collection": 987654321}, "collection_id"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            api.products.search(crop, **kwargs)
        assert caught.value.body.get("field") == field or field in [f["field"] for f in caught.value.fields]

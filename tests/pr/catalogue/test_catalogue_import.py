"""Catalogue import through the API: the shared products set with its three domains, JSON and URL
images, SKUs that exist already; and every bad input (duplicate SKUs, missing columns, bad encoding,
private addresses, unsafe or misplaced archive members, a viewer) named, with nothing stored."""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from shelfscope.context import AppContext
from tests.pr.catalogue.conftest import Store, import_job, post_import
from tests.support.images import ImageServer
from tests.support.products_set import (
    PRODUCTS,
    PRODUCTS_COLUMNS,
    PRODUCTS_DOMAIN_MAP,
    catalogue_csv,
    zip_products,
)

MILK = "gsd_Arla-Medium-Fat-Milk"
JUICE = "gsd_Bravo-Apple-Juice"
CRACKERS = "grozi_005"


def _png(seed: int, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, seed * 13 % 256)).save(out, "PNG")
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _issues(job: Any) -> list[dict[str, Any]]:
    assert job.status == "failed", job.result
    assert job.result is not None and job.result["outcome"] == "rejected"
    return list(job.result["issues"])


def test_the_shared_products_set_imports_with_its_three_domains(
    client: TestClient, ctx: AppContext, store: Store, tmp_path: Path
) -> None:
    archive = zip_products(tmp_path / "products.zip").read_bytes()
    job = import_job(
        client,
        ctx,
        catalogue_csv(),
        images=archive,
        columns=PRODUCTS_COLUMNS,
        domain_map=PRODUCTS_DOMAIN_MAP,
    )

    assert job.status == "succeeded", (job.error, job.result and job.result["issues"][:5])
    report = job.result
    assert report is not None
    assert (report["products_created"], report["images_stored"], report["images_duplicate"]) == (54, 720, 0)
    assert report["files_ignored"] == ["products.csv"]
    products = store.products()
    expected = list(csv.DictReader((PRODUCTS / "products.csv").open(encoding="utf-8")))
    assert len(products) == len(expected) == 54
    for row in expected:
        product = products[row["product_id"]]
        counts = (product.synthetic_count, product.real_count, product.cutout_count, product.augmented_count)
        assert counts == (int(row["n_studio"]), int(row["n_store"]), int(row["n_shelf"]), 0), row[
            "product_id"
        ]
        assert product.name == row["name"] and product.barcode == (row["upc"] or None)
        assert product.category == (row["coarse_class"] or None)
        assert product.attributes["source_dataset"] == row["source_dataset"]
    assert {(i.source, i.domain) for i in store.images()} == {
        ("import", "synthetic"),
        ("import", "real"),
        ("import", "cutout"),
    }
    # The uploads are gone; every stored file is a product image or its thumbnail.
    assert {k.split("/", 1)[0] for k in store.stored()} == {"pr_images", "pr_thumbnails"}


def test_a_json_catalogue_with_attributes_and_image_urls(
    client: TestClient, ctx: AppContext, store: Store, image_server: ImageServer
) -> None:
    url = image_server.serve("/packshots/cola.png", _png(1), "image/png")
    catalogue = {
        "products": [
            {
                "sku": "COLA-1",
                "name": "Cola 1 l",
                "brand": "Fizz",
                "status": "draft",
                "attributes": {"volume_ml": 1000},
                "image_urls": [url],
                "image_domain": "real",
                "shelf_life": "9 months",
            },
            {"sku": "WATER-1", "name": "Water"},
        ]
    }
    job = import_job(client, ctx, json.dumps(catalogue).encode(), name="catalogue.json")

    assert job.status == "succeeded", job.result
    products = store.products()
    cola = products["COLA-1"]
    assert (cola.brand, cola.status, cola.real_count) == ("Fizz", "draft", 1)
    assert cola.attributes == {"volume_ml": 1000, "shelf_life": "9 months"}
    assert products["WATER-1"].status == "active"
    assert [(i.source, i.domain, i.filename) for i in store.images()] == [("url", "real", "cola.png")]


def test_existing_skus_fail_skip_or_update(client: TestClient, ctx: AppContext, store: Store) -> None:
    first = b"sku,name,brand\nA-1,Apple juice,Bravo\n"
    assert import_job(client, ctx, first).status == "succeeded"
    again = b"sku,name,brand\nA-1,Apple juice 2,Bravo Plus\nB-1,Beer,Brew\n"

    failed = import_job(client, ctx, again)
    assert _issues(failed) == [
        {
            "row": 2,
            "field": "sku",
            "file": None,
            "detail": "a product with SKU 'A-1' exists; send on_existing 'skip' or 'update'",
        }
    ]
    assert set(store.products()) == {"A-1"}

    skipped = import_job(client, ctx, again, on_existing="skip")
    assert skipped.result is not None
    assert (skipped.result["products_created"], skipped.result["products_skipped"]) == (1, 1)
    assert store.products()["A-1"].name == "Apple juice"

    updated = import_job(client, ctx, b"sku,name,brand\nA-1,Apple juice 2,Bravo Plus\n", on_existing="update")
    assert updated.result is not None and updated.result["products_updated"] == 1
    assert (store.products()["A-1"].name, store.products()["A-1"].brand) == ("Apple juice 2", "Bravo Plus")


def test_duplicate_skus_and_bad_rows_are_all_named_and_nothing_is_stored(
    client: TestClient, ctx: AppContext, store: Store
) -> None:
    catalogue = (
        b"sku,name,status,attributes,barcode\n"
        b"A-1,Apple,active,,111\n"
        b"B-1,Beer,active,,111\n"
        b"A-1,Apple again,active,,\n"
        b",No SKU,active,,\n"
        b"C-1,,active,,\n"
        b"D-1,Dates,sold-out,,\n"
        b'E-1,Eggs,active,"{not json",\n'
    )
    job = import_job(client, ctx, catalogue)

    issues = _issues(job)
    assert sorted((i["row"], i["field"]) for i in issues) == [
        (3, "barcode"),
        (4, "sku"),
        (5, "sku"),
        (6, "name"),
        (7, "status"),
        (8, "attributes"),
    ]
    assert next(i for i in issues if i["row"] == 4)["detail"] == "sku 'A-1' is already on row 2"
    assert job.error_body is not None and job.error_body["row"] is not None
    store.assert_nothing_stored()


def test_a_catalogue_without_sku_or_name_is_refused_at_once(client: TestClient, store: Store) -> None:
    response = post_import(client, b"product_id,title\nA-1,Apple\n")
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["field"], body["line"], body["missing"]) == ("catalogue", 1, ["sku", "name"])
    mapped = post_import(
        client, b"product_id,title\nA-1,Apple\n", columns={"sku": "product_id", "name": "label"}
    )
    assert mapped.status_code == 422 and "'label'" in mapped.json()["detail"]
    bad_field = post_import(client, b"sku,name\nA,B\n", columns={"colour": "x"})
    assert bad_field.status_code == 422 and bad_field.json()["fields"][0]["field"] == "columns"
    assert store.jobs() == 0
    store.assert_nothing_stored()


def test_a_catalogue_that_is_not_utf8_names_the_line(client: TestClient, store: Store) -> None:
    latin1 = "sku,name\nA-1,Apple\nB-1,Crème brûlée\n".encode("latin-1")
    response = post_import(client, latin1)
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["field"], body["line"], body["file"]) == ("catalogue", 3, "products.csv")
    assert store.jobs() == 0
    store.assert_nothing_stored()


def test_image_urls_on_private_addresses_are_refused(
    client: TestClient, ctx: AppContext, store: Store
) -> None:
    catalogue = (
        b"sku,name,image_urls\n"
        b"A-1,Apple,http://10.1.2.3/a.jpg\n"
        b"B-1,Beer,http://169.254.169.254/latest/meta-data;http://[::1]:8080/b.png\n"
        b"C-1,Cola,ftp://example.com/c.jpg\n"
    )
    job = import_job(client, ctx, catalogue)

    issues = _issues(job)
    # The scheme is checked while reading, so the import stops before fetching anything.
    assert [(i["row"], i["field"]) for i in issues] == [(4, "image_urls")]
    store.assert_nothing_stored()

    job = import_job(client, ctx, catalogue.rsplit(b"\n", 2)[0] + b"\n")
    issues = _issues(job)
    assert [(i["row"], i["field"], i["file"]) for i in issues] == [
        (2, "image_urls", "http://10.1.2.3/a.jpg"),
        (3, "image_urls", "http://169.254.169.254/latest/meta-data"),
        (3, "image_urls", "http://[::1]:8080/b.png"),
    ]
    assert "only public addresses" in issues[0]["detail"]
    store.assert_nothing_stored()


def _zip_with_link() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        link = zipfile.ZipInfo("A-1/studio/link.jpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return out.getvalue()


def test_unsafe_archives_are_refused_at_once(client: TestClient, store: Store) -> None:
    for archive, member in (
        (_zip({"../evil.jpg": _png(1)}), "../evil.jpg"),
        (_zip({"/abs/evil.jpg": _png(1)}), "/abs/evil.jpg"),
        (_zip_with_link(), "A-1/studio/link.jpg"),
    ):
        response = post_import(client, b"sku,name\nA-1,Apple\n", images=archive)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == member
    not_zip = post_import(client, b"sku,name\nA-1,Apple\n", images=b"PK not really")
    assert not_zip.status_code == 415 and not_zip.json()["file"] == "images.zip"
    assert store.jobs() == 0
    store.assert_nothing_stored()


def test_archive_files_that_do_not_fit_are_all_named(
    client: TestClient, ctx: AppContext, store: Store
) -> None:
    archive = _zip(
        {
            "A-1/studio/good.png": _png(1),
            "A-1/packshots/other.png": _png(2),
            "Z-9/studio/stray.png": _png(3),
            "A-1/studio/readme.txt": b"notes",
            "A-1/studio/deep/too.png": _png(4),
            "A-1/store/broken.jpg": b"\xff\xd8\xff not a jpeg",
        }
    )
    job = import_job(client, ctx, b"sku,name\nA-1,Apple\n", images=archive, domain_map=PRODUCTS_DOMAIN_MAP)

    issues = _issues(job)
    assert sorted((i["file"], i["field"]) for i in issues) == [
        ("A-1/packshots/other.png", "domain"),
        ("A-1/studio/deep/too.png", None),
        ("A-1/studio/readme.txt", None),
        ("Z-9/studio/stray.png", "sku"),
    ]
    store.assert_nothing_stored()

    # With the layout right, a file that is not an image is named by the write phase, and the good
    # image already stored in that transaction is removed with it.
    fixed = _zip({"A-1/studio/good.png": _png(1), "A-1/store/broken.jpg": b"\xff\xd8\xff not a jpeg"})
    job = import_job(client, ctx, b"sku,name\nA-1,Apple\n", images=fixed, domain_map=PRODUCTS_DOMAIN_MAP)
    assert [i["file"] for i in _issues(job)] == ["A-1/store/broken.jpg"]
    store.assert_nothing_stored()


def test_a_viewer_cannot_import(viewer_client: TestClient, store: Store) -> None:
    response = post_import(viewer_client, b"sku,name\nA-1,Apple\n", images=_zip({"A-1/real/a.png": _png(1)}))
    assert response.status_code == 403, response.text
    assert store.jobs() == 0
    store.assert_nothing_stored()


def test_a_folder_zipped_with_its_own_name_and_a_subset(
    client: TestClient, ctx: AppContext, store: Store
) -> None:
    skus = [MILK, JUICE, CRACKERS]
    members = {
        f"products/{p.relative_to(PRODUCTS).as_posix()}": p.read_bytes()
        for sku in skus
        for p in sorted((PRODUCTS / sku).rglob("*"))
        if p.is_file()
    }
    job = import_job(
        client,
        ctx,
        catalogue_csv(skus),
        images=_zip(members),
        columns=PRODUCTS_COLUMNS,
        domain_map=PRODUCTS_DOMAIN_MAP,
    )
    assert job.status == "succeeded", job.result
    products = store.products()
    assert (products[MILK].synthetic_count, products[MILK].real_count) == (1, 15)
    assert products[CRACKERS].cutout_count == 12

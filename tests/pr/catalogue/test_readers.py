"""The catalogue readers and the archive index, without a database: CSV and JSON in, rows and issues
(or a whole-file error naming the line) out."""

from __future__ import annotations

import json
import zipfile

import pytest

from shelfscope.errors import ValidationFailed
from shelfscope.pr.catalogue.archive import index_archive
from shelfscope.pr.catalogue.readers import Catalogue, CatalogueFormatError, read_catalogue
from tests.support.products_set import PRODUCTS, PRODUCTS_COLUMNS, PRODUCTS_DOMAIN_MAP


def _read(
    data: bytes, columns: dict[str, str] | None = None, domain_map: dict[str, str] | None = None
) -> tuple[str, Catalogue]:
    return read_catalogue(data, "c.csv", columns or {}, domain_map or {})


def test_the_shared_products_csv_reads_with_its_column_mapping(shared_data: object) -> None:
    fmt, catalogue = _read((PRODUCTS / "products.csv").read_bytes(), PRODUCTS_COLUMNS)
    assert fmt == "csv" and catalogue.read == 54 and catalogue.issues == []
    milk = next(r for r in catalogue.rows if r.sku == "gsd_Arla-Standard-Milk")
    assert (milk.name, milk.barcode, milk.category) == ("Arla Standard Milk", None, "Milk")
    # Unmapped columns are kept as attributes; empty cells are not.
    assert milk.attributes["source_dataset"] == "GroceryStoreDataset"
    assert "n_available_shelf" not in milk.attributes
    assert milk.row == 5


def test_semicolons_bom_quotes_and_header_case() -> None:
    data = '\ufeffSKU ; Name;Brand;image_urls\nA-1;"Apple; green\nlarge";Bravo;https://x.test/a.jpg;https://x.test/b.jpg\n'
    # One cell may hold several URLs separated by ';' only when quoted; here the sniffer picks ';'.
    data = data.replace(
        "https://x.test/a.jpg;https://x.test/b.jpg", '"https://x.test/a.jpg;https://x.test/b.jpg"'
    )
    _, catalogue = _read(data.encode())
    assert catalogue.issues == []
    (row,) = catalogue.rows
    assert (row.sku, row.name, row.brand) == ("A-1", "Apple; green\nlarge", "Bravo")
    assert row.image_urls == ["https://x.test/a.jpg", "https://x.test/b.jpg"]


def test_row_issues_name_row_and_field() -> None:
    data = (
        b"sku,name,status,image_domain\n"
        b"A,,active,\nB,Beer,gone,\nC,Cola,,studio\nD,Dates,,shelf\nE,Eggs,,,extra\n"
    )
    _, catalogue = _read(data, domain_map={"shelf": "cutout"})
    assert [(i.row, i.field) for i in catalogue.issues] == [
        (2, "name"),
        (3, "status"),
        (4, "image_domain"),
        (6, None),
    ]
    assert [(r.sku, r.image_domain) for r in catalogue.rows] == [("D", "cutout")]


def test_whole_file_problems_raise_naming_the_line() -> None:
    with pytest.raises(CatalogueFormatError) as bad_utf8:
        _read(b"sku,name\nA,ok\nB,\xe9t\xe9\n")
    assert (bad_utf8.value.extra["field"], bad_utf8.value.extra["line"]) == ("catalogue", 3)
    with pytest.raises(CatalogueFormatError) as empty:
        _read(b"")
    assert empty.value.extra["line"] == 1
    with pytest.raises(CatalogueFormatError) as twice:
        _read(b"sku,name,sku\nA,B,C\n")
    assert "more than once" in twice.value.detail
    with pytest.raises(CatalogueFormatError) as bad_json:
        _read(b'[{"sku": "A", "name": "B"},\n {"sku": ]')
    assert bad_json.value.extra["line"] == 2
    with pytest.raises(CatalogueFormatError):
        _read(b'{"items": []}')
    with pytest.raises(ValidationFailed) as unknown:
        _read(b"sku,name\n", {"colour": "c"})
    assert unknown.value.extra["fields"][0]["field"] == "columns"


def test_json_items_and_duplicates() -> None:
    items = [
        {
            "sku": "A",
            "name": "Apple",
            "barcode": "1",
            "attributes": {"size": "1 l"},
            "image_urls": ["https://x.test/a"],
        },
        {"sku": "A", "name": "Again"},
        "not an object",
        {"sku": "B", "name": "Beer", "barcode": "1", "attributes": [1]},
    ]
    fmt, catalogue = _read(json.dumps(items).encode())
    assert fmt == "json" and catalogue.read == 4
    assert sorted((i.row, i.field) for i in catalogue.issues) == [(2, "sku"), (3, None), (4, "attributes")]
    assert catalogue.rows[0].attributes == {"size": "1 l"}


def _info(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name)


def test_the_archive_index_places_members_or_names_them() -> None:
    names = [
        "top/A/studio/a.jpg",
        "top/A/store/b.png",
        "top/A/weird/c.jpg",
        "top/B/studio/d.jpg",
        "top/A/studio/x/e.jpg",
        "top/A/studio/.DS_Store",
        "top/README.md",
    ]
    index = index_archive({n: _info(n) for n in names}, {"A"}, PRODUCTS_DOMAIN_MAP)
    assert [(i.sku, i.domain, i.path) for i in index.images] == [
        ("A", "real", "top/A/store/b.png"),
        ("A", "synthetic", "top/A/studio/a.jpg"),
    ]
    assert sorted((i.file, i.field) for i in index.issues) == [
        ("top/A/studio/x/e.jpg", None),
        ("top/A/weird/c.jpg", "domain"),
        ("top/B/studio/d.jpg", "sku"),
    ]
    assert index.ignored == ["top/A/studio/.DS_Store", "top/README.md"]

"""Reading a product catalogue (CSV or JSON, UTF-8) into checked rows. Pure: bytes in, rows and issues
out. Problems of the whole file (encoding, header, shape) raise CatalogueFormatError naming the line;
problems of one row are issues naming the row and field, so a report can list them all."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from shelfscope.errors import ValidationFailed
from shelfscope.pr.catalogue.schemas import FIELDS, REQUIRED_FIELDS, CatalogueFormat, CatalogueIssue
from shelfscope.pr.products.models import DOMAINS, PRODUCT_STATUSES

_LIMITS = {"sku": 128, "name": 512, "barcode": 64, "brand": 255, "category": 255}
MAX_URLS_PER_ROW = 50
MAX_ATTRIBUTE_CHARS = 64 * 1024


class CatalogueFormatError(ValidationFailed):
    """The catalogue file as a whole cannot be read: answered 422 at once, naming the line."""

    def __init__(self, detail: str, *, line: int | None = None, **extra: Any) -> None:
        super().__init__(detail, field="catalogue", line=line, **extra)


@dataclass
class CatalogueRow:
    row: int
    sku: str
    name: str
    barcode: str | None = None
    brand: str | None = None
    category: str | None = None
    status: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    image_urls: list[str] = field(default_factory=list)
    image_domain: str = "synthetic"


@dataclass
class Catalogue:
    rows: list[CatalogueRow]
    issues: list[CatalogueIssue]
    read: int


def detect_format(data: bytes) -> CatalogueFormat:
    """JSON when the first character that is not white space (after a BOM) opens an array or object."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    return "json" if head[:1] in (b"[", b"{") else "csv"


def check_columns(columns: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(k for k in columns if k not in FIELDS)
    if unknown:
        raise ValidationFailed.field(
            "columns", f"{', '.join(unknown)} is not a product field; map these: {', '.join(FIELDS)}"
        )
    if any(not isinstance(v, str) or not v.strip() for v in columns.values()):
        raise ValidationFailed.field("columns", "every mapped column name must be a non-empty text")
    return {k: v.strip() for k, v in columns.items()}


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogueFormatError(
            f"{name} is not UTF-8: byte {exc.start} (line {line}) is 0x{data[exc.start]:02x}. Save the file "
            "as UTF-8 and upload it again.",
            line=line,
            file=name,
        ) from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class _RowParser:
    """One raw row (column name -> value) to a CatalogueRow, or issues naming its row and field."""

    def __init__(self, sources: Mapping[str, str], domain_map: Mapping[str, str]) -> None:
        self.sources = sources  # product field -> the file's column (key) name
        self.mapped = set(sources.values())
        self.domain_map = domain_map

    def parse(self, raw: Mapping[str, Any], row: int) -> tuple[CatalogueRow | None, list[CatalogueIssue]]:
        issues: list[CatalogueIssue] = []

        def fail(name: str, detail: str) -> None:
            issues.append(CatalogueIssue(row=row, field=name, detail=detail))

        values = {f: raw.get(self.sources[f]) for f in FIELDS if f in self.sources}
        text = {f: _text(values.get(f)) for f in ("sku", "name", "barcode", "brand", "category", "status")}
        for required in REQUIRED_FIELDS:
            if text[required] is None:
                fail(required, f"{required} is empty; every product needs one")
        for name, limit in _LIMITS.items():
            value = text.get(name)
            if value is not None and len(value) > limit:
                fail(name, f"{name} is {len(value)} characters long, over the limit of {limit}")
        if text["status"] is not None and text["status"] not in PRODUCT_STATUSES:
            fail("status", f"{text['status']!r} is not one of {', '.join(PRODUCT_STATUSES)}")
        attributes = self._attributes(raw, values.get("attributes"), fail)
        urls = self._urls(values.get("image_urls"), fail)
        domain = self._domain(values.get("image_domain"), fail)
        if issues:
            return None, issues
        assert text["sku"] is not None and text["name"] is not None
        return (
            CatalogueRow(
                row=row,
                sku=text["sku"],
                name=text["name"],
                barcode=text["barcode"],
                brand=text["brand"],
                category=text["category"],
                status=text["status"],
                attributes=attributes,
                image_urls=urls,
                image_domain=domain,
            ),
            [],
        )

    def _attributes(self, raw: Mapping[str, Any], given: Any, fail: Any) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        if isinstance(given, str) and given.strip():
            try:
                given = json.loads(given)
            except ValueError as exc:
                fail("attributes", f"is not valid JSON ({exc})")
                given = None
        if given not in (None, "") and not isinstance(given, dict):
            fail("attributes", 'must be a JSON object, e.g. {"size": "1 l"}')
        elif isinstance(given, dict):
            attributes.update(given)
        # Every column that is not a product field is kept as an attribute (empty cells are not).
        for key, value in raw.items():
            if key in self.mapped or key is None or value in (None, ""):
                continue
            attributes.setdefault(str(key), value)
        if len(json.dumps(attributes, default=str)) > MAX_ATTRIBUTE_CHARS:
            fail("attributes", f"the attributes take more than {MAX_ATTRIBUTE_CHARS:,} characters")
        return attributes

    def _urls(self, given: Any, fail: Any) -> list[str]:
        if given in (None, ""):
            return []
        if isinstance(given, str):
            urls = [u.strip() for u in given.split(";") if u.strip()]
        elif isinstance(given, list) and all(isinstance(u, str) for u in given):
            urls = [u.strip() for u in given if u.strip()]
        else:
            fail("image_urls", "must be URLs separated by ';' (a list of texts in JSON)")
            return []
        if len(urls) > MAX_URLS_PER_ROW:
            fail("image_urls", f"{len(urls)} URLs, over the limit of {MAX_URLS_PER_ROW} per product")
        for url in urls:
            if not url.lower().startswith(("http://", "https://")):
                fail("image_urls", f"{url[:200]!r} is not an http or https URL")
        return urls

    def _domain(self, given: Any, fail: Any) -> str:
        value = _text(given)
        if value is None:
            return "synthetic"
        domain = self.domain_map.get(value, value)
        if domain not in DOMAINS:
            fail("image_domain", f"{value!r} is not one of {', '.join(DOMAINS)} (nor mapped by domain_map)")
        return domain


def _header_sources(header: Iterable[str], columns: Mapping[str, str], name: str) -> dict[str, str]:
    """Product field -> the header's column, matched without regard to case and outer spaces."""
    by_key = {h.strip().casefold(): h for h in header if h is not None}
    sources: dict[str, str] = {}
    missing_mapped = [c for f, c in columns.items() if c.strip().casefold() not in by_key]
    if missing_mapped:
        raise CatalogueFormatError(
            f"{name}: the columns mapping names {', '.join(repr(c) for c in missing_mapped)}, which the "
            f"header does not have (it has {', '.join(repr(h) for h in by_key.values())}).",
            line=1,
            file=name,
        )
    for product_field in FIELDS:
        wanted = columns.get(product_field, product_field).strip().casefold()
        if wanted in by_key:
            sources[product_field] = by_key[wanted]
    missing = [f for f in REQUIRED_FIELDS if f not in sources]
    if missing:
        raise CatalogueFormatError(
            f"{name}: the header has no {' and no '.join(missing)} column (it has "
            f"{', '.join(repr(h) for h in by_key.values())}); rename them or map them with `columns`, "
            'e.g. {"sku": "product_id"}.',
            line=1,
            file=name,
            missing=missing,
        )
    return sources


def _csv_rows(text: str, name: str) -> tuple[csv.DictReader[str], list[str]]:
    first_line = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise CatalogueFormatError(
            f"{name}: the header line cannot be read ({exc}).", line=1, file=name
        ) from None
    if not header:
        raise CatalogueFormatError(
            f"{name} is empty: a header line with sku and name is needed.", line=1, file=name
        )
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise CatalogueFormatError(
            f"{name}: the header names {', '.join(repr(d) for d in duplicates)} more than once.",
            line=1,
            file=name,
        )
    return reader, header


def read_csv(data: bytes, name: str, columns: Mapping[str, str], domain_map: Mapping[str, str]) -> Catalogue:
    text = _decode(data, name)
    reader, header = _csv_rows(text, name)
    parser = _RowParser(_header_sources(header, columns, name), domain_map)
    rows: list[CatalogueRow] = []
    issues: list[CatalogueIssue] = []
    read = 0
    try:
        for raw in reader:
            line = reader.line_num
            if not any((v or "").strip() for k, v in raw.items() if k is not None):
                continue  # a blank line
            read += 1
            if raw.get(None):
                issues.append(
                    CatalogueIssue(row=line, detail=f"the row has more cells than the header's {len(header)}")
                )
                continue
            parsed, found = parser.parse(raw, line)
            issues.extend(found)
            if parsed is not None:
                rows.append(parsed)
    except csv.Error as exc:
        raise CatalogueFormatError(
            f"{name}: line {reader.line_num} cannot be read ({exc}).", line=reader.line_num, file=name
        ) from None
    return Catalogue(rows, issues, read)


def _json_items(data: bytes, name: str) -> list[Any]:
    text = _decode(data, name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueFormatError(
            f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}).", line=exc.lineno, file=name
        ) from None
    if isinstance(doc, dict) and isinstance(doc.get("products"), list):
        doc = doc["products"]
    if not isinstance(doc, list):
        raise CatalogueFormatError(
            f'{name}: a JSON catalogue is a list of products, or an object with a "products" list.',
            line=1,
            file=name,
        )
    return doc


def read_json(data: bytes, name: str, columns: Mapping[str, str], domain_map: Mapping[str, str]) -> Catalogue:
    items = _json_items(data, name)
    keys = {str(k) for item in items if isinstance(item, dict) for k in item}
    sources = {f: columns.get(f, f) for f in FIELDS if columns.get(f, f) in keys or f in REQUIRED_FIELDS}
    parser = _RowParser(sources, domain_map)
    rows: list[CatalogueRow] = []
    issues: list[CatalogueIssue] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            issues.append(CatalogueIssue(row=number, detail="a product must be a JSON object"))
            continue
        parsed, found = parser.parse(item, number)
        issues.extend(found)
        if parsed is not None:
            rows.append(parsed)
    return Catalogue(rows, issues, len(items))


def read_catalogue(
    data: bytes, name: str, columns: Mapping[str, str], domain_map: Mapping[str, str]
) -> tuple[CatalogueFormat, Catalogue]:
    fmt = detect_format(data)
    reader = read_json if fmt == "json" else read_csv
    catalogue = reader(data, name, check_columns(columns), domain_map)
    catalogue.issues.extend(duplicate_issues(catalogue.rows))
    return fmt, catalogue


def duplicate_issues(rows: list[CatalogueRow]) -> Iterator[CatalogueIssue]:
    """A SKU or barcode that a row repeats: named on every repeat, with the row that has it first."""
    for attr in ("sku", "barcode"):
        first: dict[str, int] = {}
        for row in rows:
            value = getattr(row, attr)
            if value is None:
                continue
            if value in first:
                yield CatalogueIssue(
                    row=row.row, field=attr, detail=f"{attr} {value!r} is already on row {first[value]}"
                )
            else:
                first[value] = row.row

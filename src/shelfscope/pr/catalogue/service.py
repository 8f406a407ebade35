"""Catalogue import: a CSV or JSON of products, optionally a zip of their images laid out
`<sku>/<domain>/<file>`, and image URLs; all or nothing, with a report naming every bad row and file.

The request checks what can be checked at once (the catalogue's encoding and header, the archive's
names, links and bomb limits) and stores both files for the job. The job then
1. reads every row (readers.py) and places every archive member (archive.py), and checks the rows
   against the catalogue already stored (SKUs that exist, per `on_existing`; barcodes of other
   products) — any issue rejects the import here, before anything is fetched or written;
2. fetches the image URLs through the safe fetcher (no private, loopback or metadata addresses) into
   scratch files, outside any transaction;
3. writes the products and every image (through the products' own `add_product_image`, each in a
   savepoint so that every bad file is named) in one transaction, which also marks the job succeeded
   with the report. Any bad image rolls all of it back, and the files written are removed with it.
"""

from __future__ import annotations

import functools
import json
import shutil
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pydantic
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import PayloadTooLarge, ShelfscopeError, ValidationFailed
from shelfscope.http.validation import validation_failed
from shelfscope.jobs.context import JobCancelled
from shelfscope.jobs.reporting import Reporter
from shelfscope.jobs.service import submit_job, succeed_in
from shelfscope.od.images.decode import display_name
from shelfscope.od.images.fetch import FetchPolicy, SafeFetcher
from shelfscope.od.imports.sources import accept_upload, zip_limits
from shelfscope.od.io.common import FormatError
from shelfscope.od.io.zipsafe import open_checked
from shelfscope.pr.catalogue.archive import ArchiveImage, ArchiveIndex, index_archive
from shelfscope.pr.catalogue.readers import Catalogue, CatalogueRow, read_catalogue
from shelfscope.pr.catalogue.schemas import (
    CATALOGUE_IMPORT_KIND,
    CatalogueImportPayload,
    CatalogueIssue,
    CatalogueReport,
)
from shelfscope.pr.products.images import add_product_image
from shelfscope.pr.products.models import Product
from shelfscope.storage import Storage, new_key

if TYPE_CHECKING:
    from shelfscope.jobs.models import Job
    from shelfscope.jobs.runners import JobRunner

MAX_LISTED_ISSUES = 1000
_QUERY_CHUNK = 500
_CONTENT_TYPES = {"csv": "text/csv", "json": "application/json"}


class CatalogueRejected(ValidationFailed):
    """Bad rows or files: nothing was written. Carries the report listing them all."""

    def __init__(self, report: CatalogueReport, issues: list[CatalogueIssue]) -> None:
        report.outcome = "rejected"
        report.issues = issues[:MAX_LISTED_ISSUES]
        report.issues_truncated = len(issues) > MAX_LISTED_ISSUES
        first = issues[0]
        place = f"row {first.row}" if first.row is not None else (first.file or "the catalogue")
        more = f" and {len(issues) - 1} more" if len(issues) > 1 else ""
        facts = {
            k: v for k, v in first.model_dump().items() if k in ("row", "field", "file") and v is not None
        }
        super().__init__(
            f"The catalogue import was rejected: {place}: {first.detail}{more}. Nothing was imported; the "
            "job's result lists every issue.",
            issues=len(issues),
            **facts,
        )
        self.report = report


# ---- the request ---------------------------------------------------------------------------------


def _read_limited(stream: BinaryIO, name: str, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(
            f"{name} is larger than the {limit / (1024 * 1024):g} MiB limit for a catalogue file.",
            file=name,
            field="catalogue",
            limit_bytes=limit,
        )
    return data


def accept_catalogue(
    storage: Storage,
    settings: Settings,
    *,
    catalogue: BinaryIO,
    upload_name: str,
    images: BinaryIO | None,
    images_name: str | None,
    options: Mapping[str, Any],
) -> CatalogueImportPayload:
    """Check the catalogue's encoding and header and the archive's members, and store both for the
    job (422/415 naming the file and line when they fail; nothing is stored then)."""
    name = display_name(upload_name)
    data = _read_limited(catalogue, name, settings.max_upload_bytes)
    columns = dict(options.get("columns") or {})
    domain_map = dict(options.get("domain_map") or {})
    fmt, _ = read_catalogue(data, name, columns, domain_map)
    key = new_key("uploads", f".{fmt}")
    storage.put_bytes(key, data, _CONTENT_TYPES[fmt])
    images_key = None
    try:
        try:
            payload = CatalogueImportPayload.model_validate(
                {**options, "catalogue_key": key, "upload_name": name, "catalogue_format": fmt}
            )
        except pydantic.ValidationError as exc:
            raise validation_failed(exc.errors()) from None
        if images is not None:
            images_name = display_name(images_name or "images.zip")
            images_key = accept_upload(settings, storage, images, images_name)
    except BaseException:
        storage.delete(key)
        raise
    return payload.model_copy(update={"images_key": images_key, "images_name": images_name})


def start_catalogue_import(
    session: Session, runner: JobRunner, storage: Storage, payload: CatalogueImportPayload, user_id: int
) -> Job:
    try:
        return submit_job(session, runner, CATALOGUE_IMPORT_KIND, payload.model_dump(mode="json"), user_id)
    except BaseException:
        remove_uploads(storage, payload)
        raise


def remove_uploads(storage: Storage, payload: CatalogueImportPayload) -> None:
    for key in (payload.catalogue_key, payload.images_key):
        if key:
            storage.delete(key)


# ---- the job -------------------------------------------------------------------------------------


@dataclass
class ImportRun:
    """What the job hands the import: where to read and write, who runs it, and how it reports."""

    settings: Settings
    db: Database
    storage: Storage
    reporter: Reporter
    user_id: int | None = None
    # The job this runs as: the write transaction marks it succeeded (None when run without a job).
    job_id: int | None = None
    worker: str | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class _Plan:
    create: list[CatalogueRow] = field(default_factory=list)
    update: list[tuple[int, CatalogueRow]] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    existing: dict[str, int] = field(default_factory=dict)  # sku -> product id (those in the database)
    archive: ArchiveIndex | None = None
    fetched: list[tuple[CatalogueRow, str, Path]] = field(default_factory=list)  # row, url, file


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _QUERY_CHUNK):
        yield values[start : start + _QUERY_CHUNK]


def _products_by_sku(db: Database, skus: Iterable[str]) -> dict[str, tuple[int, str | None]]:
    found: dict[str, tuple[int, str | None]] = {}
    with db.read() as session:
        for chunk in _chunks(sorted(set(skus))):
            rows = session.execute(
                select(Product.sku, Product.id, Product.barcode).where(Product.sku.in_(chunk))
            )
            found.update({sku: (pid, barcode) for sku, pid, barcode in rows})
    return found


def _barcode_owners(db: Database, barcodes: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    with db.read() as session:
        for chunk in _chunks(sorted(set(barcodes))):
            rows = session.execute(select(Product.barcode, Product.sku).where(Product.barcode.in_(chunk)))
            found.update({barcode: sku for barcode, sku in rows if barcode is not None})
    return found


def _plan_rows(
    db: Database, catalogue: Catalogue, on_existing: str, archive_skus: set[str], issues: list[CatalogueIssue]
) -> _Plan:
    plan = _Plan()
    known = _products_by_sku(db, [r.sku for r in catalogue.rows] + sorted(archive_skus))
    plan.existing = {sku: pid for sku, (pid, _) in known.items()}
    owners = _barcode_owners(db, [r.barcode for r in catalogue.rows if r.barcode])
    for row in catalogue.rows:
        owner = owners.get(row.barcode) if row.barcode else None
        if owner is not None and owner != row.sku:
            issues.append(
                CatalogueIssue(
                    row=row.row,
                    field="barcode",
                    detail=f"barcode {row.barcode!r} belongs to product {owner!r}",
                )
            )
        if row.sku not in known:
            plan.create.append(row)
        elif on_existing == "fail":
            issues.append(
                CatalogueIssue(
                    row=row.row,
                    field="sku",
                    detail=f"a product with SKU {row.sku!r} exists; send on_existing 'skip' or 'update'",
                )
            )
        elif on_existing == "skip":
            plan.skipped.add(row.sku)
        else:
            plan.update.append((known[row.sku][0], row))
    return plan


def _archive_members(
    run: ImportRun, payload: CatalogueImportPayload, scratch: Path, stack: ExitStack
) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]] | None:
    if not payload.images_key:
        return None
    path = scratch / "images.zip"
    run.storage.download_to(payload.images_key, path)
    archive, members = open_checked(str(path), zip_limits(run.settings), payload.images_name or "images.zip")
    stack.callback(archive.close)
    return archive, members


def _archive_skus(members: Mapping[str, zipfile.ZipInfo]) -> set[str]:
    """Every folder that could be a SKU (first or second level: an archive made of a folder)."""
    found: set[str] = set()
    for path in members:
        parts = path.split("/")
        found.update(parts[: min(2, len(parts) - 1)])
    return found


def _fetch_urls(run: ImportRun, plan: _Plan, scratch: Path, issues: list[CatalogueIssue]) -> None:
    rows = [r for r in plan.create + [r for _, r in plan.update] if r.image_urls]
    total = sum(len(r.image_urls) for r in rows)
    if not total:
        return
    done = 0
    with SafeFetcher(FetchPolicy.from_settings(run.settings)) as fetcher:
        for row in rows:
            for url in row.image_urls:
                run.reporter.check_cancelled()
                run.reporter.progress(0.1 + 0.4 * done / total, f"fetching image {done + 1} of {total}")
                target = scratch / f"url-{done:06d}"
                done += 1
                try:
                    with fetcher.fetch(url) as fetched, target.open("wb") as out:
                        shutil.copyfileobj(fetched.file, out)
                except ShelfscopeError as exc:
                    issues.append(
                        CatalogueIssue(row=row.row, field="image_urls", file=url, detail=exc.detail)
                    )
                    continue
                plan.fetched.append((row, url, target))


def _apply_fields(product: Product, row: CatalogueRow) -> None:
    product.name = row.name
    for attr in ("barcode", "brand", "category", "status"):
        value = getattr(row, attr)
        if value is not None:
            setattr(product, attr, value)
    if row.attributes:
        product.attributes = {**(product.attributes or {}), **row.attributes}


def _write_products(session: Session, plan: _Plan, user_id: int | None) -> dict[str, int]:
    ids = dict(plan.existing)
    created: list[Product] = []
    for row in plan.create:
        product = Product(
            sku=row.sku, name=row.name, attributes=row.attributes, status=row.status or "active"
        )
        _apply_fields(product, row)
        product.created_by = user_id
        created.append(product)
    # One flush: SQLAlchemy sends the inserts in batches and reads the new ids back (RETURNING).
    session.add_all(created)
    session.flush()
    ids.update({product.sku: product.id for product in created})
    for product_id, row in plan.update:
        found = session.get(Product, product_id)
        assert found is not None
        _apply_fields(found, row)
    session.flush()
    return ids


def _image_sources(
    plan: _Plan, archive: zipfile.ZipFile | None
) -> Iterator[tuple[CatalogueIssue, str, str, str, Any]]:
    """(where, sku, domain, source, opener) of every image to add; `where` names it in an issue."""
    if plan.archive is not None and archive is not None:
        for image in plan.archive.images:
            if image.sku in plan.skipped:
                continue
            yield (
                CatalogueIssue(file=image.path, detail=""),
                image.sku,
                image.domain,
                "import",
                _member_opener(archive, image),
            )
    for row, url, path in plan.fetched:
        yield (
            CatalogueIssue(row=row.row, field="image_urls", file=url, detail=""),
            row.sku,
            row.image_domain,
            "url",
            functools.partial(path.open, "rb"),
        )


def _member_opener(archive: zipfile.ZipFile, image: ArchiveImage) -> Any:
    return lambda: archive.open(image.member)


def _write(run: ImportRun, plan: _Plan, archive: zipfile.ZipFile | None, report: CatalogueReport) -> None:
    """The one transaction: products, then every image in a savepoint; any bad image rejects it all."""
    issues: list[CatalogueIssue] = []
    with run.db.writer() as session:
        try:
            ids = _write_products(session, plan, run.user_id)
            for where, sku, domain, source, opener in _image_sources(plan, archive):
                name = display_name(where.file)
                try:
                    with session.begin_nested(), opener() as stream:
                        result = add_product_image(
                            session,
                            run.storage,
                            run.settings,
                            product_id=ids[sku],
                            stream=stream,
                            filename=name,
                            domain=domain,
                            source=source,
                            created_by=run.user_id,
                        )
                except ShelfscopeError as exc:
                    issues.append(where.model_copy(update={"detail": exc.detail}))
                    continue
                if result.status == "stored":
                    report.images_stored += 1
                else:
                    report.images_duplicate += 1
            if issues:
                raise CatalogueRejected(report, issues)
            report.outcome = "imported"
            _succeed(run, session, report)
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _succeed(run: ImportRun, session: Session, report: CatalogueReport) -> None:
    if run.job_id is None or run.worker is None:
        return
    if not succeed_in(session, run.job_id, run.worker, report.model_dump(mode="json"), "imported"):
        raise JobCancelled(f"job {run.job_id} was cancelled or taken away; nothing was imported")


def _check(
    run: ImportRun, payload: CatalogueImportPayload, scratch: Path, stack: ExitStack, report: CatalogueReport
) -> tuple[_Plan, zipfile.ZipFile | None]:
    """Phase 1: every row and member read and checked; raises CatalogueRejected listing the issues."""
    data = run.storage.read_bytes(payload.catalogue_key)
    _, catalogue = read_catalogue(data, payload.upload_name, payload.columns, payload.domain_map)
    report.rows = catalogue.read
    issues = list(catalogue.issues)
    opened = _archive_members(run, payload, scratch, stack)
    archive_skus = _archive_skus(opened[1]) if opened else set()
    plan = _plan_rows(run.db, catalogue, payload.on_existing, archive_skus, issues)
    if opened is not None:
        skus = {r.sku for r in catalogue.rows} | set(plan.existing)
        plan.archive = index_archive(opened[1], skus, payload.domain_map)
        issues.extend(plan.archive.issues)
        report.files_ignored = plan.archive.ignored[:100]
    if not catalogue.rows and not issues:
        issues.append(CatalogueIssue(file=payload.upload_name, detail="the catalogue has no product rows"))
    if issues:
        raise CatalogueRejected(report, issues)
    return plan, opened[0] if opened else None


def run_catalogue_import(run: ImportRun, payload: CatalogueImportPayload) -> CatalogueReport:
    """The whole import, all or nothing. Raises CatalogueRejected (with its report) when any row or file
    is bad; the uploaded files are removed whatever the outcome."""
    report = CatalogueReport(catalogue=payload.upload_name)
    scratch = run.settings.data_dir / "tmp" / "catalogue" / run.token
    scratch.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, scratch, True)
        stack.callback(remove_uploads, run.storage, payload)
        run.reporter.progress(0.0, "reading the catalogue")
        try:
            plan, archive = _check(run, payload, scratch, stack, report)
        except FormatError as exc:
            raise CatalogueRejected(
                report, [CatalogueIssue(file=exc.file or payload.images_name, detail=exc.message)]
            ) from None
        issues: list[CatalogueIssue] = []
        _fetch_urls(run, plan, scratch, issues)
        if issues:
            raise CatalogueRejected(report, issues)
        report.products_created, report.products_updated = len(plan.create), len(plan.update)
        report.products_skipped = len(plan.skipped)
        run.reporter.check_cancelled()
        run.reporter.progress(0.5, "writing products and images")
        _write(run, plan, archive, report)
    run.reporter.progress(1.0, "imported")
    return report


def parse_json_field(name: str, value: str | None) -> dict[str, Any]:
    """A form field holding a JSON object (`domain_map`, `columns`)."""
    if value is None or not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ValidationFailed.field(name, f"is not valid JSON ({exc})") from None
    if not isinstance(parsed, dict):
        raise ValidationFailed.field(name, 'must be a JSON object, e.g. {"studio": "synthetic"}')
    return parsed

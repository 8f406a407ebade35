"""add_product_image and remove_product_images, the service functions every part of product recognition
calls: bytes through the library's ingest, counters in the same transaction, files following the
transaction (removed on rollback, removed only after a committed delete)."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.context import AppContext
from shelfscope.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMedia, ValidationFailed
from shelfscope.pr.datasets.models import PrDataset, PrDatasetVersion, PrVersionImage
from shelfscope.pr.products.images import ProductImageResult, add_product_image, remove_product_images
from shelfscope.pr.products.models import ProductImage
from tests.pr.products.conftest import JUICE, MILK, Catalogue, Photos
from tests.support.images import MAX_UPLOAD_BYTES


def add(
    ctx: AppContext, session: Session, product_id: int, data: bytes, name: str, domain: str = "real"
) -> ProductImageResult:
    return add_product_image(
        session,
        ctx.storage,
        ctx.settings,
        product_id=product_id,
        stream=io.BytesIO(data),
        filename=name,
        domain=domain,
        source="upload",
        created_by=None,
    )


def test_a_real_photo_is_stored_with_thumbnail_and_counters(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    path = photos.one(MILK, "store")
    data = path.read_bytes()
    with ctx.db.write() as session:
        result = add(ctx, session, milk, data, f"some/dir/{path.name}")
        image_id = result.image.id
    assert result.status == "stored"
    with ctx.db.read() as session:
        image = session.get(ProductImage, image_id)
        assert image is not None
        assert (image.product_id, image.domain, image.source) == (milk, "real", "upload")
        assert image.filename == path.name
        assert image.content_hash == hashlib.sha256(data).hexdigest()
        assert (image.format, image.size_bytes) == ("JPEG", len(data))
        assert image.width > 0 and image.height > 0
        assert ctx.storage.read_bytes(image.storage_key) == data
        assert image.thumbnail_key is not None and ctx.storage.exists(image.thumbnail_key)
    assert catalogue.counters(milk) == {"images": 1, "synthetic": 0, "real": 1, "augmented": 0, "cutout": 0}


def test_the_same_bytes_on_another_product_are_a_duplicate_naming_the_first(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk, juice = catalogue.add(MILK), catalogue.add(JUICE)
    data = photos.one(MILK, "studio").read_bytes()
    with ctx.db.write() as session:
        first = add(ctx, session, milk, data, "a.jpg", "synthetic")
    with ctx.db.write() as session:
        second = add(ctx, session, juice, data, "b.jpg", "synthetic")
    assert second.status == "duplicate"
    assert (second.image.id, second.image.product_id) == (first.image.id, milk)
    assert catalogue.counters(juice)["images"] == 0
    assert catalogue.counters(milk)["synthetic"] == 1
    assert len(catalogue.stored_keys()) == 2  # one image, one thumbnail


def test_a_rolled_back_transaction_leaves_no_row_file_or_count(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    session = ctx.db.writer()
    try:
        for path in photos.of(MILK, "store")[:3]:
            assert add(ctx, session, milk, path.read_bytes(), path.name).status == "stored"
        assert len(catalogue.stored_keys()) == 6
        session.rollback()
    finally:
        session.close()
    assert catalogue.stored_keys() == []
    assert catalogue.image_count() == 0
    assert catalogue.counters(milk)["images"] == 0


def test_a_session_closed_without_commit_removes_its_files(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    session = ctx.db.writer()
    add(ctx, session, milk, photos.one().read_bytes(), "x.jpg")
    session.close()
    assert catalogue.stored_keys() == []
    assert catalogue.image_count() == 0


def test_a_rolled_back_savepoint_removes_only_its_files(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    first, second = photos.of(MILK, "store")[:2]
    with ctx.db.write() as session:
        kept = add(ctx, session, milk, first.read_bytes(), first.name)
        savepoint = session.begin_nested()
        add(ctx, session, milk, second.read_bytes(), second.name)
        savepoint.rollback()
    assert catalogue.image_count() == 1
    assert sorted(catalogue.stored_keys()) == sorted([kept.image.storage_key, str(kept.image.thumbnail_key)])
    assert catalogue.counters(milk)["real"] == 1


@pytest.mark.parametrize(
    ("data", "error", "domain"),
    [
        (b"%PDF-1.4 not an image", UnsupportedMedia, "real"),
        (b"\xff" * (MAX_UPLOAD_BYTES + 1), PayloadTooLarge, "real"),
        (b"", ValidationFailed, "real"),
        (None, ValidationFailed, "studio"),
    ],
    ids=["not-an-image", "too-large", "empty", "bad-domain"],
)
def test_bad_input_names_the_file_or_field_and_stores_nothing(
    ctx: AppContext,
    catalogue: Catalogue,
    photos: Photos,
    data: bytes | None,
    error: type[Exception],
    domain: str,
) -> None:
    milk = catalogue.add(MILK)
    payload = data if data is not None else photos.one().read_bytes()
    with pytest.raises(error) as raised, ctx.db.write() as session:
        add(ctx, session, milk, payload, "bad.jpg", domain)
    body = raised.value.to_body()  # type: ignore[attr-defined]
    if domain == "studio":
        assert body["fields"][0]["field"] == "domain"
    else:
        assert body["file"] == "bad.jpg"
    assert catalogue.stored_keys() == []
    assert catalogue.image_count() == 0
    assert catalogue.counters(milk)["images"] == 0


def test_an_unknown_product_is_not_found_and_nothing_is_stored(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    with pytest.raises(NotFound), ctx.db.write() as session:
        add(ctx, session, 999, photos.one().read_bytes(), "x.jpg")
    assert catalogue.stored_keys() == []


def _freeze(ctx: AppContext, image_id: int, product_id: int) -> int:
    with ctx.db.write() as session:
        dataset = PrDataset(name="gallery", domains=["real"])
        session.add(dataset)
        session.flush()
        version = PrDatasetVersion(dataset_id=dataset.id, number=1)
        session.add(version)
        session.flush()
        session.add(
            PrVersionImage(
                version_id=version.id, product_image_id=image_id, product_id=product_id, domain="real"
            )
        )
        return version.id


def test_remove_changes_counters_and_removes_files_only_after_the_commit(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    with ctx.db.write() as session:
        ids = [add(ctx, session, milk, p.read_bytes(), p.name).image.id for p in photos.of(MILK, "store")[:3]]
    with ctx.db.write() as session:
        assert remove_product_images(session, ctx.storage, ids[:2], force=False) == 2
        assert len(catalogue.stored_keys()) == 6  # still there until the commit
    assert len(catalogue.stored_keys()) == 2
    assert catalogue.counters(milk) == {"images": 1, "synthetic": 0, "real": 1, "augmented": 0, "cutout": 0}


def test_a_rolled_back_remove_keeps_rows_and_files(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    with ctx.db.write() as session:
        image_id = add(ctx, session, milk, photos.one().read_bytes(), "x.jpg").image.id
    session = ctx.db.writer()
    try:
        remove_product_images(session, ctx.storage, [image_id], force=False)
        session.rollback()
    finally:
        session.close()
    assert len(catalogue.stored_keys()) == 2
    assert catalogue.counters(milk)["images"] == 1


def test_remove_of_a_frozen_image_is_refused_naming_the_version_unless_forced(
    ctx: AppContext, catalogue: Catalogue, photos: Photos
) -> None:
    milk = catalogue.add(MILK)
    with ctx.db.write() as session:
        image_id = add(ctx, session, milk, photos.one().read_bytes(), "x.jpg").image.id
    version_id = _freeze(ctx, image_id, milk)
    with pytest.raises(Conflict) as refused, ctx.db.write() as session:
        remove_product_images(session, ctx.storage, [image_id], force=False)
    assert refused.value.extra["versions"] == [
        {
            "dataset_id": refused.value.extra["versions"][0]["dataset_id"],
            "dataset": "gallery",
            "version_id": version_id,
            "number": 1,
        }
    ]
    assert catalogue.image_count() == 1 and len(catalogue.stored_keys()) == 2
    with ctx.db.write() as session:
        assert remove_product_images(session, ctx.storage, [image_id], force=True) == 1
    with ctx.db.read() as session:
        assert session.scalars(select(PrVersionImage)).all() == []
    assert catalogue.image_count() == 0 and catalogue.stored_keys() == []
    assert catalogue.counters(milk)["images"] == 0

"""Extraction through the API and the real job handler, with a tiny registered model (and a tiny stock
backbone) on real product photos and real shelf cutouts: the stored vectors are the model's, the index
holds one point a row, a second run changes nothing, a later run embeds only what is new or changed,
updates payloads without the model and removes what is gone; broken images are skipped and listed; a
cancel keeps the finished batches; a crash between rows and points is repaired by the next attempt."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from shelfscope.context import AppContext
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.embeddings import execute
from shelfscope.pr.products.images import add_product_image
from shelfscope.pr.products.models import Product, ProductImage
from shelfscope.vectors import Filter, open_vectors
from tests.pr.embeddings.helpers import extract, extract_and_run, index_count, rows
from tests.support.dataset_files import run_job
from tests.support.jobs import wait_for

TRAINED = "trained"


def _model(model_id: int) -> dict[str, Any]:
    return {"kind": TRAINED, "trained_model_id": model_id}


def _images(ctx: AppContext) -> list[ProductImage]:
    with ctx.db.read() as session:
        return list(session.scalars(select(ProductImage).order_by(ProductImage.id)))


def _search(
    ctx: AppContext, name: str, vectors: np.ndarray, k: int, where: Filter | None = None
) -> list[Any]:
    index = open_vectors(ctx.settings)
    try:
        return index.search(name, np.asarray(vectors, np.float32), k, where)
    finally:
        index.close()


def _as_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def _embed_with_checkpoint(ctx: AppContext, model_id: int, keys: list[str], tmp_path: Path) -> np.ndarray:
    """What the registered checkpoint gives for these stored images, computed apart from the job."""
    from shelfscope.ml.embeddings.checkpoint import embed_paths, load_embedder

    weights = tmp_path / "model.pt"
    ctx.storage.download_to(f"models/pr/{model_id}/model.pt", weights)
    paths = []
    for n, key in enumerate(keys):
        path = tmp_path / f"{n}.img"
        ctx.storage.download_to(key, path)
        paths.append(path)
    vectors, skipped = embed_paths(load_embedder(weights), paths)
    assert skipped == []
    return vectors


def test_an_extraction_stores_the_models_vectors_of_every_image_and_cutout_and_indexes_them(
    client: TestClient,
    ctx: AppContext,
    catalogue: dict[str, int],
    cutouts: list[int],
    model_id: int,
    tmp_path: Path,
) -> None:
    created, job = extract_and_run(ctx, client, model=_model(model_id))
    collection = created["collection"]
    assert collection["name"] == f"model-{model_id}" and collection["dim"] == 16
    assert collection["model_kind"] == "trained" and collection["model_name"] == "tiny"
    assert created["job"]["kind"] == "pr.embeddings.extract" and created["job"]["queue"] == "ml"
    assert job.status == "succeeded", job.error
    images = _images(ctx)
    assert len(images) == 9 and len(cutouts) >= 2
    result = job.result or {}
    assert result["embedded"] == 9 + len(cutouts) and result["unchanged"] == 0 and result["removed"] == 0
    assert result["skipped"] == [] and result["vector_count"] == 9 + len(cutouts)
    assert result["timings"]["model_s"] > 0 and result["timings"]["total_s"] >= result["timings"]["model_s"]

    stored = rows(ctx, collection["id"])
    assert set(stored) == {("product_image", i.id) for i in images} | {("cutout", c) for c in cutouts}
    categories = {pid: ("milk" if "Milk" in name else "other") for name, pid in catalogue.items()}
    for image in images:
        row = stored[("product_image", image.id)]
        assert (row["source_key"], row["product_id"], row["domain"], row["category"]) == (
            image.storage_key, image.product_id, image.domain, categories[image.product_id],
        )  # fmt: skip
    for cutout_id in cutouts:
        row = stored[("cutout", cutout_id)]
        assert row["product_id"] is None and row["domain"] is None and row["category"] is None

    # The vectors are the checkpoint's own embeddings of those bytes.
    expected = _embed_with_checkpoint(ctx, model_id, [i.storage_key for i in images], tmp_path)
    got = np.stack([_as_vector(stored[("product_image", i.id)]["vector"]) for i in images])
    np.testing.assert_allclose(got, expected, atol=1e-5)

    # One point a row, searchable with its payload.
    name = collection["name"]
    assert index_count(ctx, name) == len(stored)
    hits = _search(ctx, name, got[:1], 1)[0]
    first = stored[("product_image", images[0].id)]
    assert hits[0].id == first["id"] and hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].payload.product_id == images[0].product_id and hits[0].payload.kind == "product_image"

    shown = client.get(f"/api/v1/pr/embeddings/collections/{collection['id']}").json()
    assert shown["vector_count"] == len(stored) and shown["last_job_id"] == job.id
    assert shown["by_kind"] == {"product_image": 9, "cutout": len(cutouts)}
    assert shown["by_domain"] == {"synthetic": 3, "real": 6, "augmented": 0, "cutout": 0}
    assert shown["size_bytes"] == len(stored) * 16 * 4
    models = client.get("/api/v1/pr/embeddings/models").json()["items"]
    assert models[0]["trained_model_id"] == model_id and models[0]["collection_id"] == collection["id"]


def test_a_second_run_changes_nothing_and_loads_no_model(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], cutouts: list[int], model_id: int
) -> None:
    from shelfscope.ml.cache import process_cache

    created, _ = extract_and_run(ctx, client, model=_model(model_id))
    before = rows(ctx, created["collection"]["id"])
    process_cache(1).drop("pr-embedder:")
    loads = process_cache(1).loads
    _, second = extract_and_run(ctx, client, model=_model(model_id))
    result = second.result or {}
    assert second.status == "succeeded", second.error
    assert (result["embedded"], result["payload_updated"], result["removed"]) == (0, 0, 0)
    assert result["unchanged"] == len(before) and result["candidates"] == 0
    assert rows(ctx, created["collection"]["id"]) == before
    assert process_cache(1).loads == loads


def test_a_later_run_embeds_new_and_changed_items_moves_payloads_and_removes_what_is_gone(
    client: TestClient,
    ctx: AppContext,
    catalogue: dict[str, int],
    cutouts: list[int],
    model_id: int,
    shared_data: Path,
) -> None:
    created, _ = extract_and_run(ctx, client, model=_model(model_id))
    collection_id, name = created["collection"]["id"], created["collection"]["name"]
    before = rows(ctx, collection_id)
    images = _images(ctx)
    juice = catalogue["gsd_Bravo-Apple-Juice"]
    milk = catalogue["gsd_Arla-Standard-Milk"]
    gone_image = next(i for i in images if i.product_id == milk)
    changed_image = next(i for i in images if i.product_id == milk and i.id != gone_image.id)
    photos = sorted((shared_data / "products" / "gsd_Oatly-Oat-Milk" / "store").glob("*.jpg"))
    with ctx.db.writer() as session:
        with photos[-1].open("rb") as stream:
            added = add_product_image(
                session, ctx.storage, ctx.settings, product_id=milk, stream=stream,
                filename=photos[-1].name, domain="real", source="import", created_by=None,
            )  # fmt: skip
        session.commit()
        assert added.status == "stored"
        added_id = added.image.id
    new_key = f"pr_images/moved/{changed_image.id}.jpg"
    ctx.storage.put_bytes(new_key, photos[-2].read_bytes())
    with ctx.db.write() as session:
        session.delete(session.get(ProductImage, gone_image.id))
        session.delete(session.get(Cutout, cutouts[0]))
        session.execute(
            update(ProductImage).where(ProductImage.id == changed_image.id).values(storage_key=new_key)
        )
        session.execute(update(Product).where(Product.id == juice).values(category="juice"))

    _, job = extract_and_run(ctx, client, model=_model(model_id))
    result = job.result or {}
    assert job.status == "succeeded", job.error
    assert (result["embedded"], result["removed"], result["payload_updated"]) == (2, 2, 3)
    assert result["unchanged"] == len(before) - 2 - 1 - 3
    after = rows(ctx, collection_id)
    assert ("product_image", gone_image.id) not in after and ("cutout", cutouts[0]) not in after
    assert ("product_image", added_id) in after
    changed = after[("product_image", changed_image.id)]
    old = before[("product_image", changed_image.id)]
    assert (
        changed["id"] == old["id"] and changed["source_key"] == new_key and changed["vector"] != old["vector"]
    )
    assert all(r["category"] == "juice" for (kind, _), r in after.items() if r["product_id"] == juice)
    untouched = [
        k for k in after if k in before and after[k]["product_id"] != juice and k[1] != changed_image.id
    ]
    assert untouched and all(after[k]["vector"] == before[k]["vector"] for k in untouched)

    # The index follows: one point a row, the removed ones gone, the moved payloads searchable.
    assert index_count(ctx, name) == len(after)
    everything = np.stack([_as_vector(r["vector"]) for r in after.values()])
    found = {h.id for hits in _search(ctx, name, everything, len(after)) for h in hits}
    assert found == {r["id"] for r in after.values()}
    assert before[("product_image", gone_image.id)]["id"] not in found
    juice_hits = _search(ctx, name, everything[:1], 20, Filter(categories=["juice"]))[0]
    assert {h.payload.product_id for h in juice_hits} == {juice} and len(juice_hits) == 3


def test_sources_and_domains_choose_what_is_embedded(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], cutouts: list[int], model_id: int
) -> None:
    created, job = extract_and_run(
        ctx, client, model=_model(model_id), sources=["product_images"], domains=["synthetic"]
    )
    collection_id = created["collection"]["id"]
    assert (job.result or {})["embedded"] == 3
    assert {(k, r["domain"]) for (k, _), r in rows(ctx, collection_id).items()} == {
        ("product_image", "synthetic")
    }
    _, job = extract_and_run(ctx, client, model=_model(model_id), sources=["cutouts"])
    # Cutouts are added; the packshots stay (they still exist, they were just not asked for).
    assert (job.result or {})["embedded"] == len(cutouts) and (job.result or {})["removed"] == 0
    kinds = [k for k, _ in rows(ctx, collection_id)]
    assert kinds.count("cutout") == len(cutouts) and kinds.count("product_image") == 3


def test_unreadable_and_missing_images_are_skipped_and_listed_and_tried_again_later(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], model_id: int
) -> None:
    images = _images(ctx)
    ctx.storage.put_bytes(images[0].storage_key, b"these bytes are not an image")
    ctx.storage.delete(images[1].storage_key)
    created, job = extract_and_run(ctx, client, model=_model(model_id), sources=["product_images"])
    assert job.status == "succeeded", job.error
    result = job.result or {}
    skipped = {s["item_id"]: s for s in result["skipped"]}
    assert set(skipped) == {images[0].id, images[1].id} and result["embedded"] == 7
    assert (
        skipped[images[0].id]["kind"] == "product_image" and "unreadable" in skipped[images[0].id]["reason"]
    )
    assert skipped[images[1].id]["reason"] == "missing from storage"
    assert ("product_image", images[0].id) not in rows(ctx, created["collection"]["id"])
    _, again = extract_and_run(ctx, client, model=_model(model_id), sources=["product_images"])
    assert {s["item_id"] for s in (again.result or {})["skipped"]} == set(skipped)
    assert (again.result or {})["unchanged"] == 7


def test_a_cancel_between_batches_keeps_the_finished_batches_and_a_new_run_completes(
    client: TestClient,
    ctx: AppContext,
    catalogue: dict[str, int],
    model_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = execute.Extraction.finish
    calls: list[int] = []

    def cancel_after_first(self: execute.Extraction, batch: list[Any], futures: list[Any]) -> None:
        original(self, batch, futures)
        calls.append(len(batch))
        if len(calls) == 1:
            assert client.post(f"/api/v1/jobs/{self.ctx.job_id}/cancel").status_code == 202
            wait_for(self.ctx.cancelled, what="the cancel to reach the job")

    monkeypatch.setattr(execute.Extraction, "finish", cancel_after_first)
    created = extract(client, model=_model(model_id), sources=["product_images"], batch_size=2)
    job = run_job(ctx, created["job"]["id"])
    assert job.status == "cancelled"
    collection_id, name = created["collection"]["id"], created["collection"]["name"]
    kept = rows(ctx, collection_id)
    assert len(kept) == 2 and calls == [2]
    shown = client.get(f"/api/v1/pr/embeddings/collections/{collection_id}").json()
    assert shown["vector_count"] == 2 and index_count(ctx, name) == 2

    monkeypatch.setattr(execute.Extraction, "finish", original)
    _, done = extract_and_run(ctx, client, model=_model(model_id), sources=["product_images"], batch_size=2)
    assert done.status == "succeeded" and (done.result or {})["embedded"] == 7
    assert (done.result or {})["unchanged"] == 2 and index_count(ctx, name) == 9


class WorkerDied(BaseException):
    """Stands for the worker process dying: nothing in the job machinery catches it."""


def test_a_crash_between_a_batchs_rows_and_its_points_is_repaired_by_the_next_attempt(
    client: TestClient,
    ctx: AppContext,
    catalogue: dict[str, int],
    model_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shelfscope.vectors.embedded import EmbeddedIndex

    original = EmbeddedIndex.upsert
    upserts: list[int] = []

    def dies_on_the_second_batch(self: Any, name: str, ids: Any, vectors: Any, payloads: Any) -> None:
        upserts.append(len(ids))
        if len(upserts) == 2:
            raise WorkerDied()
        original(self, name, ids, vectors, payloads)

    monkeypatch.setattr(EmbeddedIndex, "upsert", dies_on_the_second_batch)
    created = extract(client, model=_model(model_id), sources=["product_images"], batch_size=4)
    job_id = created["job"]["id"]
    with pytest.raises(WorkerDied):
        run_job(ctx, job_id)
    collection_id, name = created["collection"]["id"], created["collection"]["name"]
    assert len(rows(ctx, collection_id)) == 8 and index_count(ctx, name) == 4
    monkeypatch.setattr(EmbeddedIndex, "upsert", original)

    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "running"
        worker = str(job.worker)
    assert jobs.recover_interrupted(ctx.db, ctx.runner.name, workers=[worker]).requeued == [job_id]
    job = run_job(ctx, job_id)
    assert job.status == "succeeded" and job.attempt == 2, job.error
    stored = rows(ctx, collection_id)
    assert len(stored) == 9 and index_count(ctx, name) == 9
    vectors = np.stack([_as_vector(r["vector"]) for r in stored.values()])
    own = [hits[0].id for hits in _search(ctx, name, vectors, 1)]
    assert own == [r["id"] for r in stored.values()]


def test_a_stock_backbone_embeds_with_its_pooled_output(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], tmp_path: Path
) -> None:
    from PIL import Image

    from shelfscope.ml.embeddings.stock import load_stock_embedder

    created, job = extract_and_run(
        ctx, client, model={"kind": "stock", "backbone": "dinov2-small"}, sources=["product_images"]
    )
    assert job.status == "succeeded", job.error
    collection = created["collection"]
    assert collection["name"] == "stock-dinov2-small" and collection["dim"] == 32
    assert collection["model_kind"] == "stock" and collection["model_name"] == "DINOv2 ViT-S/14"
    image = _images(ctx)[0]
    stored = rows(ctx, collection["id"])[("product_image", image.id)]
    embedder = load_stock_embedder(ctx.settings, "dinov2-small")
    with Image.open(io.BytesIO(ctx.storage.read_bytes(image.storage_key))) as picture:
        picture.draft("RGB", (embedder.image_size, embedder.image_size))
        expected = embedder.embed([picture.convert("RGB")])[0]
    np.testing.assert_allclose(_as_vector(stored["vector"]), expected, atol=1e-5)


def test_an_extraction_that_changed_something_predicts_each_unmatched_cutouts_candidates(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], cutouts: list[int], model_id: int
) -> None:
    from shelfscope.pr.matching.models import PrMatchCandidate

    def candidates() -> list[tuple[int, int, int, float]]:
        with ctx.db.read() as session:
            return [
                (c.cutout_id, c.rank, c.product_id, c.similarity)
                for c in session.scalars(
                    select(PrMatchCandidate).order_by(PrMatchCandidate.cutout_id, PrMatchCandidate.rank)
                )
            ]

    _, job = extract_and_run(ctx, client, model=_model(model_id))
    written = candidates()
    # Three products in the catalogue, so each cutout gets all three (top_k 5), best first.
    assert (job.result or {})["candidates"] == len(written) == 3 * len(cutouts)
    assert {c for c, *_ in written} == set(cutouts)
    for cutout_id in cutouts:
        ranked = [(rank, product, similarity) for c, rank, product, similarity in written if c == cutout_id]
        assert [r for r, _, _ in ranked] == [1, 2, 3] and {p for _, p, _ in ranked} == set(catalogue.values())
        assert [s for _, _, s in ranked] == sorted((s for _, _, s in ranked), reverse=True)
    _, again = extract_and_run(ctx, client, model=_model(model_id))
    assert (again.result or {})["candidates"] == 0 and candidates() == written


def test_a_lost_index_collection_is_refilled_from_the_stored_vectors_without_the_model(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], model_id: int
) -> None:
    created, _ = extract_and_run(ctx, client, model=_model(model_id), sources=["product_images"])
    name = created["collection"]["name"]
    index = open_vectors(ctx.settings)
    try:
        index.drop_collection(name)
    finally:
        index.close()
    assert index_count(ctx, name) is None
    _, job = extract_and_run(ctx, client, model=_model(model_id), sources=["product_images"])
    assert job.status == "succeeded" and (job.result or {})["embedded"] == 0
    assert (job.result or {})["timings"]["load_s"] == 0 and index_count(ctx, name) == 9
    stored = rows(ctx, created["collection"]["id"])
    vectors = np.stack([_as_vector(r["vector"]) for r in stored.values()])
    assert [hits[0].id for hits in _search(ctx, name, vectors, 1)] == [r["id"] for r in stored.values()]

"""Predicting candidates and reading them: the predict job ranks each cutout's true product first, the queue
shows candidates with packshots in both sort orders and pages, the summary counts, and a page costs the
same few queries however long it is."""

from __future__ import annotations

import math
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.pr.embeddings.models import PrEmbeddingCollection
from shelfscope.pr.matching.models import PrMatchCandidate
from shelfscope.pr.matching.predict import predict_candidates
from shelfscope.vectors import open_vectors
from tests.pr.matching.conftest import World, build_world, predict
from tests.support.seed import count_statements
from tests.support.shelves import Shelves, job_count

QUEUE = "/api/v1/pr/matching/queue"


def _candidate_rows(ctx: AppContext) -> list[tuple[int, int, int, int, float]]:
    with ctx.db.read() as session:
        rows = session.execute(
            select(
                PrMatchCandidate.collection_id,
                PrMatchCandidate.cutout_id,
                PrMatchCandidate.rank,
                PrMatchCandidate.product_id,
                PrMatchCandidate.similarity,
            ).order_by(PrMatchCandidate.cutout_id, PrMatchCandidate.rank)
        ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _all_pages(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query: dict[str, Any] = {**params, **({"cursor": cursor} if cursor else {})}
        page = client.get(QUEUE, params=query)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def test_predict_ranks_each_cutouts_true_product_first(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    rows = _candidate_rows(ctx)
    by_cutout: dict[int, list[tuple[int, int, float]]] = {}
    for _, cutout_id, rank, product_id, similarity in rows:
        by_cutout.setdefault(cutout_id, []).append((rank, product_id, similarity))
    assert set(by_cutout) == set(world.truth)
    for cutout_id, ranked in by_cutout.items():
        # Four products, top_k 5: every product once, ranked 1..4, best first.
        assert [r for r, _, _ in ranked] == [1, 2, 3, 4]
        assert ranked[0][1] == world.truth[cutout_id]
        assert ranked[1][1] == world.second(cutout_id)
        assert math.isclose(ranked[0][2], world.similarity[cutout_id], abs_tol=1e-4)
        assert [s for _, _, s in ranked] == sorted((s for _, _, s in ranked), reverse=True)
    # Predicting again replaces the rows; it does not add to them.
    result = predict(client, ctx, world.collection_id)
    assert result == {"collection_id": world.collection_id, "candidates": len(rows)}
    assert len(_candidate_rows(ctx)) == len(rows)


def test_the_queue_shows_candidates_with_packshots_most_similar_first(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    items = _all_pages(client, collection_id=world.collection_id, limit=4)
    assert [i["cutout"]["id"] for i in items] == sorted(world.truth, key=lambda c: -world.similarity[c])
    first = items[0]
    cutout = first["cutout"]
    assert cutout["state"] == "unmatched" and cutout["crop_url"].endswith(f"/{cutout['id']}/file")
    candidates = first["candidates"]
    top = candidates[0]
    truth = world.truth[cutout["id"]]
    assert top["rank"] == 1 and top["product"]["id"] == truth
    assert top["product"] == {
        "id": truth,
        "sku": top["product"]["sku"],
        "name": top["product"]["name"],
        "brand": top["product"]["brand"],
        "category": "grocery",
    }
    # The packshot is the synthetic image's thumbnail, although the real image was added first.
    _real, synthetic = world.images[truth]
    assert top["packshot_url"] == f"/api/v1/pr/images/{synthetic}/thumbnail"
    assert client.get(top["packshot_url"]).status_code == 200
    assert len(candidates) == 4
    by_id = _all_pages(client, collection_id=world.collection_id, sort="id", limit=3)
    assert [i["cutout"]["id"] for i in by_id] == sorted(world.truth)
    page = client.get(QUEUE, params={"collection_id": world.collection_id, "limit": 2}).json()
    assert page["total"] == len(world.truth)


def test_min_similarity_keeps_the_confident_cutouts(client: TestClient, world: World) -> None:
    threshold = sorted(world.similarity.values())[len(world.similarity) // 2]
    items = _all_pages(client, collection_id=world.collection_id, min_similarity=threshold, limit=5)
    expected = {c for c, s in world.similarity.items() if s >= threshold - 1e-6}
    assert {i["cutout"]["id"] for i in items} == expected
    assert client.get(QUEUE, params={"collection_id": world.collection_id, "min_similarity": 0.9999}).json()[
        "total"
    ] == sum(1 for s in world.similarity.values() if s >= 0.9999)


def test_the_summary_counts_cutouts_by_state(client: TestClient, ctx: AppContext, world: World) -> None:
    summary = client.get("/api/v1/pr/matching/summary", params={"collection_id": world.collection_id})
    assert summary.json() == {
        "unmatched": len(world.truth),
        "with_candidates": len(world.truth),
        "matched": 0,
        "rejected": 0,
    }


def test_cutouts_without_an_embedding_come_last_without_candidates(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    world = build_world(ctx, client, shelves)
    missing = sorted(world.truth)[:2]
    with ctx.db.write() as session:
        from shelfscope.pr.embeddings.models import PrEmbedding

        session.query(PrEmbedding).filter(
            PrEmbedding.item_kind == "cutout", PrEmbedding.item_id.in_(missing)
        ).delete()
    predict(client, ctx, world.collection_id)
    items = _all_pages(client, collection_id=world.collection_id, limit=7)
    assert [i["cutout"]["id"] for i in items[-2:]] == missing
    assert all(i["candidates"] == [] for i in items[-2:])
    summary = client.get("/api/v1/pr/matching/summary", params={"collection_id": world.collection_id}).json()
    assert summary["with_candidates"] == len(world.truth) - 2


def test_a_queue_page_costs_the_same_queries_however_long(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    def statements(limit: int) -> int:
        with count_statements(ctx.db.engine) as seen:
            page = client.get(QUEUE, params={"collection_id": world.collection_id, "limit": limit})
        assert page.status_code == 200 and len(page.json()["items"]) == min(limit, len(world.truth))
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    assert statements(2) == statements(len(world.truth))


def test_over_fetching_finds_top_k_products_when_one_product_crowds_the_hits(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    """The true product has 300 more images, each closer to the cutout than any other product's: the
    first hits are all of it, and the search fetches more until it has four products."""
    from tests.pr.matching.conftest import axis, embed_product_images, unit

    target = next(c for c, p in world.truth.items() if p == world.products[1])
    embed_product_images(
        ctx,
        world.collection_id,
        {world.products[1]: [(10_000 + i, unit(axis(1) + 0.0001 * (i + 1) * axis(6))) for i in range(300)]},
    )
    index = open_vectors(ctx.settings)
    try:
        with ctx.db.write() as session:
            collection = session.get(PrEmbeddingCollection, world.collection_id)
            assert collection is not None
            written = predict_candidates(session, index, collection, top_k=4, cutout_ids=[target])
    finally:
        index.close()
    assert written == 4
    assert [r[3] for r in _candidate_rows(ctx) if r[1] == target][:1] == [world.products[1]]
    assert {r[3] for r in _candidate_rows(ctx) if r[1] == target} == set(world.products)


def test_predict_and_queue_refusals_name_the_field_and_change_nothing(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, world: World
) -> None:
    before, jobs = _candidate_rows(ctx), job_count(ctx)
    missing = client.post("/api/v1/pr/matching/predict", json={"collection_id": 999})
    assert missing.status_code == 422 and missing.json()["fields"][0]["field"] == "collection_id"
    viewer = viewer_client.post("/api/v1/pr/matching/predict", json={"collection_id": world.collection_id})
    assert viewer.status_code == 403
    assert _candidate_rows(ctx) == before and job_count(ctx) == jobs
    cases: list[tuple[dict[str, Any], str]] = [
        ({"collection_id": 999}, "collection_id"),
        ({"collection_id": world.collection_id, "min_similarity": 2}, "min_similarity"),
        ({"collection_id": world.collection_id, "cursor": "nope"}, "cursor"),
        ({"collection_id": world.collection_id, "sort": "name"}, "sort"),
        ({}, "collection_id"),
    ]
    for params, field in cases:
        bad = client.get(QUEUE, params=params)
        assert bad.status_code == 422, (params, bad.text)
        assert field in [f["field"] for f in bad.json()["fields"]], bad.json()
    # A cursor of one sort order is refused by the other.
    page = client.get(QUEUE, params={"collection_id": world.collection_id, "limit": 1}).json()
    other = client.get(
        QUEUE, params={"collection_id": world.collection_id, "sort": "id", "cursor": page["next_cursor"]}
    )
    assert other.status_code == 422 and other.json()["fields"][0]["field"] == "cursor"
    assert viewer_client.get(QUEUE, params={"collection_id": world.collection_id}).status_code == 200


def test_annotators_predict(annotator_client: TestClient, ctx: AppContext, world: World) -> None:
    response = annotator_client.post(
        "/api/v1/pr/matching/predict", json={"collection_id": world.collection_id}
    )
    assert response.status_code == 202
    assert response.json()["job"]["kind"] == "pr.matching.predict"


def test_a_deleted_products_points_left_in_the_index_are_never_candidates(
    client: TestClient, ctx: AppContext, world: World
) -> None:
    """Deleting a product leaves its points in the index until the next extraction; predicting meanwhile
    skips it (no candidate names a product that is gone) and ranks the rest."""
    gone = world.products[0]
    assert client.delete(f"/api/v1/pr/products/{gone}").status_code == 204
    predict(client, ctx, world.collection_id)
    rows = _candidate_rows(ctx)
    assert rows and gone not in {r[3] for r in rows}
    shown_by_gone = [c for c, p in world.truth.items() if p == gone]
    for cutout_id in shown_by_gone:
        ranked = [r[3] for r in rows if r[1] == cutout_id]
        # Its true product was rank 1 and is gone: the next product leads, then the rest.
        assert ranked[0] == world.second(cutout_id) and len(ranked) == len(world.products) - 1

"""The /pr/embeddings API: the model list (registered models, then stock backbones), collections with
their stats, deleting one (rows and index), a trained model's delete taking its collections along, roles,
and every refusal: it names the field, and nothing is written (no collection, no job, no index)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.pr.embeddings.helpers import (
    extract,
    extract_and_run,
    index_names,
    register_tiny_embedding_model,
    rows,
    state,
)
from tests.support.seed import count_statements
from tests.support.shelves import field_of

URL = "/api/v1/pr/embeddings"


def _trained(model_id: int) -> dict[str, Any]:
    return {"kind": "trained", "trained_model_id": model_id}


def test_the_model_list_has_registered_models_first_then_the_stock_backbones(
    client: TestClient, ctx: AppContext
) -> None:
    older = register_tiny_embedding_model(ctx, "older")
    newer = register_tiny_embedding_model(ctx, "newer", embedding_dim=8)  # installs the tiny dinov2-small
    items = client.get(f"{URL}/models").json()["items"]
    assert [(m["kind"], m["trained_model_id"]) for m in items[:2]] == [("trained", newer), ("trained", older)]
    assert items[0] == {
        "kind": "trained", "trained_model_id": newer, "backbone": "dinov2-small", "name": "newer", "dim": 8,
        "installed": True, "test_metrics": {"recall_at_1": 0.5}, "collection_id": None,
    }  # fmt: skip
    stock = {m["backbone"]: m for m in items[2:]}
    assert all(m["kind"] == "stock" and m["trained_model_id"] is None for m in stock.values())
    assert {"dinov2-small", "dinov2-base", "dinov2-large", "dinov3-small", "dinov3-base"} == set(stock)
    # The installed tiny folder decides its size; the others are the released sizes, not installed.
    assert (stock["dinov2-small"]["installed"], stock["dinov2-small"]["dim"]) == (True, 32)
    assert (stock["dinov2-base"]["installed"], stock["dinov2-base"]["dim"]) == (False, 768)
    assert stock["dinov2-base"]["name"] == "DINOv2 ViT-B/14"


def test_the_released_sizes_the_server_lists_are_the_backbones_architectures() -> None:
    from shelfscope.ml.embeddings.backbones import ARCHITECTURES
    from shelfscope.pr.embeddings.service import RELEASED_DIMS

    assert {key: arch["hidden_size"] for key, arch in ARCHITECTURES.items()} == RELEASED_DIMS


def test_collections_list_and_show_their_stats_and_an_unknown_one_is_404(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    model_id = register_tiny_embedding_model(ctx)
    created, _ = extract_and_run(ctx, client, model=_trained(model_id), collection="shelf-16")
    listed = client.get(f"{URL}/collections").json()["items"]
    assert [c["name"] for c in listed] == ["shelf-16"]
    assert listed[0] == client.get(f"{URL}/collections/{created['collection']['id']}").json()
    assert listed[0]["vector_count"] == 9 and listed[0]["metric"] == "cosine"
    missing = client.get(f"{URL}/collections/999")
    assert missing.status_code == 404 and missing.json()["collection_id"] == 999


def _collections(ctx: AppContext, names: list[str], model_id: int) -> None:
    """Collection rows with one embedding each, written directly (no job needed to list them)."""
    from shelfscope.pr.embeddings.models import PrEmbedding, PrEmbeddingCollection

    with ctx.db.write() as session:
        for n, name in enumerate(names):
            row = PrEmbeddingCollection(name=name, model_kind="trained", trained_model_id=model_id,
                                        backbone="dinov2-small", dim=16, vector_count=1)  # fmt: skip
            session.add(row)
            session.flush()
            session.add(PrEmbedding(collection_id=row.id, item_kind="cutout", item_id=n + 1,
                                    source_key="cutouts/x.jpg", vector=bytes(64)))  # fmt: skip


def test_listing_collections_and_models_costs_the_same_queries_for_one_or_many(
    client: TestClient, ctx: AppContext
) -> None:
    model_id = register_tiny_embedding_model(ctx)
    _collections(ctx, ["one"], model_id)
    with count_statements(ctx.db.engine) as few:
        assert len(client.get(f"{URL}/collections").json()["items"]) == 1
        client.get(f"{URL}/models")
    register_tiny_embedding_model(ctx, "second")
    _collections(ctx, ["two", "three", "four"], model_id)
    with count_statements(ctx.db.engine) as many:
        listed = client.get(f"{URL}/collections").json()["items"]
        client.get(f"{URL}/models")
    assert len(listed) == 4 and all(c["by_kind"]["cutout"] == 1 for c in listed)
    assert len(many) == len(few)


def test_deleting_a_collection_removes_its_rows_and_its_index_collection(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    model_id = register_tiny_embedding_model(ctx)
    created, _ = extract_and_run(ctx, client, model=_trained(model_id))
    collection_id, name = created["collection"]["id"], created["collection"]["name"]
    assert len(rows(ctx, collection_id)) == 9 and index_names(ctx) == [name]
    assert client.delete(f"{URL}/collections/{collection_id}").status_code == 204
    assert rows(ctx, collection_id) == {} and index_names(ctx) == []
    assert client.get(f"{URL}/collections/{collection_id}").status_code == 404
    assert client.get(f"{URL}/models").json()["items"][0]["collection_id"] is None
    assert client.delete(f"{URL}/collections/{collection_id}").status_code == 404


def test_deleting_a_trained_model_drops_its_collections_from_the_index(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    model_id = register_tiny_embedding_model(ctx)
    kept_model = register_tiny_embedding_model(ctx, "kept")
    created, _ = extract_and_run(ctx, client, model=_trained(model_id))
    extract_and_run(ctx, client, model=_trained(kept_model))
    assert index_names(ctx) == sorted([f"model-{kept_model}", f"model-{model_id}"])
    assert client.delete(f"/api/v1/pr/models/{model_id}").status_code == 204
    assert index_names(ctx) == [f"model-{kept_model}"]
    assert rows(ctx, created["collection"]["id"]) == {}
    assert [c["name"] for c in client.get(f"{URL}/collections").json()["items"]] == [f"model-{kept_model}"]


def test_an_extraction_into_a_collection_whose_job_is_queued_is_refused_and_so_is_its_delete(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    model_id = register_tiny_embedding_model(ctx)
    created = extract(client, model=_trained(model_id))
    before = state(ctx)
    again = client.post(f"{URL}/extract", json={"model": _trained(model_id)})
    assert again.status_code == 409 and again.json()["job_id"] == created["job"]["id"]
    assert field_of(again) == ["collection"]
    deleting = client.delete(f"{URL}/collections/{created['collection']['id']}")
    assert deleting.status_code == 409 and deleting.json()["job_id"] == created["job"]["id"]
    assert state(ctx) == before


def test_a_viewer_reads_but_cannot_extract_or_delete_and_an_annotator_can(
    client: TestClient,
    viewer_client: TestClient,
    annotator_client: TestClient,
    ctx: AppContext,
    catalogue: dict[str, int],
) -> None:
    model_id = register_tiny_embedding_model(ctx)
    created = extract(annotator_client, model=_trained(model_id), collection="by-annie")
    before = state(ctx)
    assert viewer_client.get(f"{URL}/models").status_code == 200
    assert viewer_client.get(f"{URL}/collections").json()["items"][0]["name"] == "by-annie"
    assert viewer_client.post(f"{URL}/extract", json={"model": _trained(model_id)}).status_code == 403
    assert viewer_client.delete(f"{URL}/collections/{created['collection']['id']}").status_code == 403
    assert state(ctx) == before


# ---- refusals: each names its field and writes nothing -----------------------------------------------


@pytest.fixture
def two_collections(client: TestClient, ctx: AppContext, catalogue: dict[str, int]) -> dict[str, int]:
    """`wide` holds the stock dinov2-small's vectors (32), `narrow` a tiny model's (16); two more
    registered models: one of size 16 (`other16`), one of size 8 (`small8`)."""
    first = register_tiny_embedding_model(ctx, "first")
    other = register_tiny_embedding_model(ctx, "other16")
    small = register_tiny_embedding_model(ctx, "small8", embedding_dim=8)
    extract_and_run(ctx, client, model={"kind": "stock", "backbone": "dinov2-small"}, collection="wide")
    extract_and_run(ctx, client, model=_trained(first), collection="narrow")
    return {"first": first, "other16": other, "small8": small}


def _refused(client: TestClient, ctx: AppContext, body: dict[str, Any], status: int) -> dict[str, Any]:
    before = state(ctx)
    response = client.post(f"{URL}/extract", json=body)
    assert response.status_code == status, response.text
    assert state(ctx) == before
    answer: dict[str, Any] = response.json()
    return answer


def test_a_collection_of_another_size_is_refused_with_both_sizes(
    client: TestClient, ctx: AppContext, two_collections: dict[str, int]
) -> None:
    body = _refused(client, ctx, {"model": _trained(two_collections["small8"]), "collection": "narrow"}, 422)
    assert body["field"] == "collection" and (body["collection_dim"], body["model_dim"]) == (16, 8)
    assert "16" in body["detail"] and "8" in body["detail"]
    body = _refused(client, ctx, {"model": _trained(two_collections["first"]), "collection": "wide"}, 422)
    assert (body["collection_dim"], body["model_dim"]) == (32, 16)


def test_a_collection_of_another_model_of_the_same_size_is_a_conflict(
    client: TestClient, ctx: AppContext, two_collections: dict[str, int]
) -> None:
    body = _refused(client, ctx, {"model": _trained(two_collections["other16"]), "collection": "narrow"}, 409)
    assert body["error"] == "Conflict" and body["field"] == "collection"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": {"kind": "trained", "trained_model_id": 999}}, "model.trained_model_id"),
        ({"model": {"kind": "trained"}}, "model.trained_model_id"),
        ({"model": {"kind": "trained", "trained_model_id": 0}}, "model.trained_model_id"),
        ({"model": {"kind": "stock"}}, "model.backbone"),
        ({"model": {"kind": "stock", "backbone": "sam2.1-hiera-tiny"}}, "model.backbone"),
        ({"model": {"kind": "stock", "backbone": "no-such-model"}}, "model.backbone"),
        ({"model": {"kind": "magic"}}, "model.kind"),
        ({"model": {"kind": "stock", "backbone": "dinov2-small"}, "sources": []}, "sources"),
        ({"model": {"kind": "stock", "backbone": "dinov2-small"}, "sources": ["videos"]}, "sources[0]"),
        ({"model": {"kind": "stock", "backbone": "dinov2-small"}, "domains": ["studio"]}, "domains[0]"),
        ({"model": {"kind": "stock", "backbone": "dinov2-small"}, "batch_size": 0}, "batch_size"),
        ({"model": {"kind": "stock", "backbone": "dinov2-small"}, "batch_size": 10_000}, "batch_size"),
        ({"model": {"kind": "stock", "backbone": "dinov2-small"}, "collection": "Not A Name"}, "collection"),
        ({"model": {"kind": "stock", "backbone": "dinov2-small"}, "colour": "red"}, "colour"),
        ({}, "model"),
    ],
)
def test_bad_extract_requests_name_the_field_and_write_nothing(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int], body: dict[str, Any], field: str
) -> None:
    answer = _refused(client, ctx, body, 422)
    named = [answer.get("field"), *(f["field"] for f in answer.get("fields", []))]
    assert field in named, answer


def test_a_stock_backbone_that_is_not_installed_is_refused_with_the_fetch_command(
    client: TestClient, ctx: AppContext, catalogue: dict[str, int]
) -> None:
    body = _refused(client, ctx, {"model": {"kind": "stock", "backbone": "dinov2-base"}}, 422)
    assert field_of_body(body) == ["model.backbone"]
    assert "shelfscope models fetch dinov2-base" in body["detail"]
    assert body["fetch"] == "shelfscope models fetch dinov2-base"


def field_of_body(body: dict[str, Any]) -> list[str]:
    return [f["field"] for f in body.get("fields", [])]

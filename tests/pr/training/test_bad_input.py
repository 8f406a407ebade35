"""Every bad run request is a 422 (or 409) naming what is wrong, and stores nothing: no run, no frozen
image, no job. Too little data is refused with the counts (at the real minimums: 10 products, 100
images)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.pr.training.helpers import stored_state, write_catalogue

EIGHT = {f"P{i}": {"real": 3} for i in range(8)}
BASE: dict[str, Any] = {"backbone": "dinov2-small", "pretrained": False, "config": {"products_per_batch": 2}}


def _refused(client: TestClient, ctx: AppContext, body: dict[str, Any], status: int = 422) -> dict[str, Any]:
    before = stored_state(ctx)
    response = client.post("/api/v1/pr/training", json=body)
    assert response.status_code == status, response.text
    assert stored_state(ctx) == before
    answer: dict[str, Any] = response.json()
    assert answer["detail"]
    return answer


def _field(answer: dict[str, Any]) -> str:
    assert answer["error"] == "ValidationFailed", answer
    return str(answer["fields"][0]["field"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"backbone": "dinov9-huge"}, "backbone"),
        ({"backbone": "grounding-dino-tiny"}, "backbone"),
        ({"name": ""}, "name"),
        ({"data": {"split": {"train": 0.7, "val": 0.2, "test": 0.2}}}, "data.split"),
        ({"data": {"split": {"train": 1.0, "val": 0.0, "test": 0.0}}}, "data.split.train"),
        ({"data": {"domains": []}}, "data.domains"),
        ({"data": {"domains": ["real", "real"]}}, "data.domains"),
        ({"data": {"domains": ["thermal"]}}, "data.domains[0]"),
        ({"data": {"source": "everything"}}, "data.source"),
        ({"data": {"source": "dataset"}}, "data"),
        ({"data": {"dataset_id": 3}}, "data"),
        ({"data": {"source": "dataset", "dataset_id": 999}}, "data.dataset_id"),
        ({"data": {"frames": {"mode": "interval", "every": 0}}}, "data.frames.every"),
        ({"data": {"min_images_per_product": 1}}, "data.min_images_per_product"),
        ({"data": {"seed": -1}}, "data.seed"),
        ({"config": {"epochs": 0}}, "config.epochs"),
        ({"config": {"loss": "contrastive"}}, "config.loss"),
        ({"config": {"llrd": 1.5}}, "config.llrd"),
        ({"config": {"learning_rate": 0}}, "config.learning_rate"),
        ({"config": {"images_per_product": 1}}, "config.images_per_product"),
        ({"config": {"device": "tpu"}}, "config.device"),
        ({"config": {"backbone": "dinov2-base"}}, "config.backbone"),
        ({"config": {"products_per_batch": 7}}, "config.products_per_batch"),
        ({"optimizer": "sgd"}, "optimizer"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(
    client: TestClient, ctx: AppContext, change: dict[str, Any], field: str
) -> None:
    write_catalogue(ctx, EIGHT)
    body = BASE | change
    if "config" in change:
        body["config"] = (
            change["config"]
            if "products_per_batch" in change["config"]
            else BASE["config"] | change["config"]
        )
    assert _field(_refused(client, ctx, body)) == field


def test_a_split_leaving_fewer_than_two_train_products_is_refused(
    client: TestClient, ctx: AppContext
) -> None:
    write_catalogue(ctx, {f"P{i}": {"real": 3} for i in range(5)})
    answer = _refused(client, ctx, BASE)
    assert _field(answer) == "data.split" and "5 products leave 1 for training" in answer["detail"]


def test_fewer_than_10_products_is_refused_with_the_counts(client: TestClient, ctx: AppContext) -> None:
    ctx.settings.pr_training_min_products = 10
    ctx.settings.pr_training_min_images = 100
    write_catalogue(ctx, {f"P{i}": {"real": 30} for i in range(9)} | {"Q": {"real": 1}})
    answer = _refused(client, ctx, BASE)
    assert _field(answer) == "data" and answer["field"] == "data"
    # Q has one image: below the minimum of 2 per product, it is excluded before counting.
    assert (answer["products"], answer["images"]) == (9, 270)
    assert (answer["min_products"], answer["min_images"], answer["excluded_products"]) == (10, 100, 1)
    assert "9 products" in answer["detail"] and "10 products" in answer["detail"]


def test_fewer_than_100_images_is_refused_with_the_counts(client: TestClient, ctx: AppContext) -> None:
    ctx.settings.pr_training_min_products = 10
    ctx.settings.pr_training_min_images = 100
    write_catalogue(ctx, {f"P{i}": {"real": 4, "synthetic": 5} for i in range(12)})
    answer = _refused(client, ctx, BASE | {"data": {"domains": ["real"]}})
    assert (answer["products"], answer["images"], answer["min_images"]) == (12, 48, 100)
    # With every domain the same catalogue passes (12 x 9 = 108 images).
    assert client.post("/api/v1/pr/training", json=BASE).status_code == 202


def test_pretrained_weights_a_worker_cannot_get_are_refused(client: TestClient, ctx: AppContext) -> None:
    write_catalogue(ctx, EIGHT)
    gated = _refused(client, ctx, BASE | {"backbone": "dinov3-small", "pretrained": True}, 409)
    assert gated["error"] == "Conflict" and gated["token_needed"] is True
    assert "SHELFSCOPE_ML_HUB_TOKEN" in gated["detail"] and gated["folder"].endswith("dinov3-small")
    missing = _refused(client, ctx, BASE | {"pretrained": True}, 409)
    assert missing["token_needed"] is False and "shelfscope models fetch dinov2-small" in missing["detail"]
    ctx.settings.ml_offline = True
    offline = _refused(client, ctx, BASE | {"pretrained": True}, 409)
    assert offline["backbone"] == "dinov2-small" and "offline" in offline["detail"]
    # Random init needs no weights, offline or not.
    assert client.post("/api/v1/pr/training", json=BASE | {"backbone": "dinov3-small"}).status_code == 202


def test_bad_list_parameters_are_named(client: TestClient) -> None:
    for params, field in (
        ({"status": "sleeping"}, "status"),
        ({"cursor": "nope"}, "cursor"),
        ({"limit": 0}, "limit"),
    ):
        answer = client.get("/api/v1/pr/training", params=params)
        assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == field
    assert client.get("/api/v1/pr/training/5").status_code == 404
    assert client.get("/api/v1/pr/training/5/images").status_code == 404
    assert client.get("/api/v1/pr/training/5/checkpoints").status_code == 404
    assert client.get("/api/v1/pr/training/5/evaluation").status_code == 404

"""Starting, listing and reading runs through the API (no training: the job stays queued). The run
freezes its image list split by product, in one transaction with the run and its job."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.pr.datasets.models import PrDataset
from shelfscope.pr.training.models import PrTrainingImage
from tests.pr.training.helpers import add_video_frames, start, write_catalogue

SIX = {f"P{i}": {"synthetic": 1, "real": 2} for i in range(6)}


def _images(client: TestClient, run_id: int, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(
            f"/api/v1/pr/training/{run_id}/images",
            params={"limit": 7, **params} | ({"cursor": cursor} if cursor else {}),
        ).json()
        out += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def test_a_run_freezes_its_images_split_by_product_and_queues_its_job(
    client: TestClient, ctx: AppContext
) -> None:
    write_catalogue(ctx, SIX)
    created = start(
        client, name="first", data={"split": {"train": 0.5, "val": 0.25, "test": 0.25}, "seed": 7}
    )
    run, job = created["run"], created["job"]
    assert run["status"] == "queued" and run["job_id"] == job["id"] and run["name"] == "first"
    assert job["kind"] == "pr.training.run" and job["queue"] == "ml"
    assert run["backbone"] == "dinov2-small" and run["pretrained"] is False
    # The method config is stored whole: EmbedTrainConfig's defaults where the request said nothing.
    assert (
        run["config"]["products_per_batch"] == 2
        and run["config"]["epochs"] == 20
        and run["config"]["loss"] == "arcface_triplet"
    )
    assert run["total_epochs"] == 20 and run["progress"] == 0.0 and run["model_count"] == 0
    assert run["data_config"]["frames"] == {"mode": "all", "every": 5}

    summary = run["data_summary"]
    assert summary["products"] == 6 and summary["images"] == 18 and summary["skipped"] == []
    assert [summary[s]["products"] for s in ("train", "val", "test")] == [2, 2, 2]
    assert [summary[s]["images"] for s in ("train", "val", "test")] == [6, 6, 6]
    images = _images(client, run["id"])
    assert len(images) == 18
    splits_of: dict[int, set[str]] = defaultdict(set)
    for image in images:
        splits_of[image["product_id"]].add(image["split"])
    assert len(splits_of) == 6 and all(len(s) == 1 for s in splits_of.values())
    test_only = _images(client, run["id"], split="test")
    assert {i["split"] for i in test_only} == {"test"} and len(test_only) == summary["test"]["images"]

    # The same data and seed freeze the same split.
    again = start(client, data={"split": {"train": 0.5, "val": 0.25, "test": 0.25}, "seed": 7})["run"]
    assert {i["product_id"]: i["split"] for i in _images(client, again["id"])} == {
        i["product_id"]: i["split"] for i in images
    }


def test_config_values_given_are_kept_and_the_rest_default(client: TestClient, ctx: AppContext) -> None:
    write_catalogue(ctx, SIX)
    config = {
        "epochs": 3,
        "embedding_dim": 64,
        "image_size": 56,
        "products_per_batch": 2,
        "loss": "arcface",
        "llrd": 1.0,
    }
    run = start(client, config=config)["run"]
    assert {k: run["config"][k] for k in config} == config
    assert run["config"]["images_per_product"] == 4 and run["config"]["patience"] == 5
    assert "backbone" not in run["config"] and run["total_epochs"] == 3
    assert client.get(f"/api/v1/pr/training/{run['id']}").json() == run | {"progress": 0.0}


def test_domains_frames_and_minimum_decide_the_images(client: TestClient, ctx: AppContext) -> None:
    ids = write_catalogue(ctx, {f"P{i}": {"real": 2, "cutout": 1} for i in range(6)})
    frames = add_video_frames(ctx, ids["P0"], 10)
    key_frames = add_video_frames(ctx, ids["P1"], 3, mode="key_frames")

    def frozen(**data: Any) -> set[int]:
        run = start(client, data=data)["run"]
        return {i["product_image_id"] for i in _images(client, run["id"])}

    everything = frozen(domains=["real", "cutout", "synthetic"])
    assert set(frames) | set(key_frames) <= everything and len(everything) == 18 + 13
    assert frozen(domains=["real", "cutout", "synthetic"], frames={"mode": "first"}) & set(frames) == {
        frames[0]
    }
    assert frozen(domains=["real", "cutout", "synthetic"], frames={"mode": "interval", "every": 4}) & set(
        frames
    ) == {frames[0], frames[4], frames[8]}
    chosen = frozen(domains=["real", "cutout", "synthetic"], frames={"mode": "key_frames"})
    assert not chosen & set(frames) and set(key_frames) <= chosen
    # Only the real photos: 6 products x 2.
    assert len(frozen(domains=["real"])) == 12
    # min 3 real+cutout images: every product has exactly 3.
    run = start(client, data={"domains": ["real", "cutout"], "min_images_per_product": 3})["run"]
    assert run["data_summary"]["images"] == 18 and run["data_summary"]["excluded_products"] == 0


def test_a_dataset_source_takes_the_datasets_products_and_domains(
    client: TestClient, ctx: AppContext
) -> None:
    ids = write_catalogue(ctx, {f"P{i}": {"real": 2, "synthetic": 1} for i in range(8)})
    chosen = [ids[f"P{i}"] for i in range(6)]
    with ctx.db.write() as session:
        dataset = PrDataset(
            name="six", source="selection", selection={"product_ids": chosen}, domains=["real"]
        )
        session.add(dataset)
        session.flush()
        dataset_id = dataset.id
    run = start(client, data={"source": "dataset", "dataset_id": dataset_id})["run"]
    assert run["dataset_id"] == dataset_id
    images = _images(client, run["id"])
    assert {i["product_id"] for i in images} == set(chosen) and {i["domain"] for i in images} == {"real"}


def test_the_list_is_newest_first_with_pages_and_a_status_filter(client: TestClient, ctx: AppContext) -> None:
    write_catalogue(ctx, SIX)
    made = [start(client, name=f"run {i}")["run"]["id"] for i in range(3)]
    page = client.get("/api/v1/pr/training", params={"limit": 2}).json()
    assert [r["id"] for r in page["items"]] == made[::-1][:2] and page["total"] == 3
    rest = client.get("/api/v1/pr/training", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [r["id"] for r in rest["items"]] == [made[0]] and rest["next_cursor"] is None
    assert client.post(f"/api/v1/pr/training/{made[1]}/cancel").status_code == 202
    cancelled = client.get("/api/v1/pr/training", params={"status": "cancelled"}).json()
    assert [r["id"] for r in cancelled["items"]] == [made[1]]
    both = client.get("/api/v1/pr/training", params={"status": "cancelled,queued"}).json()
    assert both["total"] == 3


def test_backbones_list_the_embedders_with_install_and_token_state(client: TestClient) -> None:
    listed = client.get("/api/v1/pr/training/backbones").json()
    assert [b["key"] for b in listed] == [
        "dinov2-small",
        "dinov2-base",
        "dinov2-large",
        "dinov3-small",
        "dinov3-base",
    ]
    assert all(not b["installed"] and not b["token_set"] for b in listed)
    assert [b["gated"] for b in listed] == [False, False, False, True, True]


def test_viewers_read_but_cannot_start_runs(
    client: TestClient, viewer_client: TestClient, ctx: AppContext
) -> None:
    write_catalogue(ctx, SIX)
    run_id = start(client)["run"]["id"]
    assert viewer_client.get(f"/api/v1/pr/training/{run_id}").status_code == 200
    refused = viewer_client.post(
        "/api/v1/pr/training", json={"backbone": "dinov2-small", "pretrained": False}
    )
    assert refused.status_code == 403
    assert viewer_client.post(f"/api/v1/pr/training/{run_id}/cancel").status_code == 403
    with ctx.db.read() as session:
        assert len(list(session.scalars(select(Job)))) == 1
        assert len(list(session.scalars(select(PrTrainingImage)))) == 18

"""What the client's ML tests build on the live server: tiny random-weight models written where an
offline user copies weights (`<data dir>/models/<key>/`), a dataset of images with two classes made
through the HTTP API, a frozen version from a synthetic COCO import, and a registered tiny detector."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

import httpx

from shelfscope.client import Client
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db import Database
from shelfscope.storage import open_storage
from tests.client.conftest import LiveServer
from tests.support.annotations import jpeg_bytes

GD = "grounding-dino-tiny"
ANNOTATE_KIND = "od.ai.annotate.run"
# About 50 k parameters (tests/training): two epochs on a handful of 64 px images take seconds.
TINY_TRAINING: dict[str, Any] = {
    "learning_rate": 1e-3, "warmup_epochs": 0, "pretrained": False, "device": "cpu",
    "augmentation": "light", "patience": None,
    "model_overrides": {
        "backbone": {
            "layer_type": "basic", "depths": [1, 1, 1, 1], "hidden_sizes": [8, 16, 32, 64],
            "embedding_size": 8,
        },
        "encoder_hidden_dim": 16, "d_model": 16, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32,
        "decoder_layers": 2, "num_queries": 20, "num_denoising": 5, "encoder_attention_heads": 2,
        "decoder_attention_heads": 2,
    },
}  # fmt: skip


def tag() -> str:
    return uuid4().hex[:8]


def settings_of(live: LiveServer) -> Settings:
    return Settings(data_dir=live.data_dir, database_url=live.env["SHELFSCOPE_DATABASE_URL"])


def raw(live: LiveServer) -> httpx.Client:
    """Plain HTTP as the admin, for setting up what the code under test then works on."""
    return httpx.Client(
        base_url=f"{live.url}/api/v1", headers={"Authorization": f"Bearer {live.token}"}, timeout=120
    )


def ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def install_detector(live: LiveServer, key: str = GD) -> None:
    """The tiny Grounding DINO in the server's models folder (built once per test session)."""
    from tests.support.tiny_models import install_tiny_model

    if not (live.data_dir / "models" / key / "config.json").is_file():
        install_tiny_model(settings_of(live), key)


def install_embedder(live: LiveServer, key: str = "dinov2-small") -> None:
    from tests.support.tiny_embedders import install_tiny_embedder

    if not (live.data_dir / "models" / key).is_dir():
        install_tiny_embedder(settings_of(live), key)


@dataclass(frozen=True)
class Scene:
    dataset_id: int
    dataset_name: str
    image_ids: list[int]
    classes: dict[str, int]  # name -> id: Cola-<tag>, Fanta-<tag>


def make_scene(live: LiveServer, images: int = 3, photos: list[Path] | None = None) -> Scene:
    """A new dataset holding `images` uploaded flat-colour JPEGs (or these real `photos`), and two new
    classes, all with unique names."""
    t = tag()
    with raw(live) as http:
        classes = {
            name: ok(http.post("/od/classes", json={"name": name}))["id"]
            for name in (f"Cola-{t}", f"Fanta-{t}")
        }
        files = [("files", (f"s{i}.jpg", jpeg_bytes(10 + i * 20), "image/jpeg")) for i in range(images)]
        if photos is not None:
            files = [("files", (p.name, p.read_bytes(), "image/jpeg")) for p in photos]
        uploaded = ok(http.post("/od/images", files=files))
        image_ids = [r["image"]["id"] for r in uploaded["results"]]
        name = f"shelves-{t}"
        dataset = ok(http.post("/od/datasets", json={"name": name}))
        ok(http.post(f"/od/datasets/{dataset['id']}/images", json={"image_ids": image_ids}))
    return Scene(dataset["id"], name, image_ids, classes)


def boxes(live: LiveServer, dataset_id: int, image_ids: list[int]) -> list[dict[str, Any]]:
    """Every stored annotation of those images in the dataset."""
    with raw(live) as http:
        return [
            item
            for image_id in image_ids
            for item in ok(http.get(f"/od/datasets/{dataset_id}/images/{image_id}/annotations"))["items"]
        ]


def job_count(api: Client, kind: str) -> int:
    return sum(1 for _ in api.jobs.list(kind=kind))


def make_version(live: LiveServer, api: Client, folder: Path) -> tuple[str, int]:
    """A synthetic COCO set (shapes on real photos; train 6, val 3, test 3) imported into a new dataset
    and frozen as version 1; (dataset name, version number)."""
    from bench.train_synthetic import write_set

    from tests.support.dataset_files import zip_folder

    write_set(folder, {"train": 6, "val": 3, "test": 3}, seed=12, size=(96, 72))
    name = f"shapes-{tag()}"
    with raw(live) as http:
        started = ok(
            http.post(
                "/od/images/import/coco",
                files={"file": ("set.zip", zip_folder(folder), "application/zip")},
                data={"dataset_name": name},
            )
        )
        job = api.jobs.wait(started["job"]["id"])
        dataset_id = int(job.result["dataset_id"]) if job.result else 0
        created = ok(http.post(f"/od/datasets/{dataset_id}/versions", json={}))
        api.jobs.wait(created["job"]["id"])
    return name, int(created["version"]["number"])


def register_detector(live: LiveServer, classes: list[tuple[int, str]], dataset_id: int) -> int:
    """The tiny RT-DETRv2 stored through the registry's own service into the live server's database
    and storage, as a finished run registers its model (no training); its id. The ONNX export's parity
    check runs on the dataset's first image: give it a real photo (flat colours tie)."""
    from tests.support.trained_models import register_tiny_model

    settings = settings_of(live)
    db = Database.from_settings(settings)
    try:
        # The registry service needs the database and storage only; no runner is started here.
        ctx = AppContext(settings=settings, db=db, storage=open_storage(settings), runner=cast(Any, None))
        row = register_tiny_model(ctx, classes, name=f"tiny-{tag()}", dataset_id=dataset_id)
        return int(row.id)
    finally:
        db.dispose()


def photo(tmp: Path, shade: int, size: tuple[int, int] = (160, 120)) -> Path:
    """A local JPEG file."""
    path = Path(tempfile.mkdtemp(dir=tmp)) / f"photo-{shade}.jpg"
    path.write_bytes(jpeg_bytes(shade, size))
    return path

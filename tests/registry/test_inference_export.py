"""Testing a registered model on one image (a library image or an upload), and its ONNX export with the
parity check against PyTorch, the downloads, and the inputs both refuse."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.od.images.models import Image
from shelfscope.od.trained_models.models import TrainedModel
from tests.registry.conftest import Registered
from tests.support.ai import run_job
from tests.support.annotations import jpeg_bytes
from tests.support.registry import inference
from tests.support.trained_models import write_tiny_rtdetrv2

URL = "/api/v1/od/models"


def _job_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def _onnx(ctx: AppContext, model_id: int) -> dict[str, Any] | None:
    with ctx.db.read() as session:
        row = session.get(TrainedModel, model_id)
        assert row is not None
        return row.onnx


def _library_image(ctx: AppContext, image_id: int) -> tuple[bytes, int, int]:
    with ctx.db.read() as session:
        image = session.get(Image, image_id)
        assert image is not None
        return ctx.storage.read_bytes(image.storage_key), image.width, image.height


def test_inference_on_a_library_image_names_the_dataset_classes(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    cola, fanta = registered.scene.class_ids
    image_id = registered.scene.image_ids[0]
    _, width, height = _library_image(ctx, image_id)
    response = inference(client, ctx, registered.model_id, json={"image_id": image_id})
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["width"], out["height"]) == (width, height) and out["seconds"] > 0
    assert out["boxes"], "the tiny model scores every query about 0.5 or more"
    by_index = {0: (fanta, "Fanta"), 1: (cola, "Cola")}
    for box in out["boxes"]:
        assert (box["class_id"], box["label"]) == by_index[box["class_index"]]
        assert 0 <= box["x1"] <= box["x2"] <= width and 0 <= box["y1"] <= box["y2"] <= height
        assert box["score"] >= 0.05
    # A higher threshold keeps exactly the boxes at or above it (the slider's promise).
    cut = sorted(b["score"] for b in out["boxes"])[len(out["boxes"]) // 2]
    fewer = inference(client, ctx, registered.model_id, json={"image_id": image_id, "threshold": cut}).json()
    assert sorted(b["score"] for b in fewer["boxes"]) == sorted(
        b["score"] for b in out["boxes"] if b["score"] >= cut
    )


def test_an_uploaded_image_gives_the_boxes_of_the_same_library_image(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    image_id = registered.scene.image_ids[1]
    data, _, _ = _library_image(ctx, image_id)
    library = inference(
        client, ctx, registered.model_id, json={"image_id": image_id, "threshold": 0.3}
    ).json()
    uploaded = inference(
        client,
        ctx,
        registered.model_id,
        files={"file": ("shelf.jpg", data, "image/jpeg")},
        data={"threshold": "0.3"},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["boxes"] == library["boxes"]
    # The upload was kept only while the job ran.
    assert list(ctx.storage.iter_keys("tmp/")) == []


def test_bad_inference_requests_are_refused_before_any_job(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    url = f"{URL}/{registered.model_id}/inference"
    jobs_before = _job_count(ctx)
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"json": {"image_id": registered.scene.image_ids[0], "threshold": 1.5}}, 422, "threshold"),
        ({"json": {"image_id": 0}}, 422, "image_id"),
        ({"json": {"image_id": 987654}}, 404, None),
        ({"json": {"threshold": 0.2}}, 422, "image_id"),
        (
            {"files": {"file": ("a.jpg", jpeg_bytes(5), "image/jpeg")}, "data": {"threshold": "lots"}},
            422,
            "threshold",
        ),
        ({"files": {"file": ("notes.txt", b"not an image", "text/plain")}}, 415, None),
        ({"data": {"threshold": "0.2"}, "files": {"other": ("a.jpg", b"x", "image/jpeg")}}, 422, "file"),
        ({"content": b"image_id=1", "headers": {"content-type": "text/plain"}}, 415, None),
    ]
    for kwargs, status, field in cases:
        refused = client.post(url, **kwargs)
        assert refused.status_code == status, (kwargs, refused.text)
        if field is not None:
            assert field in refused.json()["detail"], refused.json()
    assert (
        client.post(f"{URL}/999999/inference", json={"image_id": registered.scene.image_ids[0]}).status_code
        == 404
    )
    assert _job_count(ctx) == jobs_before
    assert list(ctx.storage.iter_keys("tmp/")) == []


def test_onnx_export_records_parity_with_pytorch_and_downloads(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    url = f"{URL}/{registered.model_id}"
    not_yet = client.get(f"{url}/download", params={"format": "onnx"})
    assert not_yet.status_code == 409

    started = client.post(f"{url}/export", json={"format": "onnx"})
    assert started.status_code == 202, started.text
    assert client.get(url).json()["onnx"]["status"] == "running"
    job = run_job(ctx, started.json()["job"]["id"])
    assert job.status == "succeeded", (job.error, job.result)

    onnx = client.get(url).json()["onnx"]
    assert onnx["status"] == "ready" and onnx["error"] is None
    assert onnx["image_id"] == registered.scene.image_ids[0]
    assert 0 <= onnx["max_abs_diff"] <= 1e-3
    assert onnx["box_iou_min"] >= 0.99 and onnx["boxes_compared"] > 0
    stored = ctx.storage.read_bytes(f"models/od/{registered.model_id}/exports/model.onnx")
    assert onnx["size"] == len(stored)

    downloaded = client.get(f"{url}/download", params={"format": "onnx"})
    assert downloaded.status_code == 200 and downloaded.content == stored
    archive = client.get(f"{url}/download")
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        assert sorted(z.namelist()) == ["config.json", "model.safetensors", "shelfscope-model.json"]
        prefix = f"models/od/{registered.model_id}/"
        assert z.read("model.safetensors") == ctx.storage.read_bytes(prefix + "model.safetensors")


def test_unsupported_export_formats_are_refused_and_nothing_starts(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    url = f"{URL}/{registered.model_id}/export"
    jobs_before = _job_count(ctx)
    tensorrt = client.post(url, json={"format": "tensorrt"})
    assert tensorrt.status_code == 409
    assert tensorrt.json()["field"] == "format" and "TensorRT" in tensorrt.json()["detail"]
    other = client.post(url, json={"format": "coreml"})
    assert other.status_code == 422 and other.json()["fields"][0]["field"] == "format"
    assert client.post(f"{URL}/999999/export", json={"format": "onnx"}).status_code == 404
    assert client.get(f"{URL}/{registered.model_id}/download", params={"format": "tflite"}).status_code == 422
    assert _job_count(ctx) == jobs_before and _onnx(ctx, registered.model_id) is None


def test_the_parity_check_fails_an_onnx_file_of_other_weights(
    ctx: AppContext, registered: Registered, tmp_path: Path
) -> None:
    """The check is only worth something if it can fail: PyTorch of one model against ONNX of another."""
    import torch
    from PIL import Image as PILImage

    from shelfscope.ml.trainers import families
    from shelfscope.od.trained_models.runs import check_parity

    ours = tmp_path / "ours"
    write_tiny_rtdetrv2(ours, ["Fanta", "Cola"], seed=0)
    theirs = tmp_path / "theirs"
    write_tiny_rtdetrv2(theirs, ["Fanta", "Cola"], seed=1)
    families.export_onnx(theirs, tmp_path / "theirs.onnx")
    data, _, _ = _library_image(ctx, registered.scene.image_ids[0])
    photo = PILImage.open(io.BytesIO(data)).convert("RGB")
    reference = families.load_predictor(ours, torch.device("cpu"))
    parity = check_parity(reference, families.load_onnx_predictor(ours, tmp_path / "theirs.onnx"), photo)
    assert parity.problems and parity.max_abs_diff > 1e-3
    same = check_parity(reference, families.load_onnx_predictor(theirs, tmp_path / "theirs.onnx"), photo)
    assert same.problems, "our PyTorch model is not their ONNX file either way round"


def test_an_export_whose_model_files_are_gone_fails_and_says_so_on_the_model(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    url = f"{URL}/{registered.model_id}"
    started = client.post(f"{url}/export", json={"format": "onnx"})
    for key in list(ctx.storage.iter_keys(f"models/od/{registered.model_id}/")):
        ctx.storage.delete(key)
    job = run_job(ctx, started.json()["job"]["id"])
    assert job.status == "failed"
    onnx = client.get(url).json()["onnx"]
    assert onnx["status"] == "failed" and "no files are stored" in onnx["error"]
    assert onnx["job_id"] == job.id and onnx["size"] is None
    assert client.get(f"{url}/download", params={"format": "onnx"}).status_code == 409

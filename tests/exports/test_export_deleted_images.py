"""Images deleted while an export runs: the export still succeeds, leaves each such image out with its
annotations (never a label without its image), and says which ones in the job's result and log."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.exports.schemas import ExportPayload
from shelfscope.od.exports.service import run_export
from shelfscope.od.images.models import Image
from shelfscope.od.images.service import delete_image
from tests.support.dataset_files import jpeg, run_job, sample_items, upload, write_coco, zip_folder


def _dataset(client: TestClient, ctx: AppContext, tmp_path: Path) -> int:
    response = upload(client, "coco", zip_folder(write_coco(tmp_path / "src", sample_items(4))))
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded" and job.result is not None, job.error
    return int(job.result["dataset_id"])


def _image(ctx: AppContext, filename: str) -> Image:
    with ctx.db.read() as session:
        return session.scalars(select(Image).where(Image.filename == filename)).one()


class DeleteWhenTheExportStarts:
    """A reporter that, at the export's first progress report (its snapshot is taken, no image is read
    yet), deletes an image and its annotations the way a person would, from another session."""

    def __init__(self, ctx: AppContext, image_id: int) -> None:
        self.ctx = ctx
        self.image_id = image_id
        self.deleted = False
        self.logs: list[tuple[str, str]] = []

    def progress(self, fraction: float, stage: str | None = None) -> None:
        if not self.deleted:
            self.deleted = True
            with self.ctx.db.writer() as session:
                delete_image(session, self.ctx.storage, self.image_id, force=True)

    def log(self, message: str, level: str = "info") -> None:
        self.logs.append((level, message))

    def check_cancelled(self) -> None:
        pass


@pytest.mark.parametrize("fmt", ["yolo", "coco"])
def test_an_image_deleted_during_the_export_is_skipped_and_reported(
    client: TestClient, ctx: AppContext, tmp_path: Path, fmt: str
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path)
    gone = _image(ctx, "img_001.jpg")
    reporter = DeleteWhenTheExportStarts(ctx, gone.id)
    payload = ExportPayload.model_validate({"dataset_id": dataset_id, "format": fmt})

    result = run_export(ctx.settings, ctx.db, ctx.storage, payload, reporter, "t1")

    assert reporter.deleted and not ctx.storage.exists(gone.storage_key)
    assert result.images == 3 and result.skipped_images == 1
    assert [(s.image_id, s.filename) for s in result.skipped] == [(gone.id, "img_001.jpg")]
    assert any(level == "warning" and "img_001.jpg" in text for level, text in reporter.logs)
    assert result.warnings == [
        f"Left out 1 image deleted while the export ran, with its annotations: img_001.jpg (image {gone.id})."
    ]
    names = zipfile.ZipFile(io.BytesIO(ctx.storage.read_bytes(result.key))).namelist()
    assert not any("img_001" in name for name in names), names
    assert sum(name.startswith("images/") for name in names) == 3
    assert result.annotations == sum(len(it.boxes) for it in sample_items(4) if it.name != "img_001.jpg")


def test_an_export_whose_image_bytes_are_gone_succeeds_through_the_api_and_names_them(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path)
    gone = _image(ctx, "img_002.jpg")
    ctx.storage.delete(gone.storage_key)  # removed before the export reads it

    response = client.post(f"/api/v1/od/datasets/{dataset_id}/export/voc", json={})
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])

    assert job.status == "succeeded", job.error
    result: dict[str, Any] = job.result or {}
    assert result["images"] == 3 and result["skipped_images"] == 1
    assert result["skipped"] == [{"image_id": gone.id, "filename": "img_002.jpg"}]
    download = client.get(f"/api/v1/od/export/{job.id}/download")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert "JPEGImages/img_002.jpg" not in archive.namelist()
    assert "Annotations/img_002.xml" not in archive.namelist()
    assert archive.read("JPEGImages/img_000.jpg") == jpeg(1)
    # Nothing else changed: the image row stays (only its bytes are gone, for verify to report).
    assert _image(ctx, "img_002.jpg").id == gone.id


def test_an_export_with_every_image_present_reports_nothing_skipped(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path)
    response = client.post(f"/api/v1/od/datasets/{dataset_id}/export/yolo", json={})
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded" and job.result is not None
    assert (job.result["images"], job.result["skipped_images"], job.result["skipped"]) == (4, 0, [])
    assert job.result["warnings"] == []

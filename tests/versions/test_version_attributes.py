"""VOC object flags (difficult, truncated, occluded, pose) survive import, versions and export; written
coordinates carry no float noise."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from fastapi.testclient import TestClient
from sqlalchemy import update

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from tests.support.dataset_files import Item, jpeg, run_job, sample_items, upload, write_coco, zip_folder

_OBJECTS = (
    ("cola", "<pose>Left</pose><truncated>1</truncated><difficult>1</difficult>", 1, 2, 30, 40),
    ("chips", "<occluded>1</occluded>", 5, 6, 20, 22),
)


def _voc_zip(tmp_path: Path) -> bytes:
    root = tmp_path / "voc"
    for sub in ("Annotations", "JPEGImages", "ImageSets/Main"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "JPEGImages" / "a.jpg").write_bytes(jpeg(1))
    objects = "".join(
        f"<object><name>{name}</name>{flags}<bndbox><xmin>{x1}</xmin><ymin>{y1}</ymin>"
        f"<xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>"
        for name, flags, x1, y1, x2, y2 in _OBJECTS
    )
    (root / "Annotations" / "a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>64</width><height>48</height>"
        f"<depth>3</depth></size>{objects}</annotation>"
    )
    (root / "ImageSets" / "Main" / "train.txt").write_text("a\n")
    return zip_folder(root)


def _job(client: TestClient, ctx: AppContext, response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded" and job.result is not None, (job.error, job.result)
    return {**job.result, "job_id": job.id}


def _download(client: TestClient, job_id: object) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/od/export/{job_id}/download")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def _flags(archive: zipfile.ZipFile) -> dict[str | None, dict[str, str | None]]:
    root = ElementTree.fromstring(archive.read("Annotations/a.xml"))
    return {
        obj.findtext("name"): {f: obj.findtext(f) for f in ("pose", "truncated", "occluded", "difficult")}
        for obj in root.iter("object")
    }


def test_voc_flags_survive_import_version_and_export(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = int(_job(client, ctx, upload(client, "voc", _voc_zip(tmp_path)))["dataset_id"])
    created = client.post(f"/api/v1/od/datasets/{dataset_id}/versions", json={})
    _job(client, ctx, created)
    number = created.json()["version"]["number"]
    # Editing the live dataset later changes nothing in the version.
    with ctx.db.write() as session:
        session.execute(update(Annotation).values(attributes=None))

    exported = _job(
        client, ctx, client.post(f"/api/v1/od/datasets/{dataset_id}/versions/{number}/export/voc", json={})
    )

    assert _flags(_download(client, exported["job_id"])) == {
        "cola": {"pose": "Left", "truncated": "1", "occluded": "0", "difficult": "1"},
        "chips": {"pose": "Unspecified", "truncated": "0", "occluded": "1", "difficult": "0"},
    }


def test_coco_export_rounds_coordinates_to_a_ten_thousandth_of_a_pixel(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items: list[Item] = sample_items(1)
    dataset_id = int(
        _job(client, ctx, upload(client, "coco", zip_folder(write_coco(tmp_path / "c", items))))["dataset_id"]
    )
    with ctx.db.write() as session:
        session.execute(update(Annotation).values(x1=0.1, x2=33.1, y1=1.000000000001, y2=9.123456789))

    exported = _job(client, ctx, client.post(f"/api/v1/od/datasets/{dataset_id}/export/coco", json={}))

    archive = _download(client, exported["job_id"])
    names = [n for n in archive.namelist() if n.endswith(".json")]
    text = b"".join(archive.read(n) for n in names).decode()
    assert "32.99999999999999" not in text and "1.000000000001" not in text
    boxes = [a["bbox"] for n in names for a in json.loads(archive.read(n))["annotations"]]
    assert boxes and all(b == [0.1, 1.0, 33.0, 8.1235] for b in boxes)

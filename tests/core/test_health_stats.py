"""Health checks the real parts; stats count rows in the database."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image as PILImage

from shelfscope.context import AppContext
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset
from shelfscope.od.images.ingest import ingest_stream


def _jpeg(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> io.BytesIO:
    buf = io.BytesIO()
    PILImage.new("RGB", size, color).save(buf, "JPEG")
    buf.seek(0)
    return buf


def test_health_reports_each_part(anon_client: TestClient) -> None:
    r = anon_client.get("/api/v1/od/health")
    body = r.json()
    assert set(body["checks"]) == {"database", "storage", "jobs"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"] == {**body["checks"]["storage"], "ok": True, "backend": "local"}
    assert body["checks"]["jobs"]["runner"] == "local"
    # The runner is not started in API tests, so the job check is honestly degraded.
    assert body["checks"]["jobs"]["ok"] is False
    assert r.status_code == 503 and body["status"] == "degraded"


def test_health_sees_broken_storage(anon_client: TestClient, ctx: AppContext) -> None:
    storage_dir = ctx.settings.local_storage_dir
    tmp = storage_dir / ".tmp"
    tmp.rmdir()
    tmp.write_text("not a folder")
    body = anon_client.get("/api/v1/od/health").json()
    assert body["checks"]["storage"]["ok"] is False
    assert "not writable" in body["checks"]["storage"]["detail"]


def test_stats_count_rows(client: TestClient, ctx: AppContext) -> None:
    assert client.get("/api/v1/od/stats").json() == {
        "images": 0,
        "datasets": 0,
        "annotations": 0,
        "classes": 0,
        "models": 0,
        "jobs_running": 0,
    }
    with ctx.db.write() as s:
        for color in [(255, 0, 0), (0, 255, 0), (255, 0, 0)]:
            ingest_stream(s, ctx.storage, ctx.settings, _jpeg(color), "shelf.jpg")
        s.add(Dataset(name="d1"))
        s.add(OdClass(name="Cola", name_key="cola"))
    stats = client.get("/api/v1/od/stats").json()
    assert stats["images"] == 2  # the third upload is a duplicate of the first
    assert stats["datasets"] == 1 and stats["classes"] == 1


def test_web_app_is_served_with_deep_link_fallback(ctx: AppContext, tmp_path: Path) -> None:
    from shelfscope.app import create_app

    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<div id=root></div>")
    (web / "assets" / "app.js").write_text("console.log(1)")
    ctx.settings.web_dir = web
    with TestClient(create_app(ctx, start_runner=False)) as c:
        assert c.get("/od/datasets/3").text == "<div id=root></div>"
        assert c.get("/assets/app.js").text == "console.log(1)"
        assert c.get("/api/v1/nope").status_code == 404
        assert c.get("/../../etc/passwd").text == "<div id=root></div>"

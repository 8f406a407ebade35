"""Product videos through the API: an upload checked by its content, frames taken by the job as the
product's synthetic images (index and time), the video kept or dropped by setting, listing and
deleting; every bad input named and nothing stored."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from tests.pr.videos.conftest import Shelf, upload
from tests.support.dataset_files import run_job

MakeVideo = Callable[..., Path]


def _start(client: TestClient, product_id: int, path: Path, **form: Any) -> dict[str, Any]:
    response = upload(client, product_id, path, **form)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _finish(ctx: AppContext, body: dict[str, Any]) -> Job:
    job = run_job(ctx, body["job"]["id"])
    assert job.status == "succeeded", (job.error, job.result)
    return job


def test_interval_frames_become_synthetic_images_with_index_and_time(
    client: TestClient, ctx: AppContext, shelf: Shelf, video: MakeVideo
) -> None:
    product = shelf.product()
    body = _start(client, product, video("turntable.mp4", seconds=3, fps=10), mode="interval", every_s=1)
    assert (body["job"]["kind"], body["job"]["label"]) == ("pr.videos.extract_frames", "turntable.mp4")
    assert body["video"]["status"] == "pending" and body["video"]["format"] == "mp4"
    assert (body["video"]["width"], body["video"]["height"], body["video"]["fps"]) == (320, 240, 10.0)

    job = _finish(ctx, body)

    assert job.result is not None and job.result["frames_stored"] == 3
    frames = shelf.frames(body["video"]["id"])
    assert [(f.frame_index, f.frame_time_s) for f in frames] == [(0, 0.0), (10, 1.0), (20, 2.0)]
    assert {(f.domain, f.source, f.product_id, f.format) for f in frames} == {
        ("synthetic", "video", product, "JPEG")
    }
    assert frames[0].filename == "turntable_frame000000.jpg"
    listed = client.get(f"/api/v1/pr/products/{product}/videos").json()["items"]
    assert [(v["status"], v["frames_extracted"], v["kept"]) for v in listed] == [("ready", 3, True)]
    file = client.get(listed[0]["file_url"])
    assert file.status_code == 200 and file.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(file.content)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_first_and_key_frames_and_the_cap(
    client: TestClient, ctx: AppContext, shelf: Shelf, video: MakeVideo
) -> None:
    product = shelf.product()
    clip = video("keys.mp4", seconds=4, fps=10, gop=10)
    first = _start(client, product, clip, mode="first")
    _finish(ctx, first)
    assert [f.frame_index for f in shelf.frames(first["video"]["id"])] == [0]

    keys = _start(client, product, clip, mode="key_frames", max_frames=3)
    job = _finish(ctx, keys)
    # Frame 0 is the same picture as the first upload's: stored once, answered as a duplicate.
    assert job.result is not None and job.result["frames_duplicate"] == 1
    assert [f.frame_index for f in shelf.frames(keys["video"]["id"])] == [10, 20]

    capped = _start(client, product, clip, mode="interval", every_s=0.5, max_frames=2)
    _finish(ctx, capped)
    assert client.get(f"/api/v1/pr/videos/{capped['video']['id']}").json()["frame_policy"] == {
        "mode": "interval",
        "every_s": 0.5,
        "max_frames": 2,
    }


@pytest.mark.parametrize(
    ("name", "codec", "fmt"),
    [("clip.mov", None, "mov"), ("clip.webm", None, "webm"), ("mpeg4.mp4", "mpeg4", "mp4")],
)
def test_mov_webm_and_mpeg4_are_accepted_by_content(
    client: TestClient,
    ctx: AppContext,
    shelf: Shelf,
    video: MakeVideo,
    name: str,
    codec: str | None,
    fmt: str,
) -> None:
    product = shelf.product()
    # The name says nothing: a WebM called .mp4 is still found to be WebM.
    clip = video(name, seconds=2, fps=5, codec=codec)
    body = _start(client, product, clip, name="upload.mp4", every_s=1)
    assert body["video"]["format"] == fmt
    _finish(ctx, body)
    assert len(shelf.frames(body["video"]["id"])) == 2


def test_the_video_is_dropped_when_the_setting_says_so(
    client: TestClient, ctx: AppContext, shelf: Shelf, video: MakeVideo
) -> None:
    ctx.settings.pr_keep_videos = False
    product = shelf.product()
    body = _start(client, product, video(seconds=2, fps=5))
    _finish(ctx, body)
    out = client.get(f"/api/v1/pr/videos/{body['video']['id']}").json()
    assert (out["status"], out["kept"], out["file_url"], out["frames_extracted"]) == ("ready", False, None, 2)
    assert not [k for k in shelf.stored() if k.startswith("videos/")]
    assert client.get(f"/api/v1/pr/videos/{body['video']['id']}/file").status_code == 404


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    pixels = np.random.default_rng(seed).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(out, "JPEG")
    return out.getvalue()


def _audio_only_mp4(path: Path) -> Path:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=44100)
        for i in range(20):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, i * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_file_that_is_not_a_video_is_refused_by_content(
    client: TestClient, shelf: Shelf, tmp_path: Path
) -> None:
    product = shelf.product()
    for name, data in (("photo.mp4", _jpeg(1)), ("notes.webm", b"not a video at all " * 100)):
        path = tmp_path / name
        path.write_bytes(data)
        response = upload(client, product, path)
        assert response.status_code == 415, response.text
        body = response.json()
        assert (body["error"], body["file"], body["field"]) == ("UnsupportedMedia", name, "file")
    shelf.assert_nothing_stored()


def test_a_video_without_frames_is_refused(client: TestClient, shelf: Shelf, tmp_path: Path) -> None:
    product = shelf.product()
    response = upload(client, product, _audio_only_mp4(tmp_path / "sound.mp4"))
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["error"], body["file"]) == ("ValidationFailed", "sound.mp4")
    assert "no video stream" in body["detail"]
    shelf.assert_nothing_stored()


def test_a_video_over_the_size_limit_is_refused(
    client: TestClient, ctx: AppContext, shelf: Shelf, video: MakeVideo
) -> None:
    product = shelf.product()
    clip = video(seconds=3, fps=10)
    size = clip.stat().st_size
    ctx.settings.max_video_bytes = size - 1
    response = upload(client, product, clip)
    assert response.status_code == 413, response.text
    assert (response.json()["file"], response.json()["limit_bytes"]) == (clip.name, size - 1)
    # Far over the limit: refused from its declared length before the body is read.
    ctx.settings.max_video_bytes = 1000
    far = upload(client, product, clip)
    assert far.status_code == 413 and far.json()["error"] == "PayloadTooLarge"
    shelf.assert_nothing_stored()


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"mode": "every_frame"}, "mode"),
        ({"every_s": "0"}, "every_s"),
        ({"every_s": "nan"}, "every_s"),
        ({"max_frames": "1001"}, "max_frames"),
        ({"max_frames": "0"}, "max_frames"),
    ],
)
def test_a_bad_frame_policy_names_its_field(
    client: TestClient, shelf: Shelf, video: MakeVideo, form: dict[str, str], field: str
) -> None:
    product = shelf.product()
    response = upload(client, product, video(seconds=1, fps=5), **form)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]
    shelf.assert_nothing_stored()


def test_no_file_and_an_unknown_product(client: TestClient, shelf: Shelf, video: MakeVideo) -> None:
    product = shelf.product()
    missing = client.post(
        f"/api/v1/pr/products/{product}/videos", data={"mode": "first"}, files={"x": ("a", b"")}
    )
    assert missing.status_code == 422 and missing.json()["fields"][0]["field"] == "file"
    unknown = upload(client, product + 1000, video(seconds=1, fps=5))
    assert unknown.status_code == 404 and unknown.json()["product_id"] == product + 1000
    shelf.assert_nothing_stored()


def test_a_viewer_cannot_upload_or_delete(
    viewer_client: TestClient, client: TestClient, ctx: AppContext, shelf: Shelf, video: MakeVideo
) -> None:
    product = shelf.product()
    refused = upload(viewer_client, product, video(seconds=1, fps=5))
    assert refused.status_code == 403, refused.text
    shelf.assert_nothing_stored()
    body = _start(client, product, video("b.mp4", seconds=1, fps=5))
    _finish(ctx, body)
    before = (shelf.counts(), shelf.stored())
    assert viewer_client.delete(f"/api/v1/pr/videos/{body['video']['id']}").status_code == 403
    assert (shelf.counts(), shelf.stored()) == before
    assert len(viewer_client.get(f"/api/v1/pr/products/{product}/videos").json()["items"]) == 1


def test_delete_keeps_the_frames_unless_asked(
    client: TestClient, ctx: AppContext, shelf: Shelf, video: MakeVideo
) -> None:
    product = shelf.product()
    kept = _start(client, product, video("a.mp4", seconds=2, fps=5))
    _finish(ctx, kept)
    gone = _start(client, product, video("b.mp4", seconds=2, fps=5, sources=None, size=(160, 120)))
    _finish(ctx, gone)

    assert client.delete(f"/api/v1/pr/videos/{kept['video']['id']}").status_code == 204
    assert [f.video_id for f in shelf.frames()].count(None) == 2  # its frames stay, unlinked
    assert client.delete(f"/api/v1/pr/videos/{gone['video']['id']}?delete_frames=true").status_code == 204
    assert len(shelf.frames()) == 2
    assert not [k for k in shelf.stored() if k.startswith("videos/")]
    assert client.get(f"/api/v1/pr/products/{product}/videos").json()["items"] == []
    assert client.delete(f"/api/v1/pr/videos/{kept['video']['id']}").status_code == 404


def test_delete_waits_for_the_running_job(client: TestClient, shelf: Shelf, video: MakeVideo) -> None:
    product = shelf.product()
    body = _start(client, product, video(seconds=1, fps=5))
    response = client.delete(f"/api/v1/pr/videos/{body['video']['id']}")
    assert response.status_code == 409 and response.json()["job_id"] == body["job"]["id"]
    assert shelf.counts()["videos"] == 1
    # Once the job is cancelled (it never ran), the video shows as failed and can go.
    assert client.post(f"/api/v1/jobs/{body['job']['id']}/cancel").status_code == 202
    out = client.get(f"/api/v1/pr/videos/{body['video']['id']}").json()
    assert out["status"] == "failed"
    assert client.delete(f"/api/v1/pr/videos/{body['video']['id']}").status_code == 204
    assert shelf.stored() == []

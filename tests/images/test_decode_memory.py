"""Decoding is bounded in memory: a huge-dimension image that compresses to almost nothing is refused
from its header, decodes reserve their memory from one process-wide budget (larger ones wait their
turn, one that could never fit is refused), and 16-bit greyscale PNGs are accepted and thumbnailed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image as PILImage

from shelfscope.config import Settings
from shelfscope.errors import PayloadTooLarge, RateLimited
from shelfscope.od.images.budget import MIB, DecodeBudget, decode_budget
from shelfscope.od.images.decode import decode_image, decoded_bytes
from tests.support.images import Library, huge_png, sixteen_bit_png

URL = "/api/v1/od/images"
REPO_ROOT = Path(__file__).resolve().parents[2]
# The image of the report: 0.7 MB on disk, 15,805 x 15,805 pixels (a gigabyte decoded as RGB).
HUGE = (15_805, 15_805)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shipped limits (not the tight ones of the other image tests)."""
    defaults = Settings.model_fields
    return settings.model_copy(
        update={
            name: defaults[name].default
            for name in ("max_image_pixels", "decode_memory_mb", "max_upload_bytes")
        }
    )


def test_the_shipped_limits_fit_together() -> None:
    shipped = Settings()
    # The largest image the pixel limit lets in decodes (as RGB, 4 bytes a pixel) within the budget.
    assert shipped.max_image_pixels * 4 <= shipped.decode_memory_bytes
    assert shipped.max_image_pixels < HUGE[0] * HUGE[1]


def test_six_huge_dimension_pngs_at_once_are_refused_by_name_and_nothing_is_stored(
    client: TestClient, library: Library
) -> None:
    data = huge_png(*HUGE)
    assert len(data) < 1024 * 1024

    def upload(i: int) -> tuple[int, dict[str, object]]:
        response = client.post(URL, files=[("files", (f"huge-{i}.png", data, "image/png"))])
        return response.status_code, response.json()

    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(upload, range(6)))
    # Refused from the header: no decode of a gigabyte ever starts (that took seconds each).
    assert time.monotonic() - started < 10
    for i, (status, body) in enumerate(answers):
        assert status == 207 and body["rejected"] == 1, body
        error = body["results"][0]["error"]  # type: ignore[index]
        assert error["error"] == "PayloadTooLarge" and error["file"] == f"huge-{i}.png"
        assert "pixel limit" in error["detail"] and f"huge-{i}.png" in error["detail"]
    library.assert_empty()


def _peak_decoding(png: Path, threads: int, max_pixels: int, budget_mb: int) -> dict[str, object]:
    """Decode `png` in `threads` threads at once in a fresh process; its peak memory above what it
    held before the first decode, and each decode's outcome."""
    script = f"""
import io, json, resource, sys
from concurrent.futures import ThreadPoolExecutor
from shelfscope.errors import ShelfscopeError
from shelfscope.od.images.decode import decode_image
data = open({str(png)!r}, "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def one(i):
    try:
        decode_image(io.BytesIO(data), f"p{{i}}.png", len(data), "h", {max_pixels}, 384,
                     memory_limit_bytes={budget_mb} * 1024 * 1024)
        return "decoded"
    except ShelfscopeError as exc:
        return f"{{exc.kind}}: {{exc.detail}}"
with ThreadPoolExecutor({threads}) as pool:
    outcomes = list(pool.map(one, range({threads})))
peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps({{"peak_mb": peak, "outcomes": outcomes}}))
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_concurrent_large_decodes_take_turns_within_the_budget(tmp_path: Path) -> None:
    # 4,000 x 4,000 RGB: 61 MiB decoded each. Six at once would take 366 MiB; with a 100 MiB budget
    # they decode one after another, and the process never holds much more than one.
    png = tmp_path / "big.png"
    png.write_bytes(huge_png(4000, 4000))
    measured = _peak_decoding(png, threads=6, max_pixels=100_000_000, budget_mb=100)
    assert measured["outcomes"] == ["decoded"] * 6
    assert float(str(measured["peak_mb"])) < 140, measured


def test_a_decode_larger_than_the_budget_is_refused_before_it_starts(tmp_path: Path) -> None:
    # Within a (raised) pixel limit, but 15,805 x 15,805 x 4 bytes is far over a 256 MiB budget.
    png = tmp_path / "huge.png"
    png.write_bytes(huge_png(*HUGE))
    measured = _peak_decoding(png, threads=2, max_pixels=300_000_000, budget_mb=256)
    outcomes = [str(o) for o in measured["outcomes"]]  # type: ignore[attr-defined]
    assert all(o.startswith("PayloadTooLarge") and "decode budget" in o for o in outcomes), outcomes
    assert "953 MiB" in outcomes[0]  # what it would have needed
    assert float(str(measured["peak_mb"])) < 30, measured


def test_jpeg_decodes_reserve_only_their_draft_scale(tmp_path: Path) -> None:
    out = io.BytesIO()
    PILImage.new("RGB", (4000, 3000), (90, 10, 10)).save(out, "JPEG")
    with PILImage.open(io.BytesIO(out.getvalue())) as im:
        full = decoded_bytes(im)
        im.draft("RGB", (384, 384))
        # A quarter of each side: an eighth (500 x 375) would be smaller than the thumbnail.
        assert im.size == (1000, 750) and decoded_bytes(im) * 16 == full


# ---- the budget itself --------------------------------------------------------------------------------


@pytest.fixture
def budget() -> DecodeBudget:
    return DecodeBudget(100, wait_s=2.0)


def test_reservations_over_the_budget_wait_for_each_other_first_come_first_served(
    budget: DecodeBudget,
) -> None:
    order: list[str] = []
    first_in = threading.Event()
    release_first = threading.Event()

    def hold(name: str, nbytes: int, gate: threading.Event | None) -> None:
        with budget.reserve(nbytes, name):
            order.append(name)
            if gate is not None:
                first_in.set()
                gate.wait(5)

    first = threading.Thread(target=hold, args=("big", 80, release_first))
    first.start()
    assert first_in.wait(5)
    second = threading.Thread(target=hold, args=("next", 60, None))
    second.start()
    time.sleep(0.1)
    third = threading.Thread(target=hold, args=("small", 10, None))
    third.start()
    time.sleep(0.2)
    # "small" would fit beside "big", but waits behind "next": no decode starves behind small ones.
    assert order == ["big"] and budget.in_use == 80
    release_first.set()
    for thread in (first, second, third):
        thread.join(5)
    assert order == ["big", "next", "small"] and budget.in_use == 0


def test_a_reservation_that_waits_too_long_is_told_to_retry_and_one_that_never_fits_is_refused(
    budget: DecodeBudget,
) -> None:
    budget.wait_s = 0.2
    with budget.reserve(90, "holder"), pytest.raises(RateLimited, match="waited"), budget.reserve(20, "late"):
        pass
    with pytest.raises(PayloadTooLarge, match="decode budget"), budget.reserve(101, "huge.png"):
        pass
    assert budget.in_use == 0
    with budget.reserve(100, "exactly the budget"):
        assert budget.in_use == 100


def test_an_upload_waits_for_the_decode_budget_shared_by_the_server_process(
    client: TestClient, settings: Settings, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = decode_budget(settings.decode_memory_bytes)
    monkeypatch.setattr(shared, "wait_s", 0.3)
    png = huge_png(2000, 2000)  # 15 MiB decoded
    with shared.reserve(settings.decode_memory_bytes - 10 * MIB, "another decode"):
        busy = client.post(URL, files=[("files", ("busy.png", png, "image/png"))]).json()
    assert busy["rejected"] == 1 and busy["results"][0]["error"]["error"] == "RateLimited"
    library.assert_empty()
    later = client.post(URL, files=[("files", ("busy.png", png, "image/png"))]).json()
    assert later["stored"] == 1 and shared.in_use == 0


# ---- 16-bit greyscale --------------------------------------------------------------------------------


def test_a_sixteen_bit_greyscale_png_is_stored_untouched_with_a_scaled_thumbnail(
    client: TestClient, library: Library
) -> None:
    data = sixteen_bit_png((640, 480))
    with PILImage.open(io.BytesIO(data)) as im:
        assert im.mode == "I;16"

    response = client.post(URL, files=[("files", ("depth.png", data, "image/png"))])

    assert response.status_code == 200, response.text
    image = response.json()["results"][0]["image"]
    assert (image["width"], image["height"], image["format"]) == (640, 480, "PNG")
    assert client.get(image["file_url"]).content == data
    thumbnail = client.get(image["thumbnail_url"])
    with PILImage.open(io.BytesIO(thumbnail.content)) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (64, 48)  # the tests' thumbnail size
        grey = np.asarray(thumb.convert("L")).astype(float)
    # The ramp survives: dark at the left, light at the right, mid-grey in the middle (not clipped).
    assert grey[:, :2].mean() < 10 and grey[:, -2:].mean() > 245
    assert 115 <= grey[:, 31:33].mean() <= 140
    assert library.image_count() == 1


def test_a_sixteen_bit_png_decodes_to_facts_and_thumbnail_without_the_api() -> None:
    data = sixteen_bit_png((300, 200))
    facts, thumbnail = decode_image(io.BytesIO(data), "d.png", len(data), "h", 1_000_000, 64)
    assert (facts.width, facts.height, facts.format) == (300, 200, "PNG")
    assert thumbnail is not None
    with PILImage.open(io.BytesIO(thumbnail)) as thumb:
        assert thumb.size == (64, 43) and thumb.mode == "RGB"

"""Product video frames bench: frames extracted per second from a 1080p, 30 fps, 60 s clip.

The clip is made with PyAV (the library the server uses) from the real in-store photos of
../shared/data/products: each photo upscaled to 1080p and slowly panned for two seconds, so every frame
differs (a turntable video changes every frame too), encoded as H.264 (libx264, 2 s between key
frames, preset ultrafast: the clip is made on the bench machine too) into a temporary folder.

(1) Decode and pick (pr.videos.frames.iter_frames, each picked frame converted to an RGB image and
    encoded as the JPEG the job stores): every frame, one every second, key frames only, and the first.
(2) The whole job (pr.videos.extract_frames through run_job_inline on SQLite, local storage): frames
    taken one per second and stored as product images by add_product_image (hash, decode check,
    thumbnail, row and counters), per second of the job.

    .venv/bin/python -m bench.pr_frames_bench [--seconds 60] [--fps 30] [--skip-job] [--skip-every-frame]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
from PIL import Image
from tests.support.products_set import photos

from bench.common import machine
from shelfscope.pr.videos.frames import FramePolicy, iter_frames, jpeg_bytes

WIDTH, HEIGHT = 1920, 1080


def make_clip(target: Path, seconds: int, fps: int) -> Path:
    """1080p H.264 of real photos, each panned for two seconds."""
    # A different photo every two seconds for the whole clip: no frame repeats another (a repeat would
    # be stored once and answered as a duplicate by the job).
    count = max(1, seconds // 2)
    sources = [Image.open(p).convert("RGB").resize((WIDTH + 240, HEIGHT + 136)) for p in photos(count)]
    per_photo = 2 * fps
    with av.open(str(target), "w", format="mp4") as container:
        stream: Any = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.gop_size = 2 * fps
        stream.codec_context.options = {"preset": "ultrafast", "crf": "23"}
        for i in range(seconds * fps):
            picture = sources[(i // per_photo) % len(sources)]
            step = i % per_photo
            left, top = step * 240 // per_photo, step * 136 // per_photo
            crop = picture.crop((left, top, left + WIDTH, top + HEIGHT))
            for packet in stream.encode(av.VideoFrame.from_image(crop)):  # type: ignore[no-untyped-call]
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return target


def time_policy(clip: Path, policy: FramePolicy) -> tuple[int, float]:
    started = time.perf_counter()
    frames = 0
    for frame in iter_frames(clip, policy):
        jpeg_bytes(frame.image)
        frames += 1
    return frames, time.perf_counter() - started


@contextmanager
def _app(folder: Path) -> Iterator[Any]:
    from shelfscope.config import Settings
    from shelfscope.context import AppContext
    from shelfscope.db.migrate import upgrade

    settings = Settings(data_dir=folder / "data", local_workers=1, web_dir=folder / "no-web")
    upgrade(settings.resolved_database_url)
    ctx = AppContext.from_settings(settings)
    try:
        yield ctx
    finally:
        ctx.close()


def time_job(clip: Path, folder: Path, every_s: float, max_frames: int) -> tuple[int, int, float]:
    """The extraction job end to end on SQLite: (frames stored, frames found duplicate, seconds)."""
    from shelfscope.jobs.executor import run_job_inline
    from shelfscope.pr.products.models import Product
    from shelfscope.pr.videos.schemas import FramePolicyIn
    from shelfscope.pr.videos.service import accept_video

    with _app(folder) as ctx:
        with ctx.db.write() as session:
            product = Product(sku="BENCH-1", name="Bench product")
            session.add(product)
            session.flush()
            product_id = product.id
        with ctx.db.writer() as session, clip.open("rb") as stream:
            job, _ = accept_video(
                session,
                ctx.storage,
                ctx.settings,
                ctx.runner,
                product_id=product_id,
                stream=stream,
                filename=clip.name,
                policy=FramePolicyIn(mode="interval", every_s=every_s, max_frames=max_frames),
                user_id=None,
            )
        started = time.perf_counter()
        done = run_job_inline(ctx.settings, ctx.db, ctx.storage, job.id)
        elapsed = time.perf_counter() - started
        assert done.status == "succeeded", done.error
        assert done.result is not None
        return int(done.result["frames_stored"]), int(done.result["frames_duplicate"]), elapsed


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--skip-job", action="store_true")
    parser.add_argument("--skip-every-frame", action="store_true", help="skip the slowest policy")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    folder = Path(tempfile.mkdtemp(prefix="pr-frames-bench-"))
    try:
        started = time.perf_counter()
        clip = make_clip(folder / "clip.mp4", args.seconds, args.fps)
        print(
            f"clip: {WIDTH}x{HEIGHT} {args.fps} fps {args.seconds} s H.264, "
            f"{clip.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - started:.1f} s"
        )
        total = args.seconds * args.fps
        for label, policy in (
            ("every frame", FramePolicy("interval", 1 / args.fps, total)),
            ("one per second", FramePolicy("interval", 1.0, total)),
            ("key frames", FramePolicy("key_frames", 1.0, total)),
            ("first frame", FramePolicy("first", 1.0, 1)),
        ):
            if args.skip_every_frame and label == "every frame":
                continue
            frames, seconds = time_policy(clip, policy)
            print(
                f"decode+pick+JPEG, {label:>14}: {frames:5d} frames in {seconds:6.2f} s = "
                f"{frames / seconds:7.1f} frames/s (clip decoded at {total / seconds:6.1f} video frames/s)"
                if policy.mode == "interval"
                else f"decode+pick+JPEG, {label:>14}: {frames:5d} frames in {seconds:6.2f} s = "
                f"{frames / seconds:7.1f} frames/s"
            )
        if not args.skip_job:
            stored, duplicate, seconds = time_job(clip, folder / "job", 1.0, 1000)
            frames = stored + duplicate
            print(
                f"whole job (SQLite, stored as product images), one per second: {frames} frames "
                f"({stored} stored, {duplicate} duplicate) in {seconds:.2f} s = "
                f"{frames / seconds:.1f} frames/s"
            )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

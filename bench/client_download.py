"""Downloading a large dataset version with the Python client: a version of 20,000 images x 50 boxes
(1,000,000 boxes, 100 classes) exported and downloaded as YOLO and as COCO into a folder, through a
real `shelfscope serve`; seconds and the client's peak resident memory (VmHWM of the process that
runs `client.datasets.get(...).version(1).download(...)`).

The data is io_bench's (tiny real JPEGs, a streamed COCO file), imported with the server's own import
job; the version is then made through the client. Each download runs in its own child process so its
peak memory is its own:

    .venv/bin/python -m bench.client_download [--images 20000] [--boxes 50] [--classes 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine
from bench.images_bench import serve
from bench.io_bench import _run_child, generate, peak_kb

REPO = Path(__file__).resolve().parents[1]


def child(args: argparse.Namespace) -> None:
    """One download, measured in this process."""
    from shelfscope.client import Client

    baseline_kb = peak_kb()
    dest = Path(args.dest)
    with Client(args.url, args.token, timeout_s=600) as client:
        handle = client.datasets.get(int(args.dataset))
        version = handle.version(1)
        started = time.perf_counter()
        path = version.download(args.child, dest)
        seconds = time.perf_counter() - started
        job = next(client.jobs.list(kind="od.exports.run", limit=1))
    files = [p for p in path.rglob("*") if p.is_file()]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "export_job_s": (job.result or {}).get("seconds"),
                "zip_bytes": (job.result or {}).get("size_bytes"),
                "files": len(files),
                "bytes": sum(p.stat().st_size for p in files),
                "peak_kb": peak_kb(),
                "baseline_kb": baseline_kb,
            }
        )
    )


def _download(url: str, token: str, dataset_id: int, fmt: str, dest: Path) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bench.client_download", "--child", fmt, "--url", url, "--token", token,
        "--dataset", str(dataset_id), "--dest", str(dest),
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    }
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{fmt} download failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _mb(kb: int) -> str:
    return f"{kb / 1024:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--boxes", type=int, default=50)
    parser.add_argument("--classes", type=int, default=100)
    parser.add_argument("--child", choices=["yolo", "coco"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    parser.add_argument("--dest", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from shelfscope.client import Client
    from shelfscope.db.migrate import upgrade

    print(f"machine: {machine()}")
    workdir = Path(tempfile.mkdtemp(prefix="client-download-"))
    try:
        source = workdir / "coco"
        made = generate(source, args.images, args.boxes, args.classes)
        print(
            f"generated {args.images:,} images x {args.boxes} boxes = {made['boxes']:,} boxes, "
            f"{args.classes} classes in {made['seconds']:.1f} s"
        )
        data_dir = workdir / "data"
        database_url = f"sqlite:///{data_dir / 'shelfscope.db'}"
        data_dir.mkdir()
        upgrade(database_url)
        imported = _run_child("import", database_url, data_dir, source)
        assert imported["annotations"] == made["boxes"], imported
        print(f"imported with the server's import job in {imported['seconds']:.1f} s")
        shutil.rmtree(source)
        rows: list[tuple[str, float, int, str]] = []
        with (
            serve(data_dir, database_url) as server,
            Client(server.url, server.token, timeout_s=600) as client,
        ):
            handle = client.datasets.get(1)
            started = time.perf_counter()
            version = handle.create_version("bench").info()
            print(
                f"version {version.number}: {version.counts.total_images:,} images, "
                f"{version.counts.total_annotations:,} boxes, built in {time.perf_counter() - started:.1f} s"
            )
            assert version.counts.total_annotations == made["boxes"], version.counts
            baseline = 0
            for fmt in ("yolo", "coco"):
                dest = workdir / f"out-{fmt}"
                result = _download(server.url, server.token, handle.id, fmt, dest)
                baseline = result["baseline_kb"]
                note = (
                    f"export job {result['export_job_s']:.1f} s, zip {result['zip_bytes'] / 1e6:,.0f} MB, "
                    f"{result['files']:,} files ({result['bytes'] / 1e6:,.0f} MB) extracted"
                )
                rows.append((f"download {fmt.upper()}", result["seconds"], result["peak_kb"], note))
                shutil.rmtree(dest, ignore_errors=True)
            server_peak = server.peak_rss_mib()
        print()
        print(f"{'step':<16} {'seconds':>8} {'client peak':>12}  notes")
        for step, seconds, kb, note in rows:
            print(f"{step:<16} {seconds:>8.1f} {_mb(kb):>12}  {note}")
        print(
            f"\nclient peak after importing the client, before downloading: {_mb(baseline)}; "
            f"server (shelfscope serve, without its worker processes) peak {server_peak:,.0f} MiB"
        )
        print("seconds: from the export request to the last file extracted (the export job included)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

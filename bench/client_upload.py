"""Python client upload bench: a folder of real 3-6 MP photos uploaded with `client.images.upload`
against a real `shelfscope serve`, then uploaded again (everything skipped by its hash).

--images JPEGs are made from the photos in ../shared/data (bench/photos.py). The client runs in a child
process of its own so that its peak resident memory (VmHWM) is the client's alone; the server's is read
from /proc. Reports images/s, MB/s and both peaks; `--web` also runs bench/images_bench.py's upload (the
web's multipart POST, 4 clients x 5 files) on the same photos and a fresh server, for comparison.

    .venv/bin/python -m bench.client_upload [--images 2000] [--workers 4] [--db sqlite] [--web]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(url: str, token: str, folder: str, workers: int) -> None:
    """The client side, in its own process: one upload, printed as JSON with this process's peak."""
    from shelfscope.client import Client

    with Client(url, token) as client:
        summary = client.images.upload(folder, workers=workers)
    print(
        json.dumps(
            {
                "stored": summary.stored,
                "duplicate": summary.duplicate,
                "skipped": summary.skipped,
                "rejected": summary.rejected,
                "elapsed_s": summary.elapsed_s,
                "bytes_sent": summary.bytes_sent,
                "peak_rss_mib": _peak_rss_mib(),
            }
        )
    )


def _run_client(url: str, token: str, folder: Path, workers: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.client_upload", "--child", url, token, str(folder), str(workers)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_client(kind: str, folder: Path, count: int, megabytes: float, workers: int, root: Path) -> None:
    from bench.images_bench import database, serve

    with ExitStack() as stack:
        database_url = stack.enter_context(database(kind, root, stack))
        server = stack.enter_context(serve(root / f"client-{kind}", database_url))
        rss_before = server.peak_rss_mib()
        first = _run_client(server.url, server.token, folder, workers)
        server_peak = server.peak_rss_mib()
        again = _run_client(server.url, server.token, folder, workers)
        seconds = first["elapsed_s"]
        print(
            f"  {kind:8s} {count} images ({megabytes:.0f} MB) in {seconds:.1f} s: "
            f"{count / seconds:.1f} images/s, {megabytes / seconds:.1f} MB/s; "
            f"stored {first['stored']}, duplicate {first['duplicate']}, rejected {first['rejected']}"
        )
        print(
            f"           client peak RSS {first['peak_rss_mib']:.0f} MiB; server peak RSS "
            f"{server_peak:.0f} MiB (after start {rss_before:.0f} MiB)"
        )
        print(
            f"           again (resumed): skipped {again['skipped']} of {count} "
            f"in {again['elapsed_s']:.1f} s, {again['bytes_sent']} file bytes sent; "
            f"client peak RSS {again['peak_rss_mib']:.0f} MiB"
        )


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--web", action="store_true", help="also run the web upload bench on the same photos")
    parser.add_argument(
        "--photos", type=Path, help="a folder of JPEGs made earlier (`python -m bench.photos N DIR`) to reuse"
    )
    args = parser.parse_args()
    # Here, not at the top: the client's child process imports this module and must load no server code.
    from bench.common import machine
    from bench.images_bench import bench_upload
    from bench.photos import make_photos

    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    print(f"machine: {machine()}")
    root = Path(tempfile.mkdtemp(prefix="shelfscope-client-upload-"))
    try:
        folder = args.photos if args.photos is not None else root / "photos"
        photos = sorted(folder.glob("*.jpg"))[: args.images] if args.photos is not None else []
        if len(photos) < args.images:
            photos = make_photos(args.images, root / "photos")
            folder = root / "photos"
        megabytes = sum(p.stat().st_size for p in photos) / 1e6
        print(
            f"(1) Python client: client.images.upload(folder, workers={args.workers}), {len(photos)} photos"
        )
        for kind in kinds:
            bench_client(kind, folder, len(photos), megabytes, args.workers, root)
        if args.web:
            print("(2) web upload for comparison: POST /api/v1/od/images, 4 clients x 5 files")
            for kind in kinds:
                bench_upload(kind, photos, 4, 5, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

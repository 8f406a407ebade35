"""Red-team bench of the image library's resource limits, against a real `shelfscope serve`.

(1) Decompression: a 0.7 MB PNG of 15,805 x 15,805 pixels (a gigabyte once decoded) uploaded by 6
    clients at once; then, the worst case the shipped limits still accept, 6 different 8,000 x 8,000
    PNGs (64 MP, 244 MiB decoded each) at once, which the decode budget makes take turns.
(2) Slow sources: 40 clients each start a URL import of a source that trickles one byte every half
    second, while /api/v1/od/health is polled; its latency is reported while the imports run (the
    fetches happen in worker processes and are cut at SHELFSCOPE_URL_FETCH_TIMEOUT_S, set to --deadline).

Prints the server process's peak resident memory (VmHWM) after each part, its workers' peaks, the
health latency percentiles, and the machine.

    .venv/bin/python -m bench.redteam_images [--deadline 10] [--watch 30] [--skip-decode] [--skip-urls]
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from tests.support.images import ImageServer, huge_png, make_image

from bench.common import machine, percentiles
from bench.images_bench import Server, serve

API = "/api/v1/od/images"
HEALTH = "/api/v1/od/health"
HUGE = (15_805, 15_805)
LARGEST_ACCEPTED = (8_000, 8_000)


def _with_note(png: bytes, note: str) -> bytes:
    """The same PNG with a text chunk after its header: other bytes, so no upload is a duplicate."""
    data = b"Comment\0" + note.encode()
    text = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return png[:33] + text + png[33:]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _hwm_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _memory(server: Server) -> str:
    workers = [_hwm_mib(pid) for pid in _children(server.proc.pid)]
    shown = ", ".join(f"{w:.0f}" for w in workers if w == w) or "none"
    return f"server peak RSS {server.peak_rss_mib():.0f} MiB; worker/child peaks {shown} MiB"


def _upload_all(server: Server, files: list[tuple[str, bytes]]) -> tuple[float, list[str]]:
    headers = {"Authorization": f"Bearer {server.token}"}

    def post(item: tuple[str, bytes]) -> str:
        name, data = item
        response = httpx.post(
            f"{server.url}{API}", files=[("files", (name, data, "image/png"))], headers=headers, timeout=600
        )
        result = response.json()["results"][0]
        error = result["error"] or {}
        return f"{response.status_code} {result['status']} {error.get('error', '')}".strip()

    started = time.perf_counter()
    with ThreadPoolExecutor(len(files)) as pool:
        outcomes = list(pool.map(post, files))
    return time.perf_counter() - started, outcomes


def bench_decode(server: Server) -> None:
    huge = huge_png(*HUGE)
    print(f"(1) decompression, {len(huge) / 1e6:.2f} MB PNG of {HUGE[0]:,} x {HUGE[1]:,} px, 6 at once")
    took, outcomes = _upload_all(server, [(f"huge-{i}.png", huge) for i in range(6)])
    print(f"    {took:.1f} s; outcomes {sorted(set(outcomes))}; {_memory(server)}")
    largest = huge_png(*LARGEST_ACCEPTED)
    files = [(f"large-{i}.png", _with_note(largest, str(i))) for i in range(6)]
    print(
        f"    worst accepted: {len(largest) / 1e6:.2f} MB PNGs of {LARGEST_ACCEPTED[0]:,} x "
        f"{LARGEST_ACCEPTED[1]:,} px (244 MiB decoded each), 6 at once"
    )
    took, outcomes = _upload_all(server, files)
    counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
    print(f"    {took:.1f} s; outcomes {counts}; {_memory(server)}")


def bench_urls(server: Server, source: ImageServer, watch_s: float) -> None:
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, timeout=120
    )
    body = make_image((64, 48))
    urls = [source.trickle(f"/slow-{i}.jpg", body, 0.5, for_s=600.0) for i in range(40)]
    health_ms: list[float] = []
    stop = threading.Event()

    def ping() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            httpx.get(f"{server.url}{HEALTH}", timeout=300)
            health_ms.append((time.perf_counter() - started) * 1000)
            time.sleep(0.1)

    def start(url: str) -> tuple[int, float, Any]:
        started = time.perf_counter()
        response = client.post(f"{API}/import/url", json={"urls": [url]})
        return response.status_code, (time.perf_counter() - started) * 1000, response.json().get("job", {})

    idle = []
    for _ in range(20):
        started_at = time.perf_counter()
        httpx.get(f"{server.url}{HEALTH}", timeout=60)
        idle.append((time.perf_counter() - started_at) * 1000)
    pinger = threading.Thread(target=ping, daemon=True)
    pinger.start()
    time.sleep(1.0)
    baseline = len(health_ms)
    with ThreadPoolExecutor(40) as pool:
        started = list(pool.map(start, urls))
    time.sleep(watch_s)
    stop.set()
    pinger.join(10)
    jobs = [job.get("id") for _, _, job in started if job.get("id")]
    states: dict[str, int] = {}
    for job_id in jobs:
        status = client.get(f"/api/v1/jobs/{job_id}").json()["status"]
        states[status] = states.get(status, 0) + 1
        if status in ("queued", "running"):
            client.post(f"/api/v1/jobs/{job_id}/cancel")
    during = health_ms[baseline:]
    print(f"(2) 40 URL imports from sources trickling 1 byte / 0.5 s, watched {watch_s:.0f} s")
    print(
        f"    POST answers {sorted({s for s, _, _ in started})}: {percentiles([ms for _, ms, _ in started])}"
    )
    print(f"    /health before:        {percentiles(idle)}")
    print(f"    /health while they run: {percentiles(during)}; mean {statistics.fmean(during):.1f} ms")
    print(f"    jobs after {watch_s:.0f} s: {states} (the rest cancelled); {_memory(server)}")
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deadline", type=float, default=10.0, help="SHELFSCOPE_URL_FETCH_TIMEOUT_S")
    parser.add_argument("--watch", type=float, default=30.0, help="seconds to poll /health after submitting")
    parser.add_argument("--skip-decode", action="store_true")
    parser.add_argument("--skip-urls", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with ExitStack() as stack:
        source = ImageServer()
        stack.callback(source.close)
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shelfscope-redteam-")))
        # serve() passes the environment on: the trickling source is allowed like a local image server.
        os.environ["SHELFSCOPE_URL_FETCH_ALLOW_HOSTS"] = f"127.0.0.1:{source.port}"
        os.environ["SHELFSCOPE_URL_FETCH_TIMEOUT_S"] = str(args.deadline)
        server = stack.enter_context(serve(root / "data", ""))
        print(f"server started (SQLite, default limits); {_memory(server)}")
        if not args.skip_decode:
            bench_decode(server)
        if not args.skip_urls:
            bench_urls(server, source, args.watch)


if __name__ == "__main__":
    main()

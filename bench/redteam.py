"""Red-team bench: a real `shelfscope serve` under the attacks of issue 10, and its peak memory.

(1) Four concurrent 300 MB bodies from a client without credentials: to the sign-in route and to
    three write routes (a JSON create, the multipart image upload, the editor save), once with a
    Content-Length and once streamed in chunks (no length). Each is sent over a raw socket that
    stops sending as soon as the server answers, as an attacker's client would not, but as any
    client can: the figure that matters is how much the server read and held.
(2) A YOLO import whose data.yaml is a YAML alias bomb (--bomb-levels nested aliases of ten:
    expanded, 10**levels strings), by a signed-in admin; the job's outcome, the stored result and
    log sizes, and the size of `GET /api/v1/jobs` afterwards.

Memory: resident set size of the server process and of its worker processes, sampled every 20 ms
(psutil when installed, else /proc), and the server's own high-water mark (VmHWM).

    .venv/bin/python -m bench.redteam [--body-mb 300] [--bomb-levels 9]
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import select
import socket
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.common import machine
from bench.images_bench import serve

MIB = 1024 * 1024
CHUNK = b" " * (256 * 1024)
TARGETS = [
    ("POST", "/api/v1/auth/login", "application/json"),
    ("POST", "/api/v1/od/datasets", "application/json"),
    ("POST", "/api/v1/od/images", "multipart/form-data; boundary=xyz"),
    ("PUT", "/api/v1/od/datasets/1/images/1/annotations", "application/json"),
]


# ---- memory ------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def _psutil() -> Any | None:
    """psutil when installed (it is optional here); None means /proc is read instead."""
    try:
        return importlib.import_module("psutil")
    except ImportError:
        return None


PSUTIL = _psutil()


def _rss_mib(pid: int) -> float:
    if PSUTIL is not None:
        try:
            return float(PSUTIL.Process(pid).memory_info().rss) / MIB
        except Exception:  # a worker that just exited
            return 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class MemoryWatch:
    """Peak RSS of the server process and of its largest worker, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.server_peak = 0.0
        self.worker_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.server_peak = max(self.server_peak, _rss_mib(self.pid))
            for child in _children(self.pid):
                self.worker_peak = max(self.worker_peak, _rss_mib(child))

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# ---- (1) large bodies ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    route: str
    status: str
    sent_mib: float
    seconds: float


def _status_line(sock: socket.socket) -> str:
    sock.settimeout(30)
    data = b""
    try:
        while b"\r\n" not in data:
            more = sock.recv(4096)
            if not more:
                break
            data += more
    except OSError as exc:
        return type(exc).__name__
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    return line.split(" ", 2)[1] if line.startswith("HTTP/") else (line or "closed")


def send_body(port: int, method: str, path: str, content_type: str, total: int, chunked: bool) -> Outcome:
    """Send `total` bytes of body; stop at the server's first answer byte. Returns what it answered."""
    started = time.perf_counter()
    sent = 0
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        sock.sendall(f"{head}{framing}\r\n\r\n".encode())
        sock.settimeout(30)
        try:
            while sent < total:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break  # answered early: nothing more is read from us
                piece = CHUNK[: min(len(CHUNK), total - sent)]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
                sent += len(piece)
            if chunked and sent >= total:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection after answering
        status = _status_line(sock)
    return Outcome(f"{method} {path}", status, sent / MIB, time.perf_counter() - started)


def attack_bodies(port: int, total: int, chunked: bool) -> list[Outcome]:
    with ThreadPoolExecutor(len(TARGETS)) as pool:
        futures = [pool.submit(send_body, port, m, p, ct, total, chunked) for m, p, ct in TARGETS]
        return [f.result() for f in futures]


# ---- (2) YAML alias bomb -------------------------------------------------------------------------------


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append(f"names: {{0: *a{levels}}}")
    return "\n".join(lines) + "\ntrain: images/train\nval: images/train\n"


def bomb_archive(levels: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.yaml", alias_bomb(levels))
        zf.writestr("images/train/a.jpg", b"\xff\xd8\xff\xd9")
        zf.writestr("labels/train/a.txt", "0 0.5 0.5 0.1 0.1\n")
    return out.getvalue()


def attack_bomb(url: str, token: str, levels: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    archive = bomb_archive(levels)
    started = time.perf_counter()
    r = httpx.post(
        f"{url}/api/v1/od/images/import/yolo",
        files={"file": ("bomb.zip", archive, "application/zip")},
        headers=headers,
        timeout=60,
    )
    r.raise_for_status()
    job_id = r.json()["job"]["id"]
    job: dict[str, Any] = {}
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        job = httpx.get(f"{url}/api/v1/jobs/{job_id}", headers=headers, timeout=60).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.2)
    logs = httpx.get(f"{url}/api/v1/jobs/{job_id}/logs", headers=headers, params={"limit": 1000}, timeout=60)
    listing = httpx.get(f"{url}/api/v1/jobs", headers=headers, timeout=120)
    issues = (job.get("result") or {}).get("issues") or [{}]
    return {
        "archive_bytes": len(archive),
        "seconds": time.perf_counter() - started,
        "status": job.get("status"),
        "first_issue": {k: issues[0].get(k) for k in ("kind", "file", "line")},
        "result_chars": len(json.dumps(job.get("result"))),
        "log_chars": sum(len(e["message"]) for e in logs.json()["items"]),
        "jobs_list_bytes": len(listing.content),
    }


# ---- main ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--body-mb", type=int, default=300)
    parser.add_argument("--bomb-levels", type=int, default=9)
    args = parser.parse_args()
    total = args.body_mb * MIB
    # The server runs this checkout's code, whatever is installed in the environment.
    here = str(Path(__file__).resolve().parents[1] / "src")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
    print(f"machine: {machine()}")
    with (
        tempfile.TemporaryDirectory(prefix="shelfscope-redteam-") as tmp,
        serve(Path(tmp) / "data", "") as server,
    ):
        port = int(server.url.rsplit(":", 1)[1])
        time.sleep(1.0)  # let the workers settle
        print(f"server pid {server.proc.pid}: RSS after start {_rss_mib(server.proc.pid):.0f} MiB")
        with MemoryWatch(server.proc.pid) as watch:
            for chunked in (False, True):
                framing = "chunked" if chunked else "Content-Length"
                for o in attack_bodies(port, total, chunked):
                    print(
                        f"  {args.body_mb} MB, {framing:14s} {o.route:52s} -> {o.status:>5s} "
                        f"after {o.sent_mib:7.1f} MiB sent, {o.seconds:5.2f} s"
                    )
            print(f"bodies: server peak RSS {watch.server_peak:.0f} MiB")
            bomb = attack_bomb(server.url, server.token, args.bomb_levels)
            print(f"alias bomb ({args.bomb_levels} levels, {bomb['archive_bytes']:,} byte archive): {bomb}")
        hwm = _hwm_mib(server.proc.pid)
        print(
            f"peak RSS while attacked: server {watch.server_peak:.0f} MiB (VmHWM {hwm:.0f} MiB), "
            f"largest worker {watch.worker_peak:.0f} MiB; target < 500 MiB"
        )
        print(f"memory read with {'psutil' if PSUTIL is not None else '/proc (psutil not installed)'}")


if __name__ == "__main__":
    main()

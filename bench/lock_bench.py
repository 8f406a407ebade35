"""How long a big import holds SQLite's write lock, and what an annotation edit beside it gets.

Imports a generated COCO file (default 4,000 images x 50 boxes = 200,000 boxes) through the job
executor, as a worker runs it, while an annotator's edits go through the API every 0.2 s (PATCH of a
box of another dataset). Every write transaction of the database is timed from BEGIN IMMEDIATE to its
COMMIT or ROLLBACK: the longest of the import's is how long it keeps every other writer waiting.
`--busy-timeout` shortens how long a write waits for the lock (default 30 s), to see on a fast machine
what a slower one meets.

    .venv/bin/python -m bench.lock_bench [--images 4000] [--boxes 50] [--busy-timeout 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bench.common import machine
from bench.io_bench import generate

PASSWORD = "bench password 1234"


class WriteTimer:
    """Durations of write transactions (BEGIN IMMEDIATE .. COMMIT/ROLLBACK), by the thread that ran them."""

    def __init__(self, engine: Any) -> None:
        self.held: list[tuple[str, float]] = []
        self._open: dict[int, float] = {}
        self._lock = threading.Lock()
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _begin(self, conn: Any) -> None:
        if conn.get_execution_options().get("shelfscope_immediate"):
            self._open[id(conn.connection.dbapi_connection)] = time.perf_counter()

    def _end(self, conn: Any) -> None:
        started = self._open.pop(id(conn.connection.dbapi_connection), None)
        if started is not None:
            with self._lock:
                self.held.append((threading.current_thread().name, time.perf_counter() - started))


def _run_import(ctx: Any, source: Path) -> Any:
    from shelfscope.jobs.executor import run_job_inline
    from shelfscope.jobs.service import submit_job

    with ctx.db.writer() as session:
        job = submit_job(session, ctx.runner, "od.imports.run", {"format": "coco", "path": str(source)}, None)
    return run_job_inline(ctx.settings, ctx.db, ctx.storage, job.id)


def _editor(ctx: Any) -> tuple[Any, int]:
    """A signed-in admin client and the id of a box to edit (in a small dataset of its own)."""
    from fastapi.testclient import TestClient

    from shelfscope.app import create_app
    from shelfscope.auth.models import User
    from shelfscope.auth.service import hash_password
    from shelfscope.od.annotations.models import Annotation

    with ctx.db.write() as session:
        session.add(User(username="bench", role="admin", password_hash=hash_password(PASSWORD)))
    with ctx.db.read() as session:
        box_id = int(session.scalars(select(Annotation.id).limit(1)).one())
    client = TestClient(create_app(ctx, start_runner=False))
    client.post("/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}).raise_for_status()
    client.headers["X-CSRF-Token"] = client.cookies["shelfscope_csrf"]
    return client, box_id


def _edits(client: Any, box_id: int, stop: threading.Event, out: list[tuple[int, float]]) -> None:
    n = 0
    while not stop.wait(0.2):
        n += 1
        started = time.perf_counter()
        response = client.patch(f"/api/v1/od/annotations/{box_id}", json={"x1": 1 + n % 2})
        out.append((response.status_code, time.perf_counter() - started))


def run(args: argparse.Namespace, workdir: Path) -> None:
    from shelfscope.config import Settings
    from shelfscope.context import AppContext
    from shelfscope.db.migrate import upgrade
    from shelfscope.od.imports import jobs as _imports  # noqa: F401  (registers od.imports.run)

    made = generate(workdir / "big", args.images, args.boxes, args.classes)
    generate(workdir / "small", 2, 2, 2)
    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    extra = (
        {"database_busy_timeout_s": args.busy_timeout}
        if "database_busy_timeout_s" in Settings.model_fields
        else {}
    )
    settings = Settings(data_dir=workdir / "data", database_url=url, import_roots=[workdir], **extra)
    ctx = AppContext.from_settings(settings, pooled=True)
    assert _run_import(ctx, workdir / "small").status == "succeeded"
    client, box_id = _editor(ctx)
    timer = WriteTimer(ctx.db.engine)
    stop = threading.Event()
    edits: list[tuple[int, float]] = []
    editor = threading.Thread(target=_edits, args=(client, box_id, stop, edits), name="editor")
    editor.start()
    threading.current_thread().name = "import"
    started = time.perf_counter()
    finished = _run_import(ctx, workdir / "big")
    seconds = time.perf_counter() - started
    stop.set()
    editor.join()
    client.close()
    ctx.close()
    _print(made, finished, seconds, timer, edits, args)


def _print(
    made: dict[str, Any],
    finished: Any,
    seconds: float,
    timer: WriteTimer,
    edits: list[tuple[int, float]],
    args: argparse.Namespace,
) -> None:
    imported = (finished.result or {}).get("annotations", {}).get("imported") or 0
    mine = sorted((s for who, s in timer.held if who == "import"), reverse=True)
    print(f"machine: {machine()}")
    print(f"busy timeout: {args.busy_timeout:g} s (a write waits this long for the lock, then gives up)")
    print(
        f"import of {made['boxes']:,} boxes: {finished.status} {finished.error or ''}, "
        f"{imported:,} imported in {seconds:.1f} s"
    )
    print(
        f"its write transactions: {len(mine)}; longest lock holds "
        f"{', '.join(f'{s:.2f}' for s in mine[:3])} s; median {statistics.median(mine) * 1000:.0f} ms"
    )
    codes = Counter(code for code, _ in edits)
    waits = [s for _, s in edits]
    if waits:
        print(
            f"annotation edits through the API beside it: {dict(sorted(codes.items()))}; "
            f"median {statistics.median(waits) * 1000:.0f} ms, longest {max(waits):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=4_000)
    parser.add_argument("--boxes", type=int, default=50)
    parser.add_argument("--classes", type=int, default=20)
    parser.add_argument("--busy-timeout", type=float, default=30.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="lock-bench-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""How long a big import holds SQLite's write lock, and what a small write beside it gets.

Imports a generated COCO file (default 4,000 images x 50 boxes = 200,000 boxes) through the job
executor, as a worker would run it, while a second thread makes a small write every 0.2 s (renaming a
class, as the API's PATCH does). Every write transaction of the database is timed from BEGIN
IMMEDIATE to its COMMIT or ROLLBACK: the longest of the import's is how long every other writer can
be kept waiting.

    .venv/bin/python -m bench.lock_bench [--images 4000] [--boxes 50] [--busy-timeout 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.exc import OperationalError

from bench.common import machine
from bench.io_bench import generate


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


def _small_writes(ctx: Any, stop: threading.Event, out: dict[str, list[float]]) -> None:
    from shelfscope.od.classes.models import OdClass

    n = 0
    while not stop.wait(0.2):
        n += 1
        started = time.perf_counter()
        try:
            with ctx.db.write() as session:
                session.execute(update(OdClass).where(OdClass.id == 1).values(description=f"edit {n}"))
            out["ok"].append(time.perf_counter() - started)
        except OperationalError:
            out["locked"].append(time.perf_counter() - started)


def run(args: argparse.Namespace, workdir: Path) -> None:
    from shelfscope.config import Settings
    from shelfscope.context import AppContext
    from shelfscope.db.migrate import upgrade
    from shelfscope.jobs.executor import run_job_inline
    from shelfscope.jobs.service import submit_job
    from shelfscope.od.classes.service import ensure_classes
    from shelfscope.od.imports import jobs as _imports  # noqa: F401  (registers od.imports.run)

    source = workdir / "coco"
    made = generate(source, args.images, args.boxes, args.classes)
    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    settings = Settings(data_dir=workdir / "data", database_url=url, import_roots=[workdir])
    ctx = AppContext.from_settings(settings, pooled=True)
    with ctx.db.write() as session:
        ensure_classes(session, ["class_000"], None, source="import")
    timer = WriteTimer(ctx.db.engine)
    with ctx.db.writer() as session:
        job = submit_job(session, ctx.runner, "od.imports.run", {"format": "coco", "path": str(source)}, None)
    stop = threading.Event()
    small: dict[str, list[float]] = {"ok": [], "locked": []}
    writer = threading.Thread(target=_small_writes, args=(ctx, stop, small), name="small-writer")
    writer.start()
    started = time.perf_counter()
    threading.current_thread().name = "import"
    finished = run_job_inline(ctx.settings, ctx.db, ctx.storage, job.id)
    seconds = time.perf_counter() - started
    stop.set()
    writer.join()
    ctx.close()
    imported = (finished.result or {}).get("annotations", {}).get("imported")
    mine = sorted((s for who, s in timer.held if who == "import"), reverse=True)
    print(f"machine: {machine()}")
    print(f"import of {made['boxes']:,} boxes: {finished.status}, {imported:,} imported in {seconds:.1f} s")
    print(f"import write transactions: {len(mine)}; longest {mine[0]:.2f} s; next {mine[1:4]}")
    ok, locked = small["ok"], small["locked"]
    if ok:
        print(
            f"small writes beside it: {len(ok)} ok (median {statistics.median(ok) * 1000:.0f} ms, "
            f"longest {max(ok):.2f} s), {len(locked)} 'database is locked'"
        )
    else:
        print(f"small writes beside it: none ok, {len(locked)} 'database is locked'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=4_000)
    parser.add_argument("--boxes", type=int, default=50)
    parser.add_argument("--classes", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="lock-bench-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

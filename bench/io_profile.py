"""Where an import's time goes: the io_bench COCO data (smaller by default) imported once into SQLite
or PostgreSQL, with the wall and CPU time of each phase (read, images, checks, commit) and, with
--profile, the functions that took the most time (cProfile, main thread only).

    .venv/bin/python -m bench.io_profile [--images 5000] [--boxes 50] [--db sqlite|postgres] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.common import machine
from bench.io_bench import generate

_PHASES: list[tuple[str, float, float]] = []


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), _cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            _PHASES.append((name, time.perf_counter() - wall, _cpu() - cpu))

    return wrapper


def _instrument() -> None:
    """Each phase of the import service timed where the service calls it."""
    from shelfscope.od.imports import service
    from shelfscope.od.imports.ingest import ImageIngest

    # setattr: the service module's own names for these functions are what run_import calls.
    for name, phase in (
        ("read_document", "read annotations"),
        ("check_shapes", "check shapes"),
        ("commit_import", "commit (database)"),
    ):
        setattr(service, name, _timed(phase, getattr(service, name)))
    ImageIngest.run = _timed("images (hash, decode, store)", ImageIngest.run)  # type: ignore[method-assign]


@contextmanager
def _database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'profile.db'}"
        return
    from tests.support.servers import postgres_cluster

    with ExitStack() as stack:
        server = stack.enter_context(postgres_cluster())
        name = f"ioprofile_{uuid.uuid4().hex[:8]}"
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        yield f"{server}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--boxes", type=int, default=50)
    parser.add_argument("--classes", type=int, default=100)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--profile", action="store_true", help="cProfile the import (slower)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    from shelfscope.config import Settings
    from shelfscope.context import AppContext
    from shelfscope.db.migrate import upgrade
    from shelfscope.jobs.executor import run_job_inline
    from shelfscope.jobs.service import submit_job
    from shelfscope.od.imports import jobs as _imports  # noqa: F401  (registers od.imports.run)

    print(f"machine: {machine()}")
    print(f"load before: {os.getloadavg()}")
    workdir = Path(tempfile.mkdtemp(prefix="io-profile-"))
    try:
        source = workdir / "coco"
        made = generate(source, args.images, args.boxes, args.classes)
        print(f"generated {args.images:,} images x {args.boxes} boxes = {made['boxes']:,} boxes")
        with _database(args.db, workdir) as url:
            upgrade(url)
            settings = Settings(data_dir=workdir / "data", database_url=url, import_roots=[workdir])
            ctx = AppContext.from_settings(settings, pooled=False)
            _instrument()
            with ctx.db.writer() as session:
                payload = {"format": "coco", "path": str(source), "dataset_name": "profile"}
                job = submit_job(session, ctx.runner, "od.imports.run", payload, None)
            profiler = cProfile.Profile() if args.profile else None
            wall, cpu = time.perf_counter(), _cpu()
            if profiler is not None:
                profiler.enable()
            finished = run_job_inline(ctx.settings, ctx.db, ctx.storage, job.id)
            if profiler is not None:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            assert finished.status == "succeeded", finished.error
            print(f"load after: {os.getloadavg()}")
            print(f"\n{'phase':<32} {'wall s':>8} {'cpu s':>8}")
            for name, w, c in _PHASES:
                print(f"{name:<32} {w:>8.2f} {c:>8.2f}")
            print(f"{'whole job':<32} {wall:>8.2f} {cpu:>8.2f}")
            if profiler is not None:
                print()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
            ctx.db.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

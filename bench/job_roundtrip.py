"""Job round trip: submit a `system.ping` job until a polling client sees it succeeded, per runner.

Runs the local runner (spawned worker processes) and the celery runner (its own redis-server and a
real `shelfscope worker` process) against SQLite and, when PostgreSQL is installed, PostgreSQL.

    .venv/bin/python bench/job_roundtrip.py [--jobs 50] [--db sqlite,postgres] [--runner local,celery]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # for tests.support.servers: the throwaway Redis and PostgreSQL helpers

from sqlalchemy import create_engine, text  # noqa: E402
from tests.support.servers import postgres_cluster, redis_server  # noqa: E402

from bench.common import machine  # noqa: E402
from shelfscope.config import Settings  # noqa: E402
from shelfscope.context import AppContext  # noqa: E402
from shelfscope.db.migrate import upgrade  # noqa: E402
from shelfscope.jobs import service  # noqa: E402

POLL_S = 0.001
WARMUP = 5


def settings_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFSCOPE_")}
    for name, value in settings.model_dump(mode="json").items():
        if value is not None:
            env[f"SHELFSCOPE_{name.upper()}"] = ",".join(value) if isinstance(value, list) else str(value)
    return env


@contextmanager
def database(kind: str, root: Path) -> Iterator[str]:
    if kind == "sqlite":
        url = f"sqlite:///{root / 'bench.db'}"
        upgrade(url)
        yield url
        return
    with postgres_cluster() as server:
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        upgrade(f"{server}/bench")
        yield f"{server}/bench"


@contextmanager
def celery_worker(settings: Settings, log_path: Path) -> Iterator[None]:
    command = [str(Path(sys.executable).with_name("shelfscope")), "worker", "--concurrency", "2"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            env=settings_env(settings),
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_ready(ctx: AppContext, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ctx.runner.health()["ok"]:
            return
        time.sleep(0.1)
    raise SystemExit(f"the {ctx.settings.runner} runner did not become healthy: {ctx.runner.health()}")


def round_trip(ctx: AppContext) -> float:
    """Seconds from submit (before the insert) until a read shows the job succeeded."""
    started = time.perf_counter()
    with ctx.db.writer() as session:
        job_id = service.submit_job(session, ctx.runner, "system.ping", {}, None).id
    while True:
        with ctx.db.read() as session:
            status = service.get_job(session, job_id).status
        if status == "succeeded":
            return time.perf_counter() - started
        if service.is_terminal(status):
            raise SystemExit(f"ping job {job_id} ended {status}")
        time.sleep(POLL_S)


def measure(runner: str, db_kind: str, jobs: int) -> list[float]:
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shelfscope-bench-")))
        url = stack.enter_context(database(db_kind, root))
        settings = Settings(
            data_dir=root / "data", database_url=url, runner=runner, local_workers=2, log_level="warning"
        )
        if runner == "celery":
            broker = stack.enter_context(redis_server())
            settings = settings.model_copy(
                update={"broker_url": broker, "celery_queue": f"bench-{uuid.uuid4().hex[:8]}"}
            )
            stack.enter_context(celery_worker(settings, root / "worker.log"))
        ctx = AppContext.from_settings(settings)
        stack.callback(ctx.close)
        ctx.runner.start()
        wait_ready(ctx)
        for _ in range(WARMUP):
            round_trip(ctx)
        return [round_trip(ctx) for _ in range(jobs)]


def report(label: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{label:<18} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms  "
        f"mean={statistics.fmean(ms):7.1f} ms  min={ms[0]:6.1f} ms  max={ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--runner", default="local,celery")
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(
        f"job round trip: submit system.ping -> client sees 'succeeded' (polling every "
        f"{POLL_S * 1000:g} ms), {args.jobs} jobs one after another after {WARMUP} warm-up jobs"
    )
    for db_kind in args.db.split(","):
        for runner in args.runner.split(","):
            print(report(f"{runner} / {db_kind}", measure(runner, db_kind, args.jobs)), flush=True)


if __name__ == "__main__":
    main()

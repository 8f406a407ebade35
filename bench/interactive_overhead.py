"""Interactive job overhead: `jobs.interactive.call` round trip with a handler that does nothing.

What a SAM click or a one-image detection pays on top of its model call: submit (insert), waking the
interactive worker, its claim, the executor, the result write, and the waiting request seeing it.
Local runner, SQLite in a temporary data folder (and PostgreSQL with --db postgres, when installed).

    .venv/bin/python bench/interactive_overhead.py [--calls 300] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # spawned workers import this module (job_modules) from the repo

from shelfscope.jobs.context import JobContext  # noqa: E402
from shelfscope.jobs.registry import job_handler  # noqa: E402

WARMUP = 20
NOOP_KIND = "bench.interactive.noop"


class NoopPayload(BaseModel):
    value: int = 0


def noop(ctx: JobContext, payload: NoopPayload) -> dict[str, Any]:
    return {"value": payload.value}


# Registered where Settings.job_modules imports this file as bench.interactive_overhead (the server
# side and every worker); as the script (and its copy in spawned workers) it must not register a
# second, __main__ copy of the kind.
if __name__ not in ("__main__", "__mp_main__"):
    job_handler(NOOP_KIND, payload=NoopPayload, queue="interactive")(noop)


@contextmanager
def database(kind: str, root: Path) -> Iterator[str]:
    from shelfscope.db.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{root / 'bench.db'}"
        upgrade(url)
        yield url
        return
    from sqlalchemy import create_engine, text
    from tests.support.servers import postgres_cluster

    with postgres_cluster() as server:
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        upgrade(f"{server}/bench")
        yield f"{server}/bench"


def measure(db_kind: str, calls: int) -> list[float]:
    from shelfscope.config import Settings
    from shelfscope.context import AppContext
    from shelfscope.jobs import interactive

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="shelfscope-bench-")))
        url = stack.enter_context(database(db_kind, root))
        settings = Settings(
            data_dir=root / "data",
            database_url=url,
            job_modules=["bench.interactive_overhead"],
            log_level="warning",
        )
        ctx = AppContext.from_settings(settings)
        stack.callback(ctx.close)
        ctx.runner.start()

        def one(value: int) -> float:
            started = time.perf_counter()
            result = interactive.call(
                settings, ctx.db, ctx.runner, kind=NOOP_KIND, payload={"value": value}, user_id=None
            )
            elapsed = time.perf_counter() - started
            assert result == {"value": value}, result
            return elapsed

        for i in range(WARMUP):
            one(i)
        return [one(i) for i in range(calls)]


def main() -> None:
    from bench.common import machine, percentiles

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(
        f"interactive.call round trip of a no-op handler (local runner, 1 interactive worker), "
        f"{args.calls} calls one after another after {WARMUP} warm-up calls"
    )
    for db_kind in args.db.split(","):
        samples = measure(db_kind, args.calls)
        print(f"{db_kind:<9} {percentiles([s * 1000 for s in samples])}", flush=True)


if __name__ == "__main__":
    main()

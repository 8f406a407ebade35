"""A job runner that runs each submitted job in a thread of the test process: real job rows, the real
claim and executor, and jobs.interactive.call waiting on them as it waits on any runner; only the
worker process is left out, so a test can see inside the worker's caches (a model's real forward
passes) and pays no worker start-up (spawning a process that imports torch)."""

from __future__ import annotations

import threading
from typing import Any

from shelfscope.context import AppContext
from shelfscope.jobs.executor import run_job_inline


class ThreadRunner:
    name = "local"

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._threads: list[threading.Thread] = []
        self.submitted: list[tuple[int, str]] = []

    def submit(self, job_id: int, queue: str) -> None:
        self.submitted.append((job_id, queue))
        ctx = self.ctx
        thread = threading.Thread(
            target=run_job_inline, args=(ctx.settings, ctx.db, ctx.storage, job_id), daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        for thread in self._threads:
            thread.join(30)

    def health(self) -> dict[str, Any]:
        return {
            "ok": True,
            "runner": self.name,
            "workers": [],
            "detail": "jobs run in threads of this process",
        }

    def request_cancel(self, job_id: int) -> None:
        pass

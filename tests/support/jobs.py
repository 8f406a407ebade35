"""Job helpers: the test-only handler modules, waiting for a condition, and a harness around a started
runner with real workers (local processes or a Celery worker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs import service
from shelfscope.jobs.models import Job, JobEvent
from shelfscope.jobs.runners.local import LocalRunner

REPO_ROOT = Path(__file__).resolve().parents[2]


JOB_MODULES = ["tests.support.job_handlers"]


WAIT_S = 20.0


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = WAIT_S,
    what: str = "condition",
    explain: Callable[[], str] | None = None,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    details = f"\n{explain()}" if explain else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}{details}")


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a separate process build these same Settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFSCOPE_")}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"SHELFSCOPE_{name.upper()}"] = str(value)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    return env


class CeleryWorker:
    """A real `shelfscope worker` process (prefork pool), in its own process group."""

    def __init__(self, settings: Settings, log_dir: Path, queues: str | None = None) -> None:
        self.settings = settings
        self.log_dir = log_dir
        # `--queue` (job queues, comma-separated); all queues when None.
        self.queues = queues
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.started = 0

    def start(self) -> None:
        self.started += 1
        self.log_path = self.log_dir / f"celery-worker-{id(self)}-{self.started}.log"
        command = [str(Path(sys.executable).with_name("shelfscope")), "worker", "--concurrency", "1"]
        if self.queues:
            command += ["--queue", self.queues]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                command,
                env=settings_env(self.settings),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def is_ready(self) -> bool:
        return self.log_path is not None and b" ready." in self.log_path.read_bytes()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash or power loss would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").splitlines()[-40:]
        return "celery worker log:\n" + "\n".join(lines)


@dataclass
class Harness:
    """A started runner with real workers, and what the tests do to it."""

    kind: str
    ctx: AppContext
    celery: CeleryWorker | None = None
    killed: list[int] = field(default_factory=list)

    def submit(self, kind: str, payload: dict[str, Any] | None = None) -> int:
        with self.ctx.db.writer() as session:
            return service.submit_job(session, self.ctx.runner, kind, payload or {}, None).id

    def cancel(self, job_id: int) -> Job:
        with self.ctx.db.writer() as session:
            return service.cancel_job(session, self.ctx.runner, job_id)

    def job(self, job_id: int) -> Job:
        with self.ctx.db.read() as session:
            return service.get_job(session, job_id)

    def logs(self, job_id: int) -> list[str]:
        return [e.message or "" for e in self.events(job_id, "log")]

    def events(self, job_id: int, event_type: str) -> list[JobEvent]:
        with self.ctx.db.read() as session:
            return service.list_events(session, job_id, event_type, limit=1000).items

    def explain(self, job_id: int) -> Callable[[], str]:
        def describe() -> str:
            job = self.job(job_id)
            lines = [
                f"job {job_id}: {job.status} stage={job.stage!r} error={job.error!r}",
                f"worker={job.worker}",
                *self.logs(job_id),
            ]
            if self.celery is not None:
                lines.append(self.celery.log_tail())
            return "\n".join(lines)

        return describe

    def wait_status(self, job_id: int, *statuses: str, timeout: float = WAIT_S) -> Job:
        job: Job = wait_for(
            lambda: (found := self.job(job_id)).status in statuses and found,
            timeout,
            f"job {job_id} to be {'/'.join(statuses)}",
            self.explain(job_id),
        )
        return job

    def wait_log(self, job_id: int, text: str, timeout: float = WAIT_S) -> None:
        wait_for(
            lambda: any(text in line for line in self.logs(job_id)),
            timeout,
            f"job {job_id} to log {text!r}",
            self.explain(job_id),
        )

    def kill_workers(self) -> None:
        if self.celery is not None:
            self.celery.kill()
            return
        assert isinstance(self.ctx.runner, LocalRunner)
        for pid in self.ctx.runner.worker_pids():
            os.kill(pid, signal.SIGKILL)
            self.killed.append(pid)

    def start_workers(self) -> None:
        """Celery workers are started by hand; the local supervisor replaces its own."""
        if self.celery is not None:
            self.celery.start()
            self.wait_workers()

    def wait_workers(self) -> None:
        if self.celery is not None:
            # Cheaper than a health check (its ping waits out a timeout): Celery logs when it consumes.
            wait_for(self.celery.is_ready, 30, "the celery worker to start", self.celery.log_tail)
        else:
            wait_for(lambda: self.ctx.runner.health()["workers"] >= 1, 30, "a local worker")

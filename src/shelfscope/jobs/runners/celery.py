"""The celery runner: jobs travel as `shelfscope.run_job(job_id)` tasks over Redis to `shelfscope worker`s.

Each job queue is its own Celery queue (`shelfscope`, `shelfscope.ml`, `shelfscope.interactive` for
the default celery_queue), so a GPU machine serves only ML work with `shelfscope worker --queue
ml,interactive` while CPU machines take imports and exports.

The database row stays the truth; a task only names a job. Workers run the same executor as local
workers (claim, JobContext, heartbeat and cancel watcher). The prefork pool is used because a job
that ignores its cancel is stopped by ending its pool process (os._exit), which the pool replaces;
with a thread pool that would take the whole worker down.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import redis
from celery import Celery

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.jobs import service
from shelfscope.jobs.executor import WorkerEnv, prune_ended_interactive, run_claimed_job, worker_name
from shelfscope.jobs.registry import QUEUES, load_job_modules, run_recovery_hooks, run_worker_start_hooks
from shelfscope.storage import open_storage

log = logging.getLogger("shelfscope.jobs.celery")

RUNNER = "celery"
TASK_NAME = "shelfscope.run_job"
_HEALTH_TIMEOUT_S = 0.3
# How often the server's sweep deletes interactive jobs past settings.interactive_job_retention_h.
_PRUNE_EVERY_S = 60.0


def create_celery_app(settings: Settings) -> Celery:
    app = Celery("shelfscope", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=settings.celery_queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # Acked on receipt: a lost worker's job is recovered from its stale heartbeat (failed, or
        # requeued when resumable), never silently re-run by the broker.
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2.0,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    app.task(name=TASK_NAME, ignore_result=True)(run_job_task)
    return app


def celery_queue_name(settings: Settings, queue: str) -> str:
    """The Celery queue of a job queue: celery_queue itself for `default`, else `<celery_queue>.<queue>`."""
    return settings.celery_queue if queue == "default" else f"{settings.celery_queue}.{queue}"


def parse_queues(settings: Settings, names: list[str] | None) -> list[str]:
    """`--queue ml,interactive` (repeated or comma-separated job queues) -> Celery queue names; all
    three when none is named."""
    wanted = [n.strip() for item in names or [] for n in item.split(",") if n.strip()] or list(QUEUES)
    unknown = [n for n in wanted if n not in QUEUES]
    if unknown:
        raise ValueError(f"unknown queue {', '.join(unknown)}; the job queues are {', '.join(QUEUES)}")
    return [celery_queue_name(settings, n) for n in dict.fromkeys(wanted)]


def send_job(app: Celery, settings: Settings, db: Database, job_id: int, queue: str) -> str:
    """Record the task id first, so a cancel that races the send can still revoke it."""
    task_id = str(uuid.uuid4())
    service.set_external_id(db, job_id, task_id)
    app.send_task(TASK_NAME, args=[job_id], task_id=task_id, queue=celery_queue_name(settings, queue))
    return task_id


def recover_and_resend(app: Celery, settings: Settings, db: Database) -> service.Recovery:
    """Settle running jobs whose heartbeat went stale; requeued ones get a fresh task."""
    stale_before = utcnow() - timedelta(seconds=settings.job_stale_after_s)
    recovery = service.recover_interrupted(db, RUNNER, stale_before=stale_before)
    for job_id in recovery.requeued:
        send_job(app, settings, db, job_id, recovery.queues.get(job_id, "default"))
    if recovery.failed or recovery.requeued or recovery.cancelled:
        run_recovery_hooks(settings, db)
    return recovery


class CeleryRunner:
    """The server's side: send tasks, cancel (revoke), recover stale jobs, report health."""

    name = RUNNER

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.app = create_celery_app(settings)
        # The server only publishes and pings. kombu reads control replies with BRPOP, whose default
        # 1 s timeout delays a reply past the health check's short wait; poll the replies more often.
        self.app.conf.broker_transport_options = {"polling_interval": 0.1}
        self._halt = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._backstops: dict[int, threading.Timer] = {}
        self._lock = threading.Lock()
        self._next_prune = time.monotonic() + _PRUNE_EVERY_S

    def submit(self, job_id: int, queue: str) -> None:
        send_job(self.app, self.settings, self.db, job_id, queue)

    def request_cancel(self, job_id: int) -> None:
        state = service.job_state(self.db, job_id)
        if state is None:
            return
        status, task_id, started_at = state
        if task_id is None:
            return
        if status == "cancelled" and started_at is None:
            # Never started: drop the message. Only a courtesy: a worker's claim refuses it anyway.
            try:
                self.app.control.revoke(task_id)
            except Exception:
                log.warning("job %s: revoking task %s failed; the worker will skip it", job_id, task_id)
        elif status == "running":
            # The worker's watcher stops the job (hard after the grace); this only backs that up.
            delay = self.settings.job_cancel_grace_s + 2 * self.settings.job_heartbeat_s + 2.0
            timer = threading.Timer(delay, self._terminate_if_running, args=(job_id, task_id))
            timer.daemon = True
            with self._lock:
                self._backstops[job_id] = timer
            timer.start()

    def _terminate_if_running(self, job_id: int, task_id: str) -> None:
        with self._lock:
            self._backstops.pop(job_id, None)
        try:
            state = service.job_state(self.db, job_id)
            if state is not None and state[0] == "running":
                log.warning("job %s still runs after its cancel grace; terminating task %s", job_id, task_id)
                self.app.control.revoke(task_id, terminate=True, signal="SIGKILL")
                service.confirm_cancelled(self.db, job_id, None)
        except Exception:
            log.exception("job %s: terminating the task after its cancel failed", job_id)

    def start(self) -> None:
        with self._lock:
            if self._sweeper is not None:
                return
            self._halt.clear()
            self._sweep()
            self._sweeper = threading.Thread(target=self._sweep_loop, name="celery-job-sweeper", daemon=True)
            self._sweeper.start()

    def stop(self) -> None:
        with self._lock:
            sweeper, self._sweeper = self._sweeper, None
            timers, self._backstops = list(self._backstops.values()), {}
        self._halt.set()
        if sweeper is not None:
            sweeper.join()
        for timer in timers:
            timer.cancel()
        self.app.close()

    def health(self) -> dict[str, Any]:
        try:
            client = redis.Redis.from_url(
                self.settings.broker_url,
                socket_timeout=_HEALTH_TIMEOUT_S,
                socket_connect_timeout=_HEALTH_TIMEOUT_S,
            )
            try:
                client.ping()
            finally:
                client.close()
        except (redis.RedisError, OSError, ValueError) as exc:
            return {"ok": False, "runner": RUNNER, "workers": 0, "detail": f"broker not reachable: {exc}"}
        try:
            replies = self.app.control.ping(timeout=_HEALTH_TIMEOUT_S)
        except Exception as exc:
            return {"ok": False, "runner": RUNNER, "workers": 0, "detail": f"worker ping failed: {exc}"}
        workers = len(replies or [])
        detail = (
            f"broker reachable; {workers} worker(s) answered"
            if workers
            else "broker reachable, but no worker answered; start one with `shelfscope worker`"
        )
        return {"ok": workers > 0, "runner": RUNNER, "workers": workers, "detail": detail}

    def _sweep(self) -> None:
        try:
            recover_and_resend(self.app, self.settings, self.db)
        except Exception:
            log.exception("recovering interrupted celery jobs failed")
        if time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + _PRUNE_EVERY_S
            try:
                prune_ended_interactive(self.settings, self.db)
            except Exception:
                log.exception("deleting old interactive jobs failed")

    def _sweep_loop(self) -> None:
        every = max(0.2, min(self.settings.job_stale_after_s / 2, 10.0))
        while not self._halt.wait(every):
            self._sweep()


# ---- the worker side -----------------------------------------------------------------------------------

# Set by run_celery_worker before the pool forks; each pool process builds its own env from it.
_settings: Settings | None = None
_env: WorkerEnv | None = None
_env_pid = 0


def _worker_env() -> WorkerEnv:
    """This pool process's engine and storage, made after the fork (connections must not be shared)."""
    global _env, _env_pid
    if _env is None or _env_pid != os.getpid():
        settings = _settings or Settings()
        load_job_modules(settings.job_modules)
        _env = WorkerEnv(
            settings=settings,
            db=Database.from_settings(settings, pooled=True),
            storage=open_storage(settings),
            worker_id=worker_name(),
        )
        _env_pid = os.getpid()
    return _env


def run_job_task(job_id: int) -> None:
    """The one Celery task: claim the job the message names and run it like any worker does."""
    env = _worker_env()
    if not service.claim_job(env.db, job_id, env.worker_id):
        log.info("job %s is no longer queued (cancelled or already taken); skipping", job_id)
        return
    run_claimed_job(env, job_id)


def run_celery_worker(
    settings: Settings, concurrency: int | None = None, queues: list[str] | None = None
) -> None:
    """`shelfscope worker`: recover stale jobs, then consume the tasks of `queues` (job queue names,
    all when None) until stopped (SIGTERM: warm stop)."""
    global _settings
    celery_queues = parse_queues(settings, queues)
    _settings = settings
    load_job_modules(settings.job_modules)
    from celery.signals import worker_process_init

    job_queues = tuple(q for q in QUEUES if celery_queue_name(settings, q) in celery_queues)

    def warm_up(**_: Any) -> None:  # in each pool process, as it starts
        run_worker_start_hooks(settings, job_queues)

    worker_process_init.connect(warm_up, weak=False)
    app = create_celery_app(settings)
    db = Database.from_settings(settings, pooled=False)
    try:
        recover_and_resend(app, settings, db)
    finally:
        db.dispose()  # before the pool forks
    worker = app.Worker(
        hostname=f"shelfscope-{os.getpid()}@{socket.gethostname()}",
        concurrency=concurrency,
        queues=celery_queues,
        pool="prefork",
        loglevel=settings.log_level.upper(),
        without_gossip=True,
        without_mingle=True,
        optimization="fair",
    )
    worker.start()

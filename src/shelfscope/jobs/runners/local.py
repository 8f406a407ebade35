"""The local runner: worker processes that `shelfscope serve` starts, supervises and restarts.

Workers are spawned (not forked: the server holds threads and database connections a fork would
copy), claim queued jobs from the database, are woken on submit and otherwise poll. A supervisor
thread replaces dead workers, hands their jobs to recovery and sweeps stale jobs.

Wake-ups are a counting semaphore (one token per submitted job) and the stop request a lock-free
shared flag. Nothing shared takes a lock a worker could die holding: a worker killed inside an
Event's or Value's internal lock would hang every submit and the server's shutdown.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Semaphore
from typing import Any

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.jobs import service
from shelfscope.jobs.executor import WorkerEnv, run_claimed_job, worker_name
from shelfscope.jobs.registry import load_job_modules, run_recovery_hooks
from shelfscope.storage import open_storage

log = logging.getLogger("shelfscope.jobs.local")

RUNNER = "local"
_SUPERVISE_EVERY_S = 0.25
_STOP_WAIT_S = 2.0
# A worker that dies sooner than this after starting is restarted with a growing delay (a broken
# job module must not turn the supervisor into a fork bomb).
_QUICK_DEATH_S = 5.0


@dataclass
class _Slot:
    index: int
    process: SpawnProcess
    worker_id: str
    started: float = field(default_factory=time.monotonic)
    quick_deaths: int = 0
    restart_at: float | None = None


class LocalRunner:
    name = RUNNER

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._mp = multiprocessing.get_context("spawn")
        # Created in start(): multiprocessing primitives start a resource tracker process, which
        # commands that never run jobs (db upgrade, users create) should not pay for.
        self._wake: Semaphore | None = None
        self._stop: ctypes.c_bool | None = None
        self._slots: list[_Slot] = []
        self._halt = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._lock = threading.Lock()
        # Guards _slots against health() and worker_pids() while the supervisor swaps a dead worker's
        # process object for a new one (a closed Process raises on is_alive()).
        self._slots_lock = threading.Lock()

    # ---- JobRunner ----------------------------------------------------------------------------------

    def submit(self, job_id: int) -> None:
        if self._wake is not None:
            self._wake.release()

    def request_cancel(self, job_id: int) -> None:
        # Nothing to send: the worker's watcher reads cancel_requested with every heartbeat.
        return None

    def start(self) -> None:
        with self._lock:
            if self._supervisor is not None:
                return
            # Jobs that were running when the server last died (their heartbeat is long past).
            self._recover(stale=True)
            self._wake = self._mp.Semaphore(0)
            self._stop = self._mp.RawValue(ctypes.c_bool, False)
            self._halt.clear()
            self._slots = [self._spawn(i) for i in range(self.settings.local_workers)]
            self._supervisor = threading.Thread(target=self._supervise, name="job-supervisor", daemon=True)
            self._supervisor.start()
            # Workers are not daemonic (handlers may start processes of their own, e.g. data loaders),
            # so an interpreter exiting without stop() would wait on them forever.
            atexit.register(self.stop)
            log.info("local runner started %d worker(s)", len(self._slots))

    def stop(self) -> None:
        with self._lock:
            if self._supervisor is None:
                return
            atexit.unregister(self.stop)
            self._halt.set()
            self._supervisor.join()
            self._supervisor = None
            assert self._stop is not None and self._wake is not None
            self._stop.value = True
            for _ in self._slots:
                self._wake.release()
            deadline = time.monotonic() + _STOP_WAIT_S
            for slot in self._slots:
                slot.process.join(max(0.0, deadline - time.monotonic()))
            # Workers still busy are in a handler: stop them, and account for their jobs now.
            busy = [slot for slot in self._slots if slot.process.is_alive()]
            for slot in busy:
                slot.process.terminate()
            for slot in busy:
                slot.process.join(5)
                if slot.process.is_alive():
                    slot.process.kill()
                    slot.process.join(5)
            if busy:
                self._recover(workers=[slot.worker_id for slot in busy])
            with self._slots_lock:
                for slot in self._slots:
                    slot.process.close()
                self._slots = []
            log.info("local runner stopped")

    def health(self) -> dict[str, Any]:
        wanted = self.settings.local_workers
        if self._supervisor is None:
            return {"ok": False, "runner": RUNNER, "workers": 0, "detail": "the local runner is not started"}
        with self._slots_lock:
            alive = sum(1 for slot in self._slots if slot.process.is_alive())
        return {
            "ok": alive == wanted,
            "runner": RUNNER,
            "workers": alive,
            "detail": f"{alive} of {wanted} worker processes alive",
        }

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for operators and tests)."""
        with self._slots_lock:
            return [slot.process.pid for slot in self._slots if slot.process.pid and slot.process.is_alive()]

    # ---- supervision --------------------------------------------------------------------------------

    def _spawn(self, index: int, quick_deaths: int = 0) -> _Slot:
        assert self._wake is not None and self._stop is not None
        process = self._mp.Process(
            target=worker_main,
            name=f"shelfscope-worker-{index}",
            daemon=False,
            args=(self.settings, self._wake, self._stop, os.getpid()),
        )
        process.start()
        assert process.pid is not None
        return _Slot(
            index=index, process=process, worker_id=worker_name(pid=process.pid), quick_deaths=quick_deaths
        )

    def _supervise(self) -> None:
        sweep_every = max(0.2, min(self.settings.job_stale_after_s / 2, 10.0))
        next_sweep = time.monotonic() + sweep_every
        while not self._halt.wait(_SUPERVISE_EVERY_S):
            try:
                for i, slot in enumerate(self._slots):
                    if not slot.process.is_alive():
                        replacement = self._replace(slot)
                        if replacement is not slot:
                            with self._slots_lock:
                                self._slots[i] = replacement
                                slot.process.close()
                if time.monotonic() >= next_sweep:
                    self._recover(stale=True)
                    next_sweep = time.monotonic() + sweep_every
            except Exception:
                # The supervisor must outlive a database hiccup; the next round tries again.
                log.exception("job supervisor round failed")

    def _replace(self, slot: _Slot) -> _Slot:
        now = time.monotonic()
        if slot.restart_at is None:
            log.warning("job worker %s exited (code %s); replacing it", slot.worker_id, slot.process.exitcode)
            # Its jobs are interrupted now: no need to wait for their heartbeat to go stale.
            self._recover(workers=[slot.worker_id])
            quick = now - slot.started < _QUICK_DEATH_S
            slot.quick_deaths = slot.quick_deaths + 1 if quick else 0
            slot.restart_at = now + (min(30.0, 0.5 * 2**slot.quick_deaths) if quick else 0.0)
        if now < slot.restart_at:
            return slot
        return self._spawn(slot.index, slot.quick_deaths)

    def _recover(self, *, stale: bool = False, workers: list[str] | None = None) -> None:
        stale_before = utcnow() - timedelta(seconds=self.settings.job_stale_after_s) if stale else None
        recovery = service.recover_interrupted(
            self.db, RUNNER, stale_before=stale_before, workers=workers or ()
        )
        if self._wake is not None:
            for _ in recovery.requeued:
                self._wake.release()
        if recovery.failed or recovery.requeued or recovery.cancelled:
            run_recovery_hooks(self.settings, self.db)


# ---- the worker process ------------------------------------------------------------------------------


def _exit_with_parent(parent_pid: int) -> None:
    """A worker must not outlive its server (killed with SIGKILL, it can't stop us itself)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os._exit(1)


def worker_main(settings: Settings, wake: Semaphore, stop: ctypes.c_bool, parent_pid: int) -> None:
    """Entry point of a spawned worker: its own engine and storage, then claim and run until stopped."""
    # Ctrl-C reaches the whole process group; the server decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(
        level=settings.log_level.upper(),
        format=f"%(asctime)s %(levelname)s worker-{os.getpid()} %(name)s: %(message)s",
    )
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), name="parent-watch", daemon=True).start()
    load_job_modules(settings.job_modules)
    db = Database.from_settings(settings, pooled=True)
    env = WorkerEnv(settings=settings, db=db, storage=open_storage(settings), worker_id=worker_name())
    try:
        _work(env, wake, stop)
    finally:
        db.dispose()


def _work(env: WorkerEnv, wake: Semaphore, stop: ctypes.c_bool) -> None:
    poll = env.settings.job_poll_s
    while not stop.value:
        try:
            job_id = service.claim_next(env.db, env.worker_id, RUNNER)
        except Exception:
            log.exception("claiming a job failed; retrying in %.1fs", poll)
            time.sleep(poll)
            continue
        if job_id is None:
            # A token per submitted job: one idle worker wakes for it. Tokens left over by jobs a
            # busy worker claimed directly cost one empty claim each.
            wake.acquire(timeout=poll)
            continue
        try:
            run_claimed_job(env, job_id)
        except Exception:
            log.exception("job %s: the worker could not record its outcome", job_id)

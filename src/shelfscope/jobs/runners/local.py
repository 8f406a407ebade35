"""The local runner: worker processes that `shelfscope serve` starts, supervises and restarts.

Workers are spawned (not forked: the server holds threads and database connections a fork would
copy), claim queued jobs from the database, are woken on submit and otherwise poll. A supervisor
thread replaces dead workers, hands their jobs to recovery and sweeps stale jobs.

There is one pool of workers per job queue (default, ml, interactive; sizes in settings), and each
worker claims only its pool's queues, so a long training never holds up an import and a batch never
delays a click. Workers live as long as the server: a model one loads stays in its cache for the
next job.

Wake-ups are a counting semaphore per pool (one token per submitted job), the stop request a
lock-free shared flag, and "an interactive job ended" one more semaphore the server turns into a
notification for the requests waiting on such jobs (jobs.interactive). Nothing shared takes a lock a
worker could die holding: a worker killed inside an Event's or Value's internal lock would hang
every submit and the server's shutdown.
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
from datetime import datetime, timedelta
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Semaphore
from typing import Any

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.jobs import service
from shelfscope.jobs.executor import WorkerEnv, prune_ended_interactive, run_claimed_job, worker_name
from shelfscope.jobs.registry import QUEUES, load_job_modules, run_recovery_hooks, run_worker_start_hooks
from shelfscope.storage import open_storage

log = logging.getLogger("shelfscope.jobs.local")

RUNNER = "local"
_SUPERVISE_EVERY_S = 0.25
_STOP_WAIT_S = 2.0
# How often the supervisor deletes interactive jobs past settings.interactive_job_retention_h.
_PRUNE_EVERY_S = 60.0
# A worker that dies sooner than this after starting is restarted with a growing delay (a broken
# job module must not turn the supervisor into a fork bomb).
_QUICK_DEATH_S = 5.0


@dataclass(frozen=True)
class _Pool:
    """Workers of one queue, and any queue without workers of its own (the default pool's)."""

    name: str
    size: int
    queues: tuple[str, ...]
    wake: Semaphore


def plan_pools(settings: Settings) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Pool name -> (workers, queues they claim). A queue sized 0 is served by the default pool."""
    sizes = {"ml": settings.local_ml_workers, "interactive": settings.local_interactive_workers}
    pools: dict[str, tuple[int, tuple[str, ...]]] = {
        "default": (settings.local_workers, ("default", *(q for q in QUEUES if sizes.get(q) == 0)))
    }
    for queue, size in sizes.items():
        if size > 0:
            pools[queue] = (size, (queue,))
    return pools


@dataclass
class _Slot:
    pool: _Pool
    index: int
    process: SpawnProcess
    worker_id: str
    # Wall clock before the process started: every job it claims started later.
    started_at: datetime
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
        self._pools: dict[str, _Pool] = {}
        self._pool_of: dict[str, _Pool] = {}
        self._stop: ctypes.c_bool | None = None
        # Released by a worker each time it ends an interactive job; _notify turns it into _ended.
        self._ended_signal: Semaphore | None = None
        self._ended = threading.Condition()
        self._ended_count = 0
        self._notifier: threading.Thread | None = None
        self._slots: list[_Slot] = []
        self._halt = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._lock = threading.Lock()
        # Guards _slots against health() and worker_pids() while the supervisor swaps a dead worker's
        # process object for a new one (a closed Process raises on is_alive()).
        self._slots_lock = threading.Lock()

    # ---- JobRunner ----------------------------------------------------------------------------------

    def submit(self, job_id: int, queue: str) -> None:
        pool = self._pool_of.get(queue)
        if pool is not None:
            pool.wake.release()

    def request_cancel(self, job_id: int) -> None:
        # Nothing to send: the worker's watcher reads cancel_requested with every heartbeat.
        return None

    def start(self) -> None:
        with self._lock:
            if self._supervisor is not None:
                return
            # Jobs that were running when the server last died (their heartbeat is long past).
            self._recover(stale=True)
            self._stop = self._mp.RawValue(ctypes.c_bool, False)
            self._ended_signal = self._mp.Semaphore(0)
            self._pools = {
                name: _Pool(name=name, size=size, queues=queues, wake=self._mp.Semaphore(0))
                for name, (size, queues) in plan_pools(self.settings).items()
            }
            self._pool_of = {queue: pool for pool in self._pools.values() for queue in pool.queues}
            self._halt.clear()
            self._slots = [self._spawn(pool, i) for pool in self._pools.values() for i in range(pool.size)]
            self._supervisor = threading.Thread(target=self._supervise, name="job-supervisor", daemon=True)
            self._supervisor.start()
            self._notifier = threading.Thread(target=self._notify, name="job-end-notifier", daemon=True)
            self._notifier.start()
            # Workers are not daemonic (handlers may start processes of their own, e.g. data loaders),
            # so an interpreter exiting without stop() would wait on them forever.
            atexit.register(self.stop)
            log.info("local runner started %s", self._describe_pools())

    def stop(self) -> None:
        with self._lock:
            if self._supervisor is None:
                return
            atexit.unregister(self.stop)
            self._halt.set()
            self._supervisor.join()
            self._supervisor = None
            assert self._stop is not None and self._ended_signal is not None
            self._ended_signal.release()
            if self._notifier is not None:
                self._notifier.join()
                self._notifier = None
            self._stop.value = True
            for slot in self._slots:
                slot.pool.wake.release()
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
        if self._supervisor is None:
            return {"ok": False, "runner": RUNNER, "workers": 0, "detail": "the local runner is not started"}
        wanted = sum(pool.size for pool in self._pools.values())
        with self._slots_lock:
            alive = {name: 0 for name in self._pools}
            for slot in self._slots:
                alive[slot.pool.name] += slot.process.is_alive()
        total = sum(alive.values())
        pools = ", ".join(f"{name} {alive[name]}/{pool.size}" for name, pool in self._pools.items())
        return {
            "ok": total == wanted,
            "runner": RUNNER,
            "workers": total,
            "detail": f"{total} of {wanted} worker processes alive ({pools})",
        }

    def _describe_pools(self) -> str:
        return ", ".join(
            f"{pool.size} {name} worker(s) for {'/'.join(pool.queues)}" for name, pool in self._pools.items()
        )

    # ---- waiting on interactive jobs ----------------------------------------------------------------

    def ended_mark(self) -> int:
        """A count of interactive jobs ended so far: take it before reading a job's row, then
        wait_ended(mark) returns as soon as any interactive job ends after that read."""
        with self._ended:
            return self._ended_count

    def wait_ended(self, mark: int, timeout: float) -> None:
        with self._ended:
            self._ended.wait_for(lambda: self._ended_count != mark, timeout)

    def _notify(self) -> None:
        assert self._ended_signal is not None
        while not self._halt.is_set():
            if self._ended_signal.acquire(timeout=1.0):
                with self._ended:
                    self._ended_count += 1
                    self._ended.notify_all()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for operators and tests)."""
        with self._slots_lock:
            return [slot.process.pid for slot in self._slots if slot.process.pid and slot.process.is_alive()]

    # ---- supervision --------------------------------------------------------------------------------

    def _spawn(self, pool: _Pool, index: int, quick_deaths: int = 0) -> _Slot:
        assert self._stop is not None and self._ended_signal is not None
        ended = self._ended_signal if "interactive" in pool.queues else None
        started_at = utcnow()
        process = self._mp.Process(
            target=worker_main,
            name=f"shelfscope-worker-{pool.name}-{index}",
            daemon=False,
            args=(self.settings, pool.queues, pool.wake, self._stop, ended, os.getpid()),
        )
        process.start()
        assert process.pid is not None
        return _Slot(
            pool=pool,
            index=index,
            process=process,
            worker_id=worker_name(pid=process.pid),
            started_at=started_at,
            quick_deaths=quick_deaths,
        )

    def _supervise(self) -> None:
        sweep_every = max(0.2, min(self.settings.job_stale_after_s / 2, 10.0))
        next_sweep = time.monotonic() + sweep_every
        next_prune = time.monotonic() + _PRUNE_EVERY_S
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
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + _PRUNE_EVERY_S
                    prune_ended_interactive(self.settings, self.db)
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
        return self._spawn(slot.pool, slot.index, slot.quick_deaths)

    def _alive(self) -> dict[str, datetime]:
        """Live worker processes (worker id: when started). Their jobs are never stale: this
        supervisor sees their process, and a heartbeat held back by a busy database is not a death."""
        with self._slots_lock:
            return {slot.worker_id: slot.started_at for slot in self._slots if slot.process.is_alive()}

    def _recover(self, *, stale: bool = False, workers: list[str] | None = None) -> None:
        stale_before = utcnow() - timedelta(seconds=self.settings.job_stale_after_s) if stale else None
        recovery = service.recover_interrupted(
            self.db, RUNNER, stale_before=stale_before, workers=workers or (), alive=self._alive()
        )
        for job_id in recovery.requeued:
            pool = self._pool_of.get(recovery.queues.get(job_id, "default"))
            if pool is not None:
                pool.wake.release()
        if recovery.failed or recovery.requeued or recovery.cancelled:
            run_recovery_hooks(self.settings, self.db)


# ---- the worker process ------------------------------------------------------------------------------


def _exit_with_parent(parent_pid: int) -> None:
    """A worker must not outlive its server (killed with SIGKILL, it can't stop us itself)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os._exit(1)


def worker_main(
    settings: Settings,
    queues: tuple[str, ...],
    wake: Semaphore,
    stop: ctypes.c_bool,
    ended: Semaphore | None,
    parent_pid: int,
) -> None:
    """Entry point of a spawned worker: its own engine and storage, then claim jobs of `queues` and
    run them until stopped, releasing `ended` after each (the interactive pool's notification)."""
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
    run_worker_start_hooks(settings, queues)
    try:
        _work(env, queues, wake, stop, ended)
    finally:
        db.dispose()


def _work(
    env: WorkerEnv, queues: tuple[str, ...], wake: Semaphore, stop: ctypes.c_bool, ended: Semaphore | None
) -> None:
    poll = env.settings.job_poll_s
    while not stop.value:
        try:
            job_id = service.claim_next(env.db, env.worker_id, RUNNER, queues)
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
        if ended is not None:
            ended.release()

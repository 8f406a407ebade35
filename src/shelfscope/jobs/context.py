"""JobContext: what a handler uses to report progress, logs and metrics, store artifacts and see a cancel."""

from __future__ import annotations

import logging
import math
import threading
import time
from pathlib import Path
from typing import Any

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.db.dialect import is_busy_error
from shelfscope.jobs import service
from shelfscope.jobs.caps import MAX_LOG_CHARS, cap_text
from shelfscope.storage import Storage, validate_key

log = logging.getLogger("shelfscope.jobs")

# Progress and events are written at most this often (the last value is always written at the end).
FLUSH_INTERVAL_S = 0.25
# Past this many buffered events a flush happens regardless of the interval, to bound memory.
MAX_BUFFERED_EVENTS = 500
# Events kept for a later flush while the database is busy; past this the oldest are dropped.
MAX_HELD_EVENTS = 20 * MAX_BUFFERED_EVENTS
_STAGE_MAX = 255
_NAME_MAX = 64


class JobCancelled(Exception):
    """Raised by `check_cancelled()`; the runner marks the job cancelled."""


class JobContext:
    """Handed to every handler. Thread-safe: the runner's watcher thread flushes beside the handler."""

    def __init__(
        self,
        *,
        job_id: int,
        kind: str,
        user_id: int | None,
        attempt: int,
        worker: str,
        settings: Settings,
        db: Database,
        storage: Storage,
    ) -> None:
        self.job_id = job_id
        self.kind = kind
        self.user_id = user_id
        # 1 on the first run; higher when a resumable job was requeued after its worker died.
        self.attempt = attempt
        self.worker = worker
        self.settings = settings
        self.db = db
        self.storage = storage
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        self._progress: float | None = None
        self._stage: str | None = None
        self._last_fraction = 0.0
        self._last_stage: str | None = None
        self._last_flush = 0.0

    # ---- what handlers call ----------------------------------------------------------------------

    def progress(self, fraction: float, stage: str | None = None) -> None:
        """Report how far along the job is (0..1) and, optionally, what it is doing now."""
        if math.isnan(fraction):
            raise ValueError("progress fraction is NaN")
        fraction = min(1.0, max(0.0, float(fraction)))
        with self._lock:
            self._progress = fraction
            self._last_fraction = fraction
            if stage is not None:
                self._stage = stage[:_STAGE_MAX]
                self._last_stage = self._stage
        self._maybe_flush(force=fraction >= 1.0)

    def log(self, message: str, level: str = "info") -> None:
        if level not in service.LOG_LEVELS:
            raise ValueError(f"log level {level!r} is not one of {', '.join(service.LOG_LEVELS)}")
        # Capped before it is buffered: a message may quote hostile input (see jobs/caps.py).
        message = cap_text(message, MAX_LOG_CHARS)
        log.log(logging.getLevelName(level.upper()), "job %s: %s", self.job_id, message)
        self._add_event({"type": "log", "at": utcnow(), "level": level, "message": message})

    def metric(self, name: str, value: float, step: int | None = None) -> None:
        """Record one point of a named series (a loss per epoch). A NaN or infinite value is kept as
        null: neither JSON nor SQLite can hold it, and a gap in the chart is what it means."""
        if not name or len(name) > _NAME_MAX:
            raise ValueError(f"metric name {name!r} must be 1 to {_NAME_MAX} characters")
        number = float(value)
        self._add_event(
            {
                "type": "metric",
                "at": utcnow(),
                "name": name,
                "value": number if math.isfinite(number) else None,
                "step": step,
            }
        )

    def upload_artifact(self, key: str, path: Path) -> str:
        """Store a file the job produced under a server-chosen key (see storage.new_key); returns the key."""
        self.storage.put_file(validate_key(key), path)
        return key

    def cancelled(self) -> bool:
        """True once a cancel was requested (or the job was taken away); stop at the next safe point."""
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled(f"job {self.job_id} was cancelled")

    # ---- what the runner calls -------------------------------------------------------------------

    def mark_cancelled(self) -> None:
        self._cancel.set()

    @property
    def last_progress(self) -> tuple[float, str | None]:
        return self._last_fraction, self._last_stage

    @property
    def has_unflushed(self) -> bool:
        """Whether progress or events wait to be written (an interactive job usually has none)."""
        with self._lock:
            return bool(self._events) or self._progress is not None or self._stage is not None

    def _add_event(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._events.append(event)
            full = len(self._events) >= MAX_BUFFERED_EVENTS
        self._maybe_flush(force=full)

    def _maybe_flush(self, *, force: bool) -> None:
        if force or time.monotonic() - self._last_flush >= FLUSH_INTERVAL_S:
            self.flush()

    def flush(self, *, heartbeat: bool = False) -> service.JobSignal:
        """Write buffered progress and events (and the heartbeat when asked) in one transaction.

        When the database is busy (another writer held its lock past the busy timeout) nothing is
        lost and nothing is raised into the handler: the report stays buffered for the next flush,
        and the signal says what is already known."""
        with self._lock:
            events, self._events = self._events, []
            progress, self._progress = self._progress, None
            stage, self._stage = self._stage, None
            # Held while writing so a flush from the watcher can't reorder events from the handler.
            try:
                signal = service.record_activity(
                    self.db,
                    self.job_id,
                    self.worker,
                    progress=progress,
                    stage=stage,
                    events=events,
                    heartbeat=heartbeat,
                )
            except Exception as exc:
                if not is_busy_error(exc):
                    raise
                self._hold_back(events, progress, stage)
                log.warning("job %s: the database is busy; its report waits for the next flush", self.job_id)
                return service.JobSignal(still_mine=True, cancel_requested=self._cancel.is_set())
            finally:
                self._last_flush = time.monotonic()
        if not signal.still_mine or signal.cancel_requested:
            self._cancel.set()
        return signal

    def _hold_back(self, events: list[dict[str, Any]], progress: float | None, stage: str | None) -> None:
        """Put an unwritten report back in front of what arrived since (called under the lock)."""
        self._events = (events + self._events)[-MAX_HELD_EVENTS:]
        if self._progress is None:
            self._progress = progress
        if self._stage is None:
            self._stage = stage

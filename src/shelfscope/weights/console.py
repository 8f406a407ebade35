"""A Reporter for a fetch run from the command line: one progress line, redrawn in place, and Ctrl-C
passed to the download threads as a cancel (they stop at their next chunk instead of finishing first)."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from shelfscope.jobs.context import JobCancelled

_REDRAW_S = 0.1


class ConsoleReporter:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._last = 0.0
        self._width = 0

    def progress(self, fraction: float, stage: str | None = None) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self._last < _REDRAW_S:
            return
        self._last = now
        line = f"{stage or 'working'} ({fraction:.0%})"
        with self._lock:
            sys.stderr.write("\r" + line.ljust(self._width))
            sys.stderr.flush()
            self._width = len(line)

    def log(self, message: str, level: str = "info") -> None:
        with self._lock:
            self._end()
            sys.stderr.write(f"{message}\n")
            sys.stderr.flush()

    def check_cancelled(self) -> None:
        if self.stop.is_set():
            raise JobCancelled("stopped by Ctrl-C")

    def end_line(self) -> None:
        with self._lock:
            self._end()

    def _end(self) -> None:
        if self._width:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._width = 0


@contextmanager
def stop_on_interrupt(reporter: ConsoleReporter) -> Iterator[None]:
    """Ctrl-C sets the reporter's stop flag (seen by worker threads) and interrupts the main thread."""
    previous = signal.getsignal(signal.SIGINT)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        reporter.stop.set()
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)

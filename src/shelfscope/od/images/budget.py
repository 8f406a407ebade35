"""The decode memory budget: how many bytes of decoded pixels this process may hold at once.

Compressed size says nothing about decoded size (a 1 MB PNG can hold 250 million pixels, gigabytes
once decoded), so every decode first estimates what its pixels will take and reserves that much of a
process-wide budget (Settings.decode_memory_mb). Decodes that fit run side by side; larger ones wait
their turn, first come first served, for a bounded time; one that could never fit is refused before a
byte is decoded. Server threads (uploads, thumbnails) and a worker's job share one budget per process.

Memory a decode frees must also leave the process: glibc keeps freed blocks in per-thread arenas, so
without the tuning below a server's resident size grew by a decoded image for every thread that ever
decoded one (six threads, one decode at a time: 395 MB instead of 85 MB for 61 MB images).
A process that runs models is tuned the other way (`keep_freed_blocks_for_models`): its tensors of a
few megabytes are allocated and freed many times per request, and each fresh block's pages fault in
again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from shelfscope.errors import PayloadTooLarge, RateLimited

log = logging.getLogger("shelfscope.images")

MIB = 1024 * 1024
# How long a decode waits for others to finish before the caller is asked to try again later.
WAIT_S = 30.0


class DecodeBudget:
    """A weighted semaphore over bytes, fair (first come, first served)."""

    def __init__(self, capacity_bytes: int, wait_s: float = WAIT_S) -> None:
        self.capacity = capacity_bytes
        self.wait_s = wait_s
        self._used = 0
        self._queue: deque[object] = deque()
        self._changed = threading.Condition()

    @property
    def in_use(self) -> int:
        with self._changed:
            return self._used

    @contextmanager
    def reserve(self, nbytes: int, name: str) -> Iterator[None]:
        """Hold `nbytes` of the budget while the block runs (a decode of the image called `name`)."""
        if nbytes > self.capacity:
            raise PayloadTooLarge(
                f"{name} needs about {nbytes / MIB:,.0f} MiB of memory to decode, more than the "
                f"{self.capacity / MIB:,.0f} MiB decode budget (SHELFSCOPE_DECODE_MEMORY_MB).",
                file=name,
                decode_bytes=nbytes,
                limit_bytes=self.capacity,
            )
        self._acquire(nbytes, name)
        try:
            yield
        finally:
            with self._changed:
                self._used -= nbytes
                self._changed.notify_all()

    def _acquire(self, nbytes: int, name: str) -> None:
        turn = object()
        deadline = time.monotonic() + self.wait_s
        with self._changed:
            self._queue.append(turn)
            try:
                while self._queue[0] is not turn or self._used + nbytes > self.capacity:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise RateLimited(
                            f"{name} waited {self.wait_s:g} s for other images to finish decoding; "
                            "try again in a moment.",
                            file=name,
                            retry_after_s=self.wait_s,
                        )
                    self._changed.wait(left)
                self._used += nbytes
            finally:
                self._queue.remove(turn)
                self._changed.notify_all()


_budgets: dict[int, DecodeBudget] = {}
_budgets_lock = threading.Lock()
# glibc's mallopt parameters, and the size from which allocations are their own mapping, given back to
# the system when freed (a fixed value also stops glibc from raising it after each large free).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_FROM_BYTES = 4 * MIB
# A process that runs models: blocks up to glibc's largest mmap threshold come from the heap, and up to
# 64 MiB of freed heap stays mapped for the next request (what glibc's own dynamic tuning converges to).
# With the server's values (and the trim threshold left at its 128 KiB default) a SAM 2.1 click's mask
# decoder took 36,000 page faults, 140 ms of its 360 ms of CPU; with these, a few hundred.
_MODEL_MMAP_FROM_BYTES = 32 * MIB
_MODEL_TRIM_FROM_BYTES = 64 * MIB
_tuned_for_models = False


def _mallopt(*settings: tuple[int, int]) -> bool | None:
    """Apply (parameter, value) pairs; None when this is not glibc, False when one was refused."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:  # not glibc (macOS, musl): their allocators return large blocks by themselves
        return None
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return None
    return all([bool(mallopt(parameter, value)) for parameter, value in settings])


def _return_large_blocks_to_the_system() -> None:
    if _mallopt((_M_MMAP_THRESHOLD, _MMAP_FROM_BYTES)) is False:
        log.warning("mallopt(M_MMAP_THRESHOLD) was refused; freed image memory may stay resident")


def keep_freed_blocks_for_models() -> None:
    """Tune this process's allocator for running models (the ML runtime calls it as a worker sets up
    torch): freed blocks are kept for reuse rather than returned, here and by any later decode budget."""
    global _tuned_for_models
    with _budgets_lock:
        if _tuned_for_models:
            return
        _tuned_for_models = True
        tuned = _mallopt(
            (_M_MMAP_THRESHOLD, _MODEL_MMAP_FROM_BYTES), (_M_TRIM_THRESHOLD, _MODEL_TRIM_FROM_BYTES)
        )
        if tuned is False:
            log.warning("mallopt was refused; tensors' memory may fault in again on every request")


def decode_budget(capacity_bytes: int) -> DecodeBudget:
    """The process's budget of this size (one per configured size, shared by every thread)."""
    with _budgets_lock:
        if not _budgets and not _tuned_for_models:
            _return_large_blocks_to_the_system()
        budget = _budgets.get(capacity_bytes)
        if budget is None:
            budget = _budgets[capacity_bytes] = DecodeBudget(capacity_bytes)
        return budget

"""Decoding ahead of the model: the scope read in membership order, each image decoded once at the
model's size (decode.py) by a few threads, handed over in order through a bounded queue.

Pillow's JPEG decoder and resize release the GIL, and so does torch, so the decoders run beside the
model's forward on other cores; the queue's bound keeps at most `depth` decoded images in memory."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from shelfscope.jobs.context import JobContext
from shelfscope.ml.detectors.base import Detector, input_size
from shelfscope.od.ai.decode import ModelImage, Resizer, decode_for_model
from shelfscope.od.ai.schemas import AnnotatePayload
from shelfscope.od.ai.scope import Work, scope_chunk

# Memberships read per query of the scope.
SCOPE_CHUNK = 256
# Decoding threads: one per core, up to this many.
MAX_DECODERS = 8


@dataclass(frozen=True, slots=True)
class Decoded:
    work: Work
    image: ModelImage | None
    error: str | None = None


_END = object()


class Prefetcher:
    """Use as `with Prefetcher(...) as items: for decoded in items: ...`."""

    def __init__(
        self, ctx: JobContext, payload: AnnotatePayload, detector: Detector, after: int, depth: int
    ) -> None:
        from shelfscope.ml.resize import resize_rgb  # torch: workers only

        self.ctx, self.payload, self.detector, self.after = ctx, payload, detector, after
        self.resize: Resizer = resize_rgb
        self.items: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self.stop = threading.Event()
        self.reader = threading.Thread(target=self._read, name=f"job-{ctx.job_id}-scope", daemon=True)
        workers = max(1, min(MAX_DECODERS, os.cpu_count() or 1))
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"job-{ctx.job_id}-decode")

    def __enter__(self) -> Iterator[Decoded]:
        self.reader.start()
        return self._drain()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop.set()
        while self.reader.is_alive():
            with contextlib.suppress(queue.Empty):
                self.items.get(timeout=0.05)
        self.reader.join()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _drain(self) -> Iterator[Decoded]:
        while True:
            item = self.items.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Future)
            decoded = item.result()
            assert isinstance(decoded, Decoded)
            yield decoded

    def _put(self, item: object) -> bool:
        while not self.stop.is_set():
            try:
                self.items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        """The scope, chunk by chunk; each image's decode is started as it enters the queue."""
        try:
            after = self.after
            while not self.stop.is_set():
                with self.ctx.db.read() as session:
                    chunk = scope_chunk(session, self.payload, after, SCOPE_CHUNK)
                if not chunk:
                    break
                for work in chunk:
                    if not self._put(self.pool.submit(self._decode, work)):
                        return
                after = chunk[-1].member_id
            self._put(_END)
        except BaseException as exc:  # handed to the consuming thread, which raises it
            self._put(exc)

    def _decode(self, work: Work) -> Decoded:
        def sizer(width: int, height: int) -> tuple[int, int]:
            return input_size(self.detector, width, height)

        try:
            with self.ctx.storage.open(work.storage_key) as data:
                image = decode_for_model(
                    data,
                    work.filename,
                    work.width,
                    work.height,
                    sizer,
                    memory_limit_bytes=self.ctx.settings.decode_memory_bytes,
                    resize=self.resize,
                )
        except Exception as exc:  # a missing or unreadable file skips its image, not the job
            return Decoded(work, None, f"{type(exc).__name__}: {exc}")
        return Decoded(work, image)

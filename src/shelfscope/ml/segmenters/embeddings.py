"""Image embeddings kept in a worker process, so the clicks after the first on an image run only the
mask decoder.

Keyed by (model, image content hash): the same bytes embed the same whatever their image id, and a
replaced model (a new load) never reuses an old model's embeddings. Bounded by count and by memory
(a full-size SAM 2.1 embedding is about 16 MB); the least recently used go first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, TypeVar

# A worker keeps this many embeddings at most, within this many bytes: a person working through a
# dataset goes back a few images, rarely further.
MAX_ENTRIES = 32
MAX_BYTES = 768 * 1024 * 1024


class Sized(Protocol):
    @property
    def memory_bytes(self) -> int: ...


E = TypeVar("E", bound=Sized)
Key = tuple[str, str]


class EmbeddingCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Key, Sized] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Key, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Key, compute: Callable[[], E]) -> E:
        """The embedding cached under `key`, computing it with `compute()` on a miss (once, however
        many threads ask at the same moment)."""
        with self._lock:
            found = self._hit(key)
            if found is not None:
                return found  # type: ignore[return-value]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._hit(key)
                if found is not None:
                    return found  # type: ignore[return-value]
            try:
                computed = compute()
            except BaseException:
                with self._lock:
                    self._key_locks.pop(key, None)
                raise
            with self._lock:
                self.misses += 1
                self._items[key] = computed
                self._evict()
                self._key_locks.pop(key, None)
            return computed

    def _hit(self, key: Key) -> Sized | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            self.hits += 1
        return found

    def _evict(self) -> None:
        used = sum(item.memory_bytes for item in self._items.values())
        # The newest entry stays even when it alone passes the budget: it is about to be used.
        while len(self._items) > 1 and (len(self._items) > self.max_entries or used > self.max_bytes):
            _, dropped = self._items.popitem(last=False)
            used -= dropped.memory_bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def memory_bytes(self) -> int:
        with self._lock:
            return sum(item.memory_bytes for item in self._items.values())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_process_cache = EmbeddingCache()


def process_embeddings() -> EmbeddingCache:
    """This worker process's embedding cache."""
    return _process_cache

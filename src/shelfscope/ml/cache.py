"""Loaded models kept in a worker process, so only the first request pays the load.

Bounded by a memory budget (settings.ml_model_cache_mb): a model that would pass it drops the least
recently used ones first. One lock per key, so two threads asking for the same model load it once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, TypeVar


class Sized(Protocol):
    @property
    def memory_bytes(self) -> int: ...


M = TypeVar("M", bound=Sized)


class ModelCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._models: OrderedDict[str, Sized] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self.loads = 0

    def get(self, key: str, load: Callable[[], M]) -> M:
        """The model cached under `key`, loading it with `load()` on a miss."""
        with self._lock:
            model = self._models.get(key)
            if model is not None:
                self._models.move_to_end(key)
                return model  # type: ignore[return-value]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                model = self._models.get(key)
                if model is not None:
                    return model  # type: ignore[return-value]
            loaded = load()
            self.loads += 1
            with self._lock:
                self._evict_for(loaded.memory_bytes)
                self._models[key] = loaded
            return loaded

    def _evict_for(self, incoming: int) -> None:
        used = sum(model.memory_bytes for model in self._models.values())
        while self._models and used + incoming > self.budget_bytes:
            _, dropped = self._models.popitem(last=False)
            used -= dropped.memory_bytes

    def drop(self, key_prefix: str) -> None:
        """Forget every model whose key starts with `key_prefix` (weights deleted or replaced)."""
        with self._lock:
            for key in [key for key in self._models if key.startswith(key_prefix)]:
                del self._models[key]

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._models)


_process_cache: ModelCache | None = None
_process_lock = threading.Lock()


def process_cache(budget_mb: int) -> ModelCache:
    """This worker process's cache (created on first use with the settings' budget)."""
    global _process_cache
    with _process_lock:
        if _process_cache is None:
            _process_cache = ModelCache(budget_mb * 1024 * 1024)
        return _process_cache

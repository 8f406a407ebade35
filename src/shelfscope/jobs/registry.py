"""Job handlers by kind: the `job_handler` decorator and the modules that hold handlers."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel

if TYPE_CHECKING:
    from shelfscope.config import Settings
    from shelfscope.db import Database
    from shelfscope.jobs.context import JobContext

log = logging.getLogger(__name__)
P = TypeVar("P", bound=BaseModel)
HandlerResult = dict[str, Any] | BaseModel | None
Handler = Callable[["JobContext", P], HandlerResult]

# The one list of modules whose import registers Shelfscope's own handlers (a feature's `jobs.py`; its
# kinds are named <domain>.<feature>.<verb>). The server and every worker load these and
# Settings.job_modules before looking up a kind, so nothing else imports a jobs module to register it.
# They import no ML library at module level (handlers import torch inside their bodies), so loading
# them keeps the server light.
BUILTIN_JOB_MODULES = (
    "shelfscope.system.jobs",
    "shelfscope.od.images.jobs",
    "shelfscope.od.imports.jobs",
    "shelfscope.od.exports.jobs",
    "shelfscope.od.versions.jobs",
    "shelfscope.weights.jobs",
    "shelfscope.od.ai.jobs",
    "shelfscope.od.ai.segment.jobs",
    "shelfscope.od.trained_models.jobs",
    "shelfscope.od.training.jobs",
    "shelfscope.od.trainers.jobs",
    "shelfscope.pr.videos.jobs",
    "shelfscope.pr.catalogue.jobs",
    "shelfscope.pr.cutouts.jobs",
    "shelfscope.pr.training.jobs",
    "shelfscope.pr.evaluation.jobs",
    "shelfscope.pr.trained_models.jobs",
    "shelfscope.pr.embeddings.jobs",
    "shelfscope.pr.matching.jobs",
)
DEFAULT_RESUMABLE_ATTEMPTS = 3

# Which workers run a kind: `default` (imports, exports, versions, maintenance), `ml` (training,
# batch inference, model downloads) and `interactive` (one request a person waits on: a SAM click,
# detection on one image). Each queue has its own workers, so a batch never delays a click and ML
# work never holds up an import.
Queue = Literal["default", "ml", "interactive"]
QUEUES: tuple[Queue, ...] = get_args(Queue)


@dataclass(frozen=True)
class HandlerSpec(Generic[P]):
    kind: str
    func: Handler[P]
    payload_model: type[P]
    # Resumable handlers are requeued when their worker dies (up to max_attempts runs in all);
    # the others are marked failed, since running them twice could repeat side effects.
    resumable: bool
    max_attempts: int
    queue: Queue = "default"

    def parse_payload(self, payload: dict[str, Any]) -> P:
        return self.payload_model.model_validate(payload)

    @property
    def origin(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


_handlers: dict[str, HandlerSpec[Any]] = {}
_loaded_modules: set[str] = set()
_load_lock = threading.Lock()


def job_handler(
    kind: str,
    *,
    payload: type[P],
    resumable: bool = False,
    max_attempts: int | None = None,
    queue: Queue = "default",
) -> Callable[[Handler[P]], Handler[P]]:
    """Register `func(ctx, payload) -> dict` as the handler of `kind`, run by the workers of `queue`;
    the function is returned unchanged."""
    if not kind or len(kind) > 64:
        raise ValueError(f"job kind {kind!r} must be 1 to 64 characters")
    if queue not in QUEUES:
        raise ValueError(f"queue {queue!r} of {kind} is not one of {', '.join(QUEUES)}")
    attempts = max_attempts if max_attempts is not None else (DEFAULT_RESUMABLE_ATTEMPTS if resumable else 1)
    if attempts < 1:
        raise ValueError(f"max_attempts for {kind} must be at least 1")

    def register(func: Handler[P]) -> Handler[P]:
        spec = HandlerSpec(
            kind=kind,
            func=func,
            payload_model=payload,
            resumable=resumable,
            max_attempts=attempts,
            queue=queue,
        )
        existing = _handlers.get(kind)
        # The same module imported twice (as a script and as a package) registers the same function
        # again; two different functions for one kind is a bug worth stopping on.
        if existing is not None and existing.origin != spec.origin:
            raise ValueError(f"job kind {kind!r} is already handled by {existing.origin}")
        _handlers[kind] = spec
        return func

    return register


# Called after jobs were written off as interrupted (their worker died): a handler module that leaves
# work outside the database (stored files of an unfinished import) registers how to clean it up.
RecoveryHook = Callable[["Settings", "Database"], None]
_recovery_hooks: list[RecoveryHook] = []


def on_jobs_interrupted(hook: RecoveryHook) -> RecoveryHook:
    if hook not in _recovery_hooks:
        _recovery_hooks.append(hook)
    return hook


def run_recovery_hooks(settings: Settings, db: Database) -> None:
    load_job_modules(settings.job_modules)
    for hook in list(_recovery_hooks):
        try:
            hook(settings, db)
        except Exception:  # one failing cleanup must not stop the others or the supervisor
            log.exception("recovery hook %s failed", getattr(hook, "__qualname__", hook))


# Called once in each worker process as it starts, with the queues it serves: a handler module that
# wants something ready before the first job (a model loaded for the first click) registers it here.
# A hook runs in the worker's own thread before it claims anything; a slow one should start a thread.
WorkerStartHook = Callable[["Settings", tuple[str, ...]], None]
_worker_start_hooks: list[WorkerStartHook] = []


def on_worker_start(hook: WorkerStartHook) -> WorkerStartHook:
    if hook not in _worker_start_hooks:
        _worker_start_hooks.append(hook)
    return hook


def run_worker_start_hooks(settings: Settings, queues: Iterable[str]) -> None:
    load_job_modules(settings.job_modules)
    served = tuple(queues)
    for hook in list(_worker_start_hooks):
        try:
            hook(settings, served)
        except Exception:  # a failed warm-up must not keep the worker from its jobs
            log.exception("worker start hook %s failed", getattr(hook, "__qualname__", hook))


def load_job_modules(extra: Iterable[str] = ()) -> None:
    """Import the built-in handler modules and `extra` (Settings.job_modules) once per process."""
    with _load_lock:
        for name in (*BUILTIN_JOB_MODULES, *extra):
            if name not in _loaded_modules:
                importlib.import_module(name)
                _loaded_modules.add(name)


def find_handler(kind: str) -> HandlerSpec[Any] | None:
    load_job_modules()
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    load_job_modules()
    return sorted(_handlers)

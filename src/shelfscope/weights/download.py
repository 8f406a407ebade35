"""Fetching a model's save_pretrained folder from the hub into `models_dir/<key>`, with byte progress.

huggingface_hub is imported inside the functions: it comes with the `ml` extra and only workers and the
CLI download. The files go to a staging folder beside the target (`.fetch-<key>/`) and are renamed into
place once complete, so a failed or cancelled fetch never leaves a half-present model.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelfscope.config import Settings
from shelfscope.errors import ShelfscopeError
from shelfscope.jobs.context import JobCancelled
from shelfscope.jobs.reporting import Reporter
from shelfscope.ml.catalogue import ModelSpec
from shelfscope.ml.weights import WeightsMissing, model_dir, size_on_disk
from shelfscope.weights.folders import (
    CONFIG_FILE,
    WEIGHT_SUFFIXES,
    count_files,
    fetch_staging,
    install,
    missing_parts,
    model_lock,
    remove_path,
)
from shelfscope.weights.schemas import FetchResult

if TYPE_CHECKING:
    from huggingface_hub import HfApi

# Weights in formats a transformers model folder does not load (TensorFlow, Flax, ONNX, Core ML, GGUF,
# raw checkpoints): skipped, they can double a download. `*.bin` too when safetensors are there.
SKIPPED_PATTERNS = (
    "*.h5",
    "*.msgpack",
    "*.ot",
    "*.onnx",
    "*.onnx_data",
    "*.tflite",
    "*.mlmodel",
    "*.mlpackage/*",
    "*.gguf",
    "*.pt",
    "*.pth",
    "*.ckpt",
)
_REPORT_EVERY_S = 0.2
_DOWNLOAD_THREADS = 4
# The hub client reports (and so can be stopped) once per chunk it reads; its default is 10 MiB, which
# on a slow link outlasts a job's cancel grace. Half a MiB costs nothing in throughput.
_CHUNK_BYTES = 512 * 1024


class FetchFailed(ShelfscopeError):
    """The hub download did not complete; nothing was installed."""

    status_code = 502
    kind = "FetchFailed"


def offline_refusal(settings: Settings, spec: ModelSpec) -> WeightsMissing:
    folder = model_dir(settings, spec.key)
    return WeightsMissing(
        f"Downloads are turned off (SHELFSCOPE_ML_OFFLINE), so model {spec.key!r} cannot be fetched. "
        f"Copy a save_pretrained folder of {spec.hub_id} to {folder} "
        f"(`shelfscope models import {spec.key} FOLDER`), or turn downloads on and fetch it "
        f"(Settings → AI models, or `shelfscope models fetch {spec.key}`).",
        model=spec.key,
        folder=str(folder),
        hub_id=spec.hub_id,
    )


def gated_refusal(settings: Settings, spec: ModelSpec) -> WeightsMissing:
    folder = model_dir(settings, spec.key)
    return WeightsMissing(
        f"Model {spec.key!r} is gated on the hub: accept its licence at https://huggingface.co/{spec.hub_id} "
        "with your account, then set SHELFSCOPE_ML_HUB_TOKEN to an access token of that account and fetch "
        f"it again; or copy a save_pretrained folder of {spec.hub_id} to {folder} "
        f"(`shelfscope models import {spec.key} FOLDER`).",
        model=spec.key,
        folder=str(folder),
        hub_id=spec.hub_id,
        gated=True,
    )


def hub_token(settings: Settings, spec: ModelSpec) -> str | None:
    """The token a fetch sends: only for gated models (an ungated fetch needs none, and the token stays
    off requests that do not need it). A gated model without one is refused before any request."""
    if not spec.gated:
        return None
    token = settings.ml_hub_token.get_secret_value()
    if not token:
        raise gated_refusal(settings, spec)
    return token


def _mb(size: float) -> str:
    return f"{size / 1e6:,.1f} MB"


@dataclass(frozen=True)
class Plan:
    """What a fetch downloads: the commit, the files kept (path → bytes) and the patterns skipped."""

    revision: str
    files: dict[str, int]
    ignore: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.files.values())


def plan_download(api: HfApi, spec: ModelSpec) -> Plan:
    """List the repository at its current commit and choose the files; refuses a repository that is
    not a transformers model folder before anything is downloaded."""
    from huggingface_hub.hf_api import RepoFile

    info = api.model_info(spec.hub_id, revision="main")
    if not info.sha:
        raise FetchFailed(f"The hub named no commit for {spec.hub_id}.", model=spec.key, hub_id=spec.hub_id)
    listed = {
        item.path: int(item.size or 0)
        for item in api.list_repo_tree(spec.hub_id, recursive=True, revision=info.sha)
        if isinstance(item, RepoFile)
    }
    ignore: tuple[str, ...] = SKIPPED_PATTERNS
    if any(path.endswith(".safetensors") for path in listed):
        ignore = (*ignore, "*.bin")
    # The same matching snapshot_download applies to ignore_patterns (fnmatch on the path).
    files = {
        path: size for path, size in listed.items() if not any(fnmatch(path, pattern) for pattern in ignore)
    }
    top = [path for path in files if "/" not in path]
    missing = [] if CONFIG_FILE in top else [CONFIG_FILE]
    if not any(path.endswith(WEIGHT_SUFFIXES) for path in top):
        missing.append("a weights file (*.safetensors or *.bin)")
    if missing:
        raise FetchFailed(
            f"{spec.hub_id} is not a transformers model folder: it lacks {' and '.join(missing)}.",
            model=spec.key,
            hub_id=spec.hub_id,
        )
    return Plan(revision=info.sha, files=files, ignore=ignore)


class _Discard:
    """Where the hub's progress bars draw: nowhere (the tracker reports instead)."""

    def write(self, _: str) -> None:
        pass

    def flush(self) -> None:
        pass


class ByteTracker:
    """Turns the hub's progress bars into reporter.progress(fraction, "Downloaded x of y MB") calls, and a
    cancel into an exception inside the download threads (the hub then stops its other downloads)."""

    def __init__(self, reporter: Reporter, total: int) -> None:
        self.reporter = reporter
        self.total = total
        self.bars: list[Any] = []
        self._lock = threading.Lock()
        self._last = 0.0
        self.fraction = 0.0

    def bar_class(self) -> type:
        from tqdm import tqdm  # type: ignore[import-untyped]

        tracker = self

        class Bar(tqdm):  # type: ignore[misc]
            monitor_interval = 0

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                kwargs.pop("name", None)
                super().__init__(*args, **{**kwargs, "file": _Discard()})
                with tracker._lock:
                    tracker.bars.append(self)

            def update(self, n: float | None = 1) -> bool | None:
                shown: bool | None = super().update(n)
                tracker.changed()
                return shown

        return Bar

    def done_bytes(self) -> int:
        with self._lock:
            counts = [int(bar.n) for bar in self.bars if getattr(bar, "unit", "") == "B"]
        return max(counts, default=0)

    def changed(self, *, force: bool = False) -> None:
        self.reporter.check_cancelled()
        now = time.monotonic()
        if not force and now - self._last < _REPORT_EVERY_S:
            return
        self._last = now
        done = min(self.done_bytes(), self.total)
        # Never backwards: a retried file rewinds its own counter.
        self.fraction = max(self.fraction, done / self.total if self.total else 0.0)
        stage = f"Downloaded {done / 1e6:,.1f} of {_mb(self.total)}"
        self.reporter.progress(min(self.fraction, 0.99), stage)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _hub_error(spec: ModelSpec, endpoint: str, exc: Exception) -> FetchFailed:
    return FetchFailed(
        f"Fetching model {spec.key!r} from {spec.hub_id} ({endpoint}) failed: {_first_line(exc)}. "
        "Nothing was installed; try again, or copy a save_pretrained folder in "
        f"(`shelfscope models import {spec.key} FOLDER`).",
        model=spec.key,
        hub_id=spec.hub_id,
    )


def _download(settings: Settings, spec: ModelSpec, staging: Path, reporter: Reporter) -> tuple[Path, str]:
    """Download into `staging/model`; returns that folder and the commit."""
    try:
        from huggingface_hub import HfApi, constants, snapshot_download
    except ImportError:
        raise FetchFailed(
            "Fetching models needs huggingface_hub, part of the `ml` extra (pip install 'shelfscope[ml]').",
            model=spec.key,
        ) from None
    constants.DOWNLOAD_CHUNK_SIZE = min(constants.DOWNLOAD_CHUNK_SIZE, _CHUNK_BYTES)
    endpoint = settings.ml_hub_endpoint or None
    token = hub_token(settings, spec)
    api = HfApi(endpoint=endpoint, token=token)
    reporter.progress(0.0, f"Listing the files of {spec.hub_id}")
    plan = plan_download(api, spec)
    reporter.log(f"downloading {len(plan.files)} files ({_mb(plan.total)}) of {spec.hub_id}@{plan.revision}")
    tracker = ByteTracker(reporter, plan.total)
    local = staging / "model"
    snapshot_download(
        spec.hub_id,
        revision=plan.revision,
        local_dir=local,
        # The hub client notes the branch's commit in a cache; kept in the staging folder, not $HOME.
        cache_dir=staging / "hub-cache",
        endpoint=endpoint,
        token=token,
        ignore_patterns=list(plan.ignore),
        max_workers=_DOWNLOAD_THREADS,
        tqdm_class=tracker.bar_class(),
    )
    tracker.changed(force=True)
    remove_path(local / ".cache")  # the client's download bookkeeping
    return local, plan.revision


def download_model(settings: Settings, spec: ModelSpec, reporter: Reporter) -> FetchResult:
    """Fetch `spec` from the hub into its folder (replacing an incomplete one). Raises WeightsMissing when
    downloads are off, Conflict while another process changes this model, FetchFailed when the hub
    download fails; in every failure the staging folder is removed and nothing new is present."""
    if settings.ml_offline:
        raise offline_refusal(settings, spec)
    hub_token(settings, spec)
    models_dir = settings.resolved_models_dir
    target = model_dir(settings, spec.key)
    with model_lock(models_dir, spec.key):
        staging = fetch_staging(models_dir, spec.key)
        try:
            local, revision = _download(settings, spec, staging, reporter)
            reporter.check_cancelled()
            missing = missing_parts(local)
            if missing:
                raise FetchFailed(
                    f"The download of {spec.hub_id} lacks {' and '.join(missing)}.", model=spec.key
                )
            install(local, target)
        except BaseException as exc:
            remove_path(staging)
            if isinstance(exc, Exception) and not isinstance(exc, (ShelfscopeError, JobCancelled)):
                raise _hub_error(spec, settings.ml_hub_endpoint or "huggingface.co", exc) from exc
            raise
        remove_path(staging)
    size = size_on_disk(target)
    reporter.progress(1.0, f"Installed {_mb(size)} in {target}")
    return FetchResult(
        key=spec.key,
        hub_id=spec.hub_id,
        folder=str(target),
        files=count_files(target),
        size_on_disk=size,
        revision=revision,
    )

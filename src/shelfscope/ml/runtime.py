"""Torch runtime for workers: the device to run on, and torchvision loaded through one door.

torchvision's compiled ops (`_C.so`) don't load beside a CPU-only torch whose build they weren't made
for (`operator torchvision::nms does not exist`), and then transformers can import no vision model.
`load_torchvision()` tries the real import first; only when its ops are missing does it register a
pure-torch NMS under the same op names and import again. On a normal CUDA install nothing is touched."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Literal

import torch

if TYPE_CHECKING:
    from shelfscope.config import Settings

log = logging.getLogger(__name__)

DeviceChoice = Literal["auto", "cuda", "mps", "cpu"]

_lock = threading.Lock()
_torchvision: ModuleType | None = None
_fallback_lib: torch.library.Library | None = None
used_fallback_nms = False


def pick_device(choice: DeviceChoice = "auto") -> torch.device:
    """CUDA, then Apple MPS, then the CPU; an explicit choice that is not available falls to the CPU
    with a warning rather than failing every job."""
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    if choice == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (choice == "cuda" and not cuda) or (choice == "mps" and not mps):
        log.warning("ml_device=%s is not available here; running on the CPU", choice)
        return torch.device("cpu")
    return torch.device(choice)


def torch_threads(settings: Settings) -> int | None:
    """Threads for one model call in this worker (settings.ml_torch_threads), or None for torch's
    default. 0 (auto) under the local runner shares the cores among its ML and interactive workers:
    two processes each running two threads on two busy cores spend most of their time waiting for
    each other's descheduled threads, one thread each runs several times faster."""
    if settings.ml_torch_threads > 0:
        return settings.ml_torch_threads
    if settings.runner != "local":
        return None
    ml_workers = settings.local_ml_workers + settings.local_interactive_workers
    return max(1, (os.cpu_count() or 1) // max(1, ml_workers))


def interactive_threads(settings: Settings, others_running: Callable[[], bool]) -> int | None:
    """Threads for one interactive call (a SAM click, "detect on this image"). Under the local runner
    with no thread count set, every core while no other job runs (a person waiting on a click has the
    machine to itself; the decoder then answers a third sooner on two cores), else the shared-out
    count of torch_threads: threads competing for busy cores stall each other. `others_running` is
    asked only when it matters (one indexed query)."""
    shared = torch_threads(settings)
    if settings.ml_torch_threads > 0 or settings.runner != "local" or others_running():
        return shared
    return max(shared or 1, os.cpu_count() or 1)


def use_threads(threads: int | None) -> None:
    """torch's thread count for this process's next model calls (None: leave it)."""
    if threads is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def apply_threads(settings: Settings) -> None:
    """Set torch's thread count for this process from the settings, and its allocator for tensors (the
    model loaders call it)."""
    from shelfscope.od.images.budget import keep_freed_blocks_for_models

    keep_freed_blocks_for_models()
    threads = torch_threads(settings)
    if threads is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
        log.info("torch uses %d thread(s) per model call in this process", threads)


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Indices of the boxes kept by greedy non-maximum suppression, highest score first (pure torch)."""
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.long, device=boxes.device)
    boxes = boxes.float()
    areas = (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)
    top_left = torch.maximum(boxes[:, None, :2], boxes[None, :, :2])
    bottom_right = torch.minimum(boxes[:, None, 2:], boxes[None, :, 2:])
    wh = (bottom_right - top_left).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    iou = inter / (areas[:, None] + areas[None, :] - inter).clamp(min=1e-12)
    suppressed = torch.zeros(len(boxes), dtype=torch.bool, device=boxes.device)
    keep: list[int] = []
    for index in scores.argsort(descending=True).tolist():
        if suppressed[index]:
            continue
        keep.append(index)
        suppressed |= iou[index] > iou_threshold
    return torch.tensor(keep, dtype=torch.long, device=boxes.device)


def _register_fallback_ops() -> None:
    global _fallback_lib
    lib = torch.library.Library("torchvision", "DEF")  # type: ignore[no-untyped-call]
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")  # type: ignore[no-untyped-call]
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")  # type: ignore[no-untyped-call]
    lib.impl("nms", nms, "CPU")  # type: ignore[no-untyped-call]
    lib.impl("qnms", lambda d, s, t: nms(d.dequantize(), s.dequantize(), t), "CPU")  # type: ignore[no-untyped-call]
    _fallback_lib = lib


def _forget_torchvision() -> None:
    for name in [name for name in sys.modules if name == "torchvision" or name.startswith("torchvision.")]:
        del sys.modules[name]


def load_torchvision() -> ModuleType | None:
    """torchvision, working; None when it is not installed. Call before importing transformers' vision
    models (`load_transformers()` does)."""
    global _torchvision, used_fallback_nms
    with _lock:
        if _torchvision is not None:
            return _torchvision
        try:
            module = importlib.import_module("torchvision")
        except ModuleNotFoundError:
            return None
        except RuntimeError as error:
            if "torchvision::nms" not in str(error):
                raise
            log.info("torchvision's compiled ops did not load (%s); using the pure-torch NMS", error)
            _forget_torchvision()
            _register_fallback_ops()
            module = importlib.import_module("torchvision")
            boxes = importlib.import_module("torchvision.ops.boxes")
            boxes._assert_has_ops = lambda: None  # type: ignore[attr-defined]
            used_fallback_nms = True
        _torchvision = module
        return module


def load_transformers() -> ModuleType:
    """transformers, after torchvision has been made importable (its image processors import it)."""
    load_torchvision()
    return importlib.import_module("transformers")

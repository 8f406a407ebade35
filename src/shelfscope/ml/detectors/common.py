"""What every adapter shares: the loaded model with its processor, device and clock, the bytes it
holds, boxes from the models' normalised centre format into an image's pixels, and the inference
context."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from shelfscope.ml.detections import Detections


def model_bytes(model: torch.nn.Module) -> int:
    """Parameter and buffer bytes (what the model occupies on its device)."""
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)


def centre_to_corners(boxes: torch.Tensor) -> torch.Tensor:
    """(…, 4) cx cy w h to x1 y1 x2 y2, same scale."""
    cx, cy, w, h = boxes.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)


def clipped(boxes: npt.NDArray[np.float32], width: int, height: int) -> npt.NDArray[np.float32]:
    out = boxes.copy()
    out[:, [0, 2]] = out[:, [0, 2]].clip(0, width)
    out[:, [1, 3]] = out[:, [1, 3]].clip(0, height)
    return out


def detections(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    prompt_index: torch.Tensor,
    labels: Sequence[str],
    size: tuple[int, int],
    threshold: float,
) -> Detections:
    """One image's Detections: pixel xyxy `boxes`, `scores`, indices into `labels`, kept at or above
    `threshold`, best first, clipped to the image (`size` is width, height)."""
    keep = scores >= threshold
    order = scores[keep].argsort(descending=True)
    kept_boxes = boxes[keep][order].float().cpu().numpy()
    kept_scores = scores[keep][order].float().cpu().numpy()
    kept_index = prompt_index[keep][order].cpu().numpy().astype(np.int32)
    return Detections(
        clipped(kept_boxes.astype(np.float32), *size),
        kept_scores.astype(np.float32),
        tuple(labels[int(i)] for i in kept_index),
        kept_index,
    )


def inference() -> torch.autograd.grad_mode.inference_mode:
    return torch.inference_mode()


def batch_size_for(device: torch.device) -> int:
    """Images per model call: a GPU gains from batches; on a CPU a batch of large images only adds
    memory (the cores are busy with one image already)."""
    return 8 if device.type in ("cuda", "mps") else 2


class ForwardClock:
    """Seconds spent in the model's own forward (or generate) calls, excluding pre- and
    post-processing: what the batch pipeline compares its wall time with (`forward_s`)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.seconds = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.device.type == "cuda":
                torch.cuda.synchronize(self.device)
            self.seconds += time.perf_counter() - started


class LoadedDetector:
    """The state every adapter holds: its catalogue key, the model and processor on their device, the
    bytes they take (for the model cache) and the clock of the model's own forward time."""

    def __init__(self, key: str, model: Any, processor: Any, device: torch.device) -> None:
        self.key = key
        self.model = model
        self.processor = processor
        self.device = device
        self._bytes = model_bytes(model)
        self.clock = ForwardClock(device)
        self.batch_size = batch_size_for(device)

    @property
    def memory_bytes(self) -> int:
        return self._bytes

    @property
    def forward_s(self) -> float:
        return self.clock.seconds

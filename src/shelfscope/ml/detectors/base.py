"""The detector interface every zero-shot adapter and every trained registry model implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from PIL import Image

from shelfscope.ml.detections import Detections


@runtime_checkable
class Detector(Protocol):
    """`predict` takes decoded RGB images and the text prompts (class names or phrases; empty for a
    model with a fixed label set or an open vocabulary) and returns one Detections per image, in the
    images' own pixels, with scores at or above `threshold`."""

    key: str

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]: ...

    @property
    def memory_bytes(self) -> int:
        """Parameter and buffer bytes, for the worker's model cache budget."""
        ...

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


def input_size(detector: Detector, width: int, height: int) -> tuple[int, int]:
    """The (width, height) the detector's processor resizes a `width` x `height` image to, when the
    detector says (an `input_size(width, height)` method); else the image's own size. The batch
    pipeline decodes JPEGs at the smallest DCT scale that covers it and resizes once, so the processor's
    own resize has nothing left to do; boxes come back in that image's pixels and are scaled back."""
    sizer = getattr(detector, "input_size", None)
    if not callable(sizer):
        return width, height
    out_w, out_h = sizer(width, height)
    return int(out_w), int(out_h)

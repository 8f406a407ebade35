"""The segmenter interface: an image embedding computed once, then cheap prompt decodes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from PIL import Image


@dataclass(frozen=True, slots=True)
class PointPrompt:
    x: float
    y: float
    positive: bool = True


@dataclass(frozen=True, slots=True)
class Mask:
    """A binary mask in the image's pixels, its score, and the tight box around it (x1 y1 x2 y2)."""

    mask: npt.NDArray[np.bool_]
    score: float
    box: tuple[float, float, float, float]


@runtime_checkable
class Segmenter(Protocol):
    key: str

    def embed(self, image: Image.Image) -> object:
        """The image embedding (opaque) that `segment` reuses for every click on this image."""
        ...

    def segment(
        self,
        embedding: object,
        points: Sequence[PointPrompt],
        box: tuple[float, float, float, float] | None,
    ) -> Mask: ...

    @property
    def memory_bytes(self) -> int: ...

"""What a detector returns for one image: boxes in that image's pixels, with scores and labels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Detections:
    """`boxes` is (N, 4) float32 x1 y1 x2 y2 in the original image's pixels; `scores` (N,) in 0 to 1;
    `labels` (N,) the text each box was found for (the prompt, or the label an open-vocabulary model
    named). `prompt_index` (N,) is the index into the request's prompts, -1 for a label the model
    named itself."""

    boxes: npt.NDArray[np.float32]
    scores: npt.NDArray[np.float32]
    labels: tuple[str, ...]
    prompt_index: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def __post_init__(self) -> None:
        count = len(self.labels)
        if self.boxes.shape != (count, 4) or self.scores.shape != (count,):
            shapes = f"{self.boxes.shape} boxes, {self.scores.shape} scores, {count} labels"
            raise ValueError(f"Detections: {shapes}")
        if self.prompt_index.shape != (count,):
            if len(self.prompt_index) == 0 and count:
                object.__setattr__(self, "prompt_index", np.full(count, -1, dtype=np.int32))
            else:
                raise ValueError(f"Detections: prompt_index {self.prompt_index.shape} for {count} boxes")

    def __len__(self) -> int:
        return len(self.labels)

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), (), np.zeros(0, np.int32))

    def select(self, keep: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> Detections:
        indices = np.flatnonzero(keep) if keep.dtype == np.bool_ else keep
        return Detections(
            self.boxes[indices],
            self.scores[indices],
            tuple(self.labels[int(i)] for i in indices),
            self.prompt_index[indices],
        )

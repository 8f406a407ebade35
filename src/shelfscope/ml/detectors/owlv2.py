"""OWLv2: text queries, and query by example (an image of the object to find).

The processor pads each image to a square (bottom and right) and resizes it to the model's size, so
boxes come back relative to that square: scaled by the longer side, they are the image's pixels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from PIL import Image

from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors.common import (
    LoadedDetector,
    centre_to_corners,
    detections,
    inference,
)


class Owlv2Detector(LoadedDetector):
    def __init__(self, key: str, model: Any, processor: Any, device: torch.device) -> None:
        super().__init__(key, model, processor, device)
        size = processor.image_processor.size
        self._side = int(size.get("height") or 960)

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """The longer side at the model's square size (the shorter one is padded)."""
        scale = self._side / max(width, height)
        return max(1, round(width * scale)), max(1, round(height * scale))

    def _pixels(self, images: Sequence[Image.Image]) -> torch.Tensor:
        pixels: torch.Tensor = self.processor.image_processor(images=list(images), return_tensors="pt")[
            "pixel_values"
        ]
        return pixels.to(self.device)

    def _results(
        self,
        logits: torch.Tensor,
        pred_boxes: torch.Tensor,
        images: Sequence[Image.Image],
        labels: Sequence[str],
        threshold: float,
    ) -> list[Detections]:
        scores, best = logits.sigmoid().float().max(dim=-1)
        corners = centre_to_corners(pred_boxes.float())
        out = []
        for i, image in enumerate(images):
            side = float(max(image.width, image.height))
            out.append(detections(corners[i] * side, scores[i], best[i], labels, image.size, threshold))
        return out

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        if not images:
            return []
        if not prompts:
            raise ValueError(f"{self.key} needs at least one text prompt")
        text = self.processor.tokenizer(
            list(prompts), padding="max_length", truncation=True, return_tensors="pt"
        )
        pixel_values = self._pixels(images)
        batch = len(images)
        # The model takes (batch x queries) rows of text, one query list per image.
        input_ids = text["input_ids"].repeat(batch, 1).to(self.device)
        attention_mask = text["attention_mask"].repeat(batch, 1).to(self.device)
        with inference(), self.clock.timing():
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values)
        return self._results(out.logits, out.pred_boxes, images, prompts, threshold)

    def predict_by_example(
        self, images: Sequence[Image.Image], examples: Sequence[Image.Image], threshold: float
    ) -> list[Detections]:
        """Boxes like the object each example image shows; prompt_index is the example's index and the
        label 'example N'. One pass per example over the batch."""
        if not images:
            return []
        pixel_values = self._pixels(images)
        labels = [f"example {i + 1}" for i in range(len(examples))]
        found: list[list[Detections]] = []
        for index, example in enumerate(examples):
            query = self._pixels([example]).expand(len(images), -1, -1, -1)
            with inference(), self.clock.timing():
                out = self.model.image_guided_detection(pixel_values=pixel_values, query_pixel_values=query)
            best = out.logits.float().amax(dim=-1)
            # One example per pass: its scores go in its own column, so the label is its index.
            column = torch.full((*best.shape, len(examples)), float("-inf"), device=best.device)
            column[..., index] = best
            found.append(self._results(column, out.target_pred_boxes, images, labels, threshold))
        return [_concat(per_image) for per_image in zip(*found, strict=True)]


def _concat(parts: Sequence[Detections]) -> Detections:
    boxes = np.concatenate([p.boxes for p in parts]).astype(np.float32)
    scores = np.concatenate([p.scores for p in parts]).astype(np.float32)
    index = np.concatenate([p.prompt_index for p in parts]).astype(np.int32)
    labels = tuple(label for p in parts for label in p.labels)
    order = np.argsort(-scores, kind="stable")
    return Detections(boxes[order], scores[order], tuple(labels[i] for i in order), index[order])

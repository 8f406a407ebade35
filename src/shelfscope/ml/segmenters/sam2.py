"""SAM 2.1 (transformers' Sam2Model) as a Segmenter: the image encoder runs once per image, each click
runs only the prompt encoder and the mask decoder on the kept embedding.

The decode path is Sam2Model.forward without its image branch, with the image-wide positional
embedding computed once per model instead of once per click. Masks come back at the image's own size,
upsampled from the decoder's 256 x 256 logits only where they can be on (masks.output_span)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from shelfscope.ml import runtime
from shelfscope.ml.segmenters import masks
from shelfscope.ml.segmenters.base import Mask, PointPrompt

BoxPrompt = tuple[float, float, float, float]
_instances = itertools.count(1)
# Past this share of the image, one interpolate over the whole frame beats computing a window.
_WINDOW_SHARE = 0.4
# Automatic masks: grid points decoded per batch (each one repeats the image embedding in memory).
_GRID_BATCH = 16


@dataclass(frozen=True, eq=False)
class Sam2Embedding:
    """What the mask decoder needs of one image: the two high-resolution feature maps and the image
    embedding (last), and the image's size in pixels."""

    features: tuple[torch.Tensor, ...]
    width: int
    height: int

    @property
    def memory_bytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.features)


@dataclass(frozen=True)
class LowRes:
    """What the mask decoder gives: low-resolution mask logits (masks, 256, 256) and each mask's
    predicted IoU (masks,)."""

    logits: torch.Tensor
    scores: torch.Tensor


def model_bytes(model: torch.nn.Module) -> int:
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)


class Sam2Segmenter:
    """`model` is a transformers Sam2Model in eval mode on `device`; `processor` its Sam2Processor."""

    def __init__(self, key: str, model: Any, processor: Any, device: torch.device) -> None:
        self.key = key
        # Tells this load apart from a later one under the same key (weights replaced): the
        # embedding cache keys on it, so no embedding outlives its model.
        self.instance = f"{key}#{next(_instances)}"
        self.model = model
        self.processor = processor
        self.device = device
        size = processor.image_processor.size
        self.input_height, self.input_width = int(size["height"]), int(size["width"])
        with torch.inference_mode():
            self._positional: torch.Tensor = model.get_image_wide_positional_embeddings()
        self._memory = model_bytes(model)
        self.embeddings_computed = 0

    @property
    def memory_bytes(self) -> int:
        return self._memory

    def embed(self, image: Image.Image) -> Sam2Embedding:
        inputs = self.processor(images=image.convert("RGB"), return_tensors="pt")
        with torch.inference_mode():
            features = self.model.get_image_embeddings(inputs["pixel_values"].to(self.device))
        self.embeddings_computed += 1
        return Sam2Embedding(tuple(features), width=image.width, height=image.height)

    def segment(self, embedding: object, points: Sequence[PointPrompt], box: BoxPrompt | None) -> Mask:
        """The mask for these prompts. One click alone is ambiguous (a label, the can, the shelf):
        the decoder proposes three masks and the one with the best predicted IoU wins. More points or
        a box pin the object down, so one mask is asked for."""
        found = _embedding(embedding)
        decoded = self.decode(found, points, box)
        best = int(decoded.scores.argmax())
        return self._full_size(found, decoded.logits[best], float(decoded.scores[best]))

    def decode(
        self, embedding: Sam2Embedding, points: Sequence[PointPrompt], box: BoxPrompt | None
    ) -> LowRes:
        """The mask decoder's masks for these prompts, at its own resolution (three for one click)."""
        if not points and box is None:
            raise ValueError("segment needs at least one point or a box")
        coords = labels = boxes = None
        if points:
            coords = self._scaled(embedding, [(p.x, p.y) for p in points]).view(1, 1, -1, 2)
            labels = torch.tensor([[[1 if p.positive else 0 for p in points]]], device=self.device)
        if box is not None:
            boxes = self._scaled(embedding, [box[:2], box[2:]]).view(1, 1, 4)
        return self._decode(embedding, coords, labels, boxes, multimask=len(points) == 1 and box is None)

    def _scaled(self, embedding: Sam2Embedding, xy: Sequence[Sequence[float]]) -> torch.Tensor:
        """Image pixels to the model's input frame (the processor resizes every image to 1024 x 1024)."""
        scale = torch.tensor(
            [self.input_width / embedding.width, self.input_height / embedding.height], device=self.device
        )
        return torch.tensor(xy, dtype=torch.float32, device=self.device) * scale

    def _decode(
        self,
        embedding: Sam2Embedding,
        coords: torch.Tensor | None,
        labels: torch.Tensor | None,
        boxes: torch.Tensor | None,
        *,
        multimask: bool,
    ) -> LowRes:
        """Prompt encoder and mask decoder for one point batch (coords (1, P, N, 2), or boxes)."""
        features = embedding.features
        with torch.inference_mode():
            sparse, dense = self.model.prompt_encoder(
                input_points=coords, input_labels=labels, input_boxes=boxes, input_masks=None
            )
            logits, scores, _, _ = self.model.mask_decoder(
                image_embeddings=features[-1],
                image_positional_embeddings=self._positional,
                sparse_prompt_embeddings=sparse,
                dense_prompt_embeddings=dense,
                multimask_output=multimask,
                high_resolution_features=list(features[:-1]),
            )
        return LowRes(logits=logits[0].flatten(0, 1).float(), scores=scores[0].flatten().float())

    def _full_size(self, embedding: Sam2Embedding, logits: torch.Tensor, score: float) -> Mask:
        mask, box = upsample(logits.cpu(), embedding.height, embedding.width)
        x1, y1, x2, y2 = box or (0, 0, 0, 0)  # an empty mask has a box of no area
        return Mask(mask=mask, score=score, box=(float(x1), float(y1), float(x2), float(y2)))

    def generate_masks(
        self,
        embedding: object,
        *,
        points_per_side: int = 16,
        min_score: float = 0.8,
        min_stability: float = 0.9,
        nms_iou: float = 0.7,
        max_masks: int = 100,
    ) -> list[Mask]:
        """Every object the model finds: a grid of single clicks, each click's three masks kept when
        their predicted IoU and stability (the mask barely changes when its threshold moves by one
        logit) are high enough, duplicates removed by box NMS, best first."""
        found = _embedding(embedding)
        steps = (np.arange(points_per_side) + 0.5) / points_per_side
        grid = [(x * found.width, y * found.height) for y in steps for x in steps]
        logits, scores, boxes = [], [], []
        for start in range(0, len(grid), _GRID_BATCH):
            batch = grid[start : start + _GRID_BATCH]
            coords = self._scaled(found, batch).view(1, len(batch), 1, 2)
            labels = torch.ones((1, len(batch), 1), dtype=torch.int64, device=self.device)
            decoded = self._decode(found, coords, labels, None, multimask=True)
            keep = (decoded.scores >= min_score) & (_stability(decoded.logits) >= min_stability)
            keep &= (decoded.logits > 0).flatten(1).any(dim=1)
            logits.append(decoded.logits[keep].cpu())
            scores.append(decoded.scores[keep].cpu())
            boxes.append(_coarse_boxes(decoded.logits[keep].cpu(), found.width, found.height))
        all_scores = torch.cat(scores)
        kept = runtime.nms(torch.cat(boxes), all_scores, nms_iou)[:max_masks]
        all_logits = torch.cat(logits)
        return [self._full_size(found, all_logits[i], float(all_scores[i])) for i in kept.tolist()]


def _embedding(embedding: object) -> Sam2Embedding:
    if not isinstance(embedding, Sam2Embedding):
        raise TypeError(f"a SAM 2 segmenter needs its own embedding, not {type(embedding).__name__}")
    return embedding


def _stability(logits: torch.Tensor, offset: float = 1.0) -> torch.Tensor:
    """Area at threshold +offset over area at -offset, per mask (1.0: a crisp mask)."""
    inner = (logits > offset).flatten(1).sum(dim=1)
    outer = (logits > -offset).flatten(1).sum(dim=1)
    return inner.float() / outer.clamp(min=1).float()


def _coarse_boxes(logits: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """x1 y1 x2 y2 in image pixels from each low-resolution mask (for NMS only)."""
    out = torch.zeros((len(logits), 4))
    for i, on in enumerate(logits > 0):
        rows = torch.nonzero(on.any(dim=1)).flatten()
        cols = torch.nonzero(on.any(dim=0)).flatten()
        out[i] = torch.tensor([cols[0], rows[0], cols[-1] + 1, rows[-1] + 1], dtype=torch.float32)
    scale = torch.tensor([width / logits.shape[2], height / logits.shape[1]] * 2)
    return out * scale


def upsample(logits: torch.Tensor, height: int, width: int) -> tuple[masks.BoolArray, masks.Box | None]:
    """`logits > 0` resized to height x width exactly as bilinear interpolate (post_process_masks)
    would, and the result's tight box; only the rows and columns that can be on are computed."""
    low = logits.float()
    positive = (low > 0).numpy()
    y_first, y_second, y_weight = masks.source_indices(low.shape[0], height)
    x_first, x_second, x_weight = masks.source_indices(low.shape[1], width)
    rows = masks.output_span(np.asarray(positive.any(axis=1)), y_first, y_second)
    cols = masks.output_span(np.asarray(positive.any(axis=0)), x_first, x_second)
    mask = np.zeros((height, width), dtype=np.bool_)
    if rows is None or cols is None:
        return mask, None
    (r0, r1), (c0, c1) = rows, cols
    if (r1 - r0) * (c1 - c0) > _WINDOW_SHARE * height * width:
        frame = F.interpolate(low[None, None], (height, width), mode="bilinear", align_corners=False)
        mask = (frame[0, 0] > 0).numpy()
        window = mask[r0:r1, c0:c1]
    else:
        along_x = torch.lerp(
            low[:, torch.from_numpy(x_first[c0:c1])],
            low[:, torch.from_numpy(x_second[c0:c1])],
            torch.from_numpy(x_weight[c0:c1]),
        )
        values = torch.lerp(
            along_x[torch.from_numpy(y_first[r0:r1])],
            along_x[torch.from_numpy(y_second[r0:r1])],
            torch.from_numpy(y_weight[r0:r1])[:, None],
        )
        window = (values > 0).numpy()
        mask[r0:r1, c0:c1] = window
    inner = masks.tight_box(window)
    if inner is None:
        return mask, None
    return mask, (inner[0] + c0, inner[1] + r0, inner[2] + c0, inner[3] + r0)

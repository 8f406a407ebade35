"""Grounding DINO and MM-Grounding-DINO (same processor and outputs, their own model classes).

The prompts become one caption, "cola. fanta.", as the models were trained; a box's score for a prompt
is the best score over that prompt's tokens, and its label the prompt that scores best. A caption is
capped at the model's text length (256 tokens), so a long prompt list runs in several passes over the
same pixel batch."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from PIL import Image

from shelfscope.ml import runtime
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors.common import (
    LoadedDetector,
    centre_to_corners,
    detections,
    inference,
)

# [CLS] and [SEP] around the caption.
_SPECIAL_TOKENS = 2


def caption_of(prompts: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """'a. b.' and each prompt's character span in it (lower case, no trailing dots: the format the
    models were trained on, where '.' separates phrases)."""
    caption = ""
    spans = []
    for prompt in prompts:
        text = prompt.strip().rstrip(".").strip().lower()
        start = len(caption)
        caption += text
        spans.append((start, len(caption)))
        caption += ". "
    return caption.rstrip(), spans


class GroundingDinoDetector(LoadedDetector):
    """A Detector over a loaded Grounding DINO (or MM-Grounding-DINO) model and its processor."""

    def __init__(self, key: str, model: Any, processor: Any, device: torch.device) -> None:
        super().__init__(key, model, processor, device)
        size = processor.image_processor.size
        self._shortest = int(size.get("shortest_edge") or 800)
        self._longest = int(size.get("longest_edge") or 1333)
        self.max_text_tokens = int(getattr(model.config, "max_text_len", 256))
        # The processor's own resize rule (transformers' image code needs torchvision loaded first).
        runtime.load_torchvision()
        self._size_rule = importlib.import_module("transformers.image_transforms").get_size_with_aspect_ratio

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        out_h, out_w = self._size_rule((height, width), self._shortest, self._longest)
        return out_w, out_h

    def _chunks(self, prompts: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
        """(offset, prompts) groups whose caption fits the model's text length."""
        tokenizer = self.processor.tokenizer
        budget = self.max_text_tokens - _SPECIAL_TOKENS
        start, used = 0, 0
        for index, prompt in enumerate(prompts):
            # The prompt's tokens and its '.'; a single prompt over the budget is cut by the tokenizer.
            cost = len(tokenizer(prompt.lower(), add_special_tokens=False)["input_ids"]) + 1
            if index > start and used + cost > budget:
                yield start, list(prompts[start:index])
                start, used = index, 0
            used += cost
        yield start, list(prompts[start:])

    def _token_prompts(
        self, caption: str, spans: list[tuple[int, int]]
    ) -> tuple[dict[str, Any], torch.Tensor]:
        """The tokenized caption and a (tokens, prompts) 0/1 matrix: which prompt each token belongs to."""
        encoded = self.processor.tokenizer(
            caption,
            return_offsets_mapping=True,
            return_token_type_ids=True,
            truncation=True,
            max_length=self.max_text_tokens,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping")[0].tolist()
        owner = torch.zeros((len(offsets), len(spans)), dtype=torch.float32)
        for token, (begin, end) in enumerate(offsets):
            if end <= begin:
                continue
            for prompt, (first, last) in enumerate(spans):
                if first <= begin < last:
                    owner[token, prompt] = 1.0
        return dict(encoded), owner

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        if not images:
            return []
        if not prompts:
            raise ValueError(f"{self.key} needs at least one text prompt")
        pixels = self.processor.image_processor(images=list(images), return_tensors="pt")
        pixel_values = pixels["pixel_values"].to(self.device)
        pixel_mask = pixels["pixel_mask"].to(self.device)
        parts: list[list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]] = [[] for _ in images]
        for offset, chunk in self._chunks(prompts):
            caption, spans = caption_of(chunk)
            text, owner = self._token_prompts(caption, spans)
            batch = {k: v.expand(len(images), -1).to(self.device) for k, v in text.items()}
            with inference(), self.clock.timing():
                out = self.model(pixel_values=pixel_values, pixel_mask=pixel_mask, **batch)
            probs = out.logits.sigmoid()[..., : owner.shape[0]].float()
            # Each prompt's score: the best of its tokens.
            per_prompt = (probs.unsqueeze(-1) * owner.to(probs.device)).amax(dim=-2)
            scores, best = per_prompt.max(dim=-1)
            corners = centre_to_corners(out.pred_boxes.float())
            for i, image in enumerate(images):
                scale = torch.tensor(
                    [image.width, image.height, image.width, image.height], device=corners.device
                )
                parts[i].append((corners[i] * scale, scores[i], best[i] + offset))
        return [
            detections(
                torch.cat([p[0] for p in found]),
                torch.cat([p[1] for p in found]),
                torch.cat([p[2] for p in found]),
                prompts,
                image.size,
                threshold,
            )
            for found, image in zip(parts, images, strict=True)
        ]

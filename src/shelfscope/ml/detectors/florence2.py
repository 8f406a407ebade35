"""Florence-2 (transformers' native Florence2ForConditionalGeneration): detection as generated text.

Three tasks: `<OD>` names the objects itself (open vocabulary: labels are the model's words,
prompt_index -1); `<OPEN_VOCABULARY_DETECTION>` finds one prompt per pass; `<CAPTION_TO_PHRASE_GROUNDING>`
grounds the prompts joined as a caption in one pass. `predict` uses `<OD>` without prompts and
open-vocabulary detection with them.

The output is read token by token rather than with the processor's regexes: a box is a label followed
by four `<loc_N>` tokens (N in 0..999 across the image), and its score is the mean probability the
model gave the tokens that made it (Florence has no score of its own)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image

from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors.common import LoadedDetector, clipped, inference

TASK_OD = "<OD>"
TASK_PHRASE_GROUNDING = "<CAPTION_TO_PHRASE_GROUNDING>"
TASK_OPEN_VOCABULARY = "<OPEN_VOCABULARY_DETECTION>"
TASKS = (TASK_OD, TASK_PHRASE_GROUNDING, TASK_OPEN_VOCABULARY)
_LOC = re.compile(r"^<loc_(\d+)>$")
_BINS = 1000
_DEFAULT_MAX_NEW_TOKENS = 1024


@dataclass(frozen=True, slots=True)
class ParsedBox:
    label: str
    # x1 y1 x2 y2 as fractions of the image (bin centres).
    box: tuple[float, float, float, float]
    score: float


@dataclass
class _Reader:
    """Walks one generated sequence: label tokens, then groups of four location tokens."""

    label_ids: list[int] = field(default_factory=list)
    label_probs: list[float] = field(default_factory=list)
    locs: list[tuple[int, float]] = field(default_factory=list)
    after_box: bool = False


def parse_boxes(
    token_ids: Sequence[int], probs: Sequence[float], loc_bins: dict[int, int], skip: set[int], decode: Any
) -> list[ParsedBox]:
    """The boxes in one generated sequence: `loc_bins` maps a location token's id to its bin, `skip`
    holds the special tokens, `decode(ids)` turns label tokens into text. A label may own several
    boxes (phrase grounding); an unfinished group of locations is dropped."""
    found: list[ParsedBox] = []
    state = _Reader()
    for token, prob in zip(token_ids, probs, strict=True):
        if token in skip:
            continue
        bin_ = loc_bins.get(token)
        if bin_ is None:
            if state.after_box or state.locs:
                state = _Reader()
            state.label_ids.append(token)
            state.label_probs.append(prob)
            continue
        state.locs.append((bin_, prob))
        if len(state.locs) < 4:
            continue
        bins = [(b + 0.5) / _BINS for b, _ in state.locs]
        x1, x2 = sorted((bins[0], bins[2]))
        y1, y2 = sorted((bins[1], bins[3]))
        used = [p for _, p in state.locs] + ([] if state.after_box else state.label_probs)
        label = str(decode(state.label_ids)).strip()
        if label:
            found.append(ParsedBox(label, (x1, y1, x2, y2), float(np.mean(used))))
        state.locs = []
        state.after_box = True
    return found


def match_prompt(label: str, prompts: Sequence[str]) -> int:
    """The index of the prompt a phrase names (same words, ignoring case; else the prompt it contains
    or is contained in), or -1."""
    key = label.casefold().strip(" .")
    keys = [p.casefold().strip(" .") for p in prompts]
    if key in keys:
        return keys.index(key)
    for index, prompt in enumerate(keys):
        if prompt and (prompt in key or key in prompt):
            return index
    return -1


class Florence2Detector(LoadedDetector):
    def __init__(self, key: str, model: Any, processor: Any, device: torch.device) -> None:
        super().__init__(key, model, processor, device)
        tokenizer = processor.tokenizer
        self._loc_bins = {
            token_id: int(m.group(1))
            for token, token_id in tokenizer.get_vocab().items()
            if (m := _LOC.match(token))
        }
        self._skip = {int(i) for i in tokenizer.all_special_ids}
        size = processor.image_processor.size
        self._size = (int(size.get("width") or 768), int(size.get("height") or 768))
        configured = getattr(model.generation_config, "max_new_tokens", None)
        # Never past the decoder's learned positions (its start token and <s> come first).
        positions = int(getattr(model.config.text_config, "max_position_embeddings", 1024))
        self.max_new_tokens = min(int(configured or _DEFAULT_MAX_NEW_TOKENS), positions - 2)

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """The processor squashes every image to its fixed size."""
        return self._size

    def predict(
        self, images: Sequence[Image.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        task = TASK_OPEN_VOCABULARY if prompts else TASK_OD
        return self.predict_task(images, task, prompts, threshold)

    def predict_task(
        self, images: Sequence[Image.Image], task: str, prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        if task not in TASKS:
            raise ValueError(f"unknown Florence-2 task {task!r}; one of {', '.join(TASKS)}")
        if task != TASK_OD and not prompts:
            raise ValueError(f"{task} needs at least one text prompt")
        if not images:
            return []
        if task == TASK_OD:
            runs: list[tuple[int | None, str]] = [(None, TASK_OD)]
        elif task == TASK_PHRASE_GROUNDING:
            runs = [(None, TASK_PHRASE_GROUNDING + ". ".join(p.strip(" .") for p in prompts))]
        else:
            runs = [(i, TASK_OPEN_VOCABULARY + p.strip()) for i, p in enumerate(prompts)]
        found: list[list[tuple[ParsedBox, int]]] = [[] for _ in images]
        for prompt_index, text in runs:
            for i, boxes in enumerate(self._generate(images, text)):
                for parsed in boxes:
                    if prompt_index is not None:
                        index = prompt_index
                    elif task == TASK_PHRASE_GROUNDING:
                        index = match_prompt(parsed.label, prompts)
                    else:
                        index = -1
                    found[i].append((parsed, index))
        return [
            _detections(boxes, prompts, image, threshold) for boxes, image in zip(found, images, strict=True)
        ]

    def _generate(self, images: Sequence[Image.Image], text: str) -> list[list[ParsedBox]]:
        inputs = self.processor(text=[text] * len(images), images=list(images), return_tensors="pt")
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        with inference(), self.clock.timing():
            out = self.model.generate(
                **inputs,
                max_new_tokens=self.max_new_tokens,
                num_beams=1,
                do_sample=False,
                output_scores=True,
                return_dict_in_generate=True,
            )
        steps = len(out.scores)
        # The sequences start with the decoder's start token; scores[t] chose token t + 1.
        chosen = out.sequences[:, -steps:] if steps else out.sequences[:, :0]
        probs = (
            torch.stack([s.float().softmax(-1) for s in out.scores], dim=1).gather(-1, chosen.unsqueeze(-1))[
                ..., 0
            ]
            if steps
            else torch.zeros(chosen.shape)
        )
        decode = self.processor.tokenizer.decode
        return [
            parse_boxes(ids.tolist(), p.tolist(), self._loc_bins, self._skip, decode)
            for ids, p in zip(chosen.cpu(), probs.cpu(), strict=True)
        ]


def _detections(
    found: Sequence[tuple[ParsedBox, int]], prompts: Sequence[str], image: Image.Image, threshold: float
) -> Detections:
    kept = sorted((f for f in found if f[0].score >= threshold), key=lambda f: -f[0].score)
    if not kept:
        return Detections.empty()
    scale = np.array([image.width, image.height, image.width, image.height], dtype=np.float32)
    boxes = np.array([f[0].box for f in kept], dtype=np.float32) * scale
    labels = tuple(prompts[i] if i >= 0 else f.label for f, i in kept)
    return Detections(
        clipped(boxes, image.width, image.height),
        np.array([f[0].score for f in kept], dtype=np.float32),
        labels,
        np.array([i for _, i in kept], dtype=np.int32),
    )

"""The SAM 2.1 segmenter through the real loader (a tiny random-weight model saved where the real one
goes): masks as transformers' own forward and post-processing make them, the tight box, embeddings
reused, automatic masks, and the loader's errors."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image as PILImage

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.ml.segmenters import masks
from shelfscope.ml.segmenters.base import PointPrompt, Segmenter
from shelfscope.ml.segmenters.embeddings import EmbeddingCache
from shelfscope.ml.segmenters.loader import embedding_for, load_segmenter
from shelfscope.ml.segmenters.sam2 import Sam2Embedding, Sam2Segmenter
from shelfscope.ml.weights import WeightsMissing
from tests.segment.conftest import EncoderRuns, photo


def picture() -> PILImage.Image:
    return PILImage.open(BytesIO(photo())).convert("RGB")


def reference_mask(
    segmenter: Sam2Segmenter, embedding: Sam2Embedding, points: list[PointPrompt], box: list[float] | None
) -> tuple[np.ndarray, float]:
    """What transformers' own Sam2Model.forward and post_process_masks give for these prompts."""
    size = [[embedding.height, embedding.width]]
    prompts: dict[str, Any] = {}
    if points:
        prompts["input_points"] = [[[[p.x, p.y] for p in points]]]
        prompts["input_labels"] = [[[int(p.positive) for p in points]]]
    if box is not None:
        prompts["input_boxes"] = [[box]]
    inputs = segmenter.processor(images=None, original_sizes=size, return_tensors="pt", **prompts)
    multimask = len(points) == 1 and box is None
    with torch.inference_mode():
        out = segmenter.model(
            image_embeddings=list(embedding.features),
            input_points=inputs.get("input_points"),
            input_labels=inputs.get("input_labels"),
            input_boxes=inputs.get("input_boxes"),
            multimask_output=multimask,
        )
    best = int(out.iou_scores[0, 0].argmax())
    low = out.pred_masks[:, :, best : best + 1].float()
    mask = segmenter.processor.post_process_masks(low, inputs["original_sizes"])[0][0, 0].numpy()
    return mask, float(out.iou_scores[0, 0, best])


@pytest.mark.parametrize(
    ("points", "box"),
    [
        ([PointPrompt(100, 120)], None),
        ([PointPrompt(100, 120), PointPrompt(230, 130, positive=False)], None),
        ([], [50.0, 40.0, 150.0, 210.0]),
        ([PointPrompt(100, 120)], [50.0, 40.0, 150.0, 210.0]),
    ],
    ids=["one-click", "two-clicks", "box", "click-and-box"],
)
def test_masks_are_what_transformers_makes_of_the_same_prompts(
    settings: Settings, tiny_sam: str, points: list[PointPrompt], box: list[float] | None
) -> None:
    segmenter = load_segmenter(settings, tiny_sam)
    embedding = segmenter.embed(picture())

    found = segmenter.segment(embedding, points, tuple(box) if box else None)  # type: ignore[arg-type]

    expected, score = reference_mask(segmenter, embedding, points, box)
    assert found.mask.shape == (240, 320)
    assert (found.mask != expected).sum() <= 2  # float rounding at the zero crossing only
    assert found.score == pytest.approx(score, abs=1e-5)
    assert found.mask.any()
    assert masks.int_box(found.box) == masks.tight_box(found.mask)


def test_the_segmenter_meets_the_interface_and_counts_its_memory(settings: Settings, tiny_sam: str) -> None:
    segmenter = load_segmenter(settings, tiny_sam)
    embedding = segmenter.embed(picture())

    assert isinstance(segmenter, Segmenter)
    assert segmenter.memory_bytes == sum(p.numel() * 4 for p in segmenter.model.parameters()) + sum(
        b.numel() * b.element_size() for b in segmenter.model.buffers()
    )
    # Two high-resolution maps and the image embedding: 32 x 256², 64 x 128², 256 x 64² float32.
    assert embedding.memory_bytes == 4 * (32 * 256**2 + 64 * 128**2 + 256 * 64**2)
    assert load_segmenter(settings, tiny_sam) is segmenter


def test_an_image_is_encoded_once_for_any_number_of_clicks(encoder_runs: EncoderRuns) -> None:
    segmenter = encoder_runs.segmenter
    opened: list[str] = []

    def open_image(name: str) -> Any:
        opened.append(name)
        return picture()

    for x in (60, 100, 140):
        embedding = embedding_for(segmenter, "hash-a", lambda: open_image("a"))
        segmenter.segment(embedding, [PointPrompt(x, 120)], None)
    embedding_for(segmenter, "hash-b", lambda: open_image("b"))

    assert encoder_runs.count == 2
    assert opened == ["a", "b"]


def test_the_embedding_cache_drops_the_least_recently_used_by_count_and_by_memory() -> None:
    class Blob:
        def __init__(self, size: int) -> None:
            self.memory_bytes = size

    cache = EmbeddingCache(max_entries=2, max_bytes=100)
    cache.get(("m", "a"), lambda: Blob(10))
    cache.get(("m", "b"), lambda: Blob(10))
    cache.get(("m", "a"), lambda: Blob(999))  # a hit: "a" is now the most recent
    cache.get(("m", "c"), lambda: Blob(10))  # over the count: "b" goes
    assert (cache.hits, cache.misses, len(cache)) == (1, 3, 2)
    assert cache.get(("m", "b"), lambda: Blob(95)).memory_bytes == 95  # over the memory: both others go
    assert len(cache) == 1
    assert cache.memory_bytes == 95


def test_automatic_masks_are_distinct_objects_best_first(settings: Settings, tiny_sam: str) -> None:
    segmenter = load_segmenter(settings, tiny_sam)
    embedding = segmenter.embed(picture())

    found = segmenter.generate_masks(embedding, points_per_side=4, min_score=0, min_stability=0, nms_iou=0.5)
    none = segmenter.generate_masks(embedding, points_per_side=4, min_score=1.01)

    assert found
    assert none == []
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    boxes = torch.tensor([m.box for m in found])
    for i in range(len(found)):
        assert masks.int_box(found[i].box) == masks.tight_box(found[i].mask)
        for j in range(i):
            assert box_iou(boxes[i], boxes[j]) <= 0.5


def box_iou(a: torch.Tensor, b: torch.Tensor) -> float:
    inter = (torch.minimum(a[2:], b[2:]) - torch.maximum(a[:2], b[:2])).clamp(min=0).prod()
    union = (a[2:] - a[:2]).prod() + (b[2:] - b[:2]).prod() - inter
    return float(inter / union)


def test_the_loader_names_the_model_field_for_a_bad_key_and_the_folder_for_missing_weights(
    settings: Settings,
) -> None:
    with pytest.raises(ValidationFailed) as unknown:
        load_segmenter(settings, "sam9-giant")
    with pytest.raises(ValidationFailed) as detector:
        load_segmenter(settings, "owlv2-base")
    with pytest.raises(WeightsMissing) as missing:
        load_segmenter(settings, "sam2.1-hiera-small")

    assert unknown.value.extra["fields"][0]["field"] == "model"
    assert detector.value.extra["fields"] == [
        {"field": "model", "message": "'owlv2-base' is a detector, not a segmenter"}
    ]
    assert missing.value.status_code == 409
    assert missing.value.extra == {
        "model": "sam2.1-hiera-small",
        "folder": str(settings.resolved_models_dir / "sam2.1-hiera-small"),
        "hub_id": "facebook/sam2.1-hiera-small",
    }

"""The detector adapters, loaded by the real loader from tiny save_pretrained folders in the models
folder; Florence-2's generated boxes; labels an open-vocabulary model names itself."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.errors import ValidationFailed
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors.base import Detector, input_size
from shelfscope.ml.detectors.florence2 import match_prompt, parse_boxes
from shelfscope.ml.detectors.loader import load_detector
from shelfscope.ml.weights import WeightsMissing
from tests.support.ai import annotate, annotate_body, naming_detector, rows
from tests.support.annotations import Scene
from tests.support.tiny_models import florence_tokenizer, install_tiny_model

IMAGES = [Image.new("RGB", (640, 480), (120, 60, 30)), Image.new("RGB", (300, 500), (20, 160, 40))]


def _inside(found: Detections, image: Image.Image) -> bool:
    boxes = found.boxes
    return bool(
        (boxes[:, 0] >= 0).all()
        and (boxes[:, 1] >= 0).all()
        and (boxes[:, 2] <= image.width).all()
        and (boxes[:, 3] <= image.height).all()
    )


@pytest.mark.parametrize(
    "key", ["grounding-dino-tiny", "mm-grounding-dino-tiny", "owlv2-base", "florence-2-base"]
)
def test_each_family_loads_from_its_folder_and_detects_per_image(settings: Settings, key: str) -> None:
    install_tiny_model(settings, key)
    detector = load_detector(settings, key)
    assert isinstance(detector, Detector) and detector.key == key and detector.memory_bytes > 0
    assert load_detector(settings, key) is detector  # cached: only the first request pays the load

    found = detector.predict(IMAGES, ["cola", "fanta"], 0.0)
    assert len(found) == len(IMAGES)
    for result, image in zip(found, IMAGES, strict=True):
        assert _inside(result, image)
        assert set(result.labels) <= {"cola", "fanta"}
        assert set(result.prompt_index.tolist()) <= {0, 1}
        assert (np.diff(result.scores) <= 0).all()  # best first
    strict = detector.predict(IMAGES, ["cola", "fanta"], 0.999)
    assert all((r.scores >= 0.999).all() and len(r) <= len(f) for r, f in zip(strict, found, strict=True))


def test_grounding_dino_finds_boxes_and_reports_the_size_it_takes(settings: Settings) -> None:
    install_tiny_model(settings, "grounding-dino-tiny")
    detector = load_detector(settings, "grounding-dino-tiny")
    found = detector.predict(IMAGES, ["cola", "fanta"], 0.0)
    assert all(len(r) == 30 for r in found)  # the tiny config's 30 queries
    assert input_size(detector, 4000, 3000) == (426, 320)  # shortest edge 320, longest 480


def test_owlv2_finds_by_example_image(settings: Settings) -> None:
    install_tiny_model(settings, "owlv2-base")
    detector = load_detector(settings, "owlv2-base")
    found = detector.predict_by_example(IMAGES, [IMAGES[1].crop((0, 0, 100, 100))], 0.0)  # type: ignore[attr-defined]
    assert len(found) == 2 and all(set(r.labels) == {"example 1"} and len(r) > 0 for r in found)


def test_a_missing_folder_or_a_segmenter_key_is_refused(settings: Settings) -> None:
    with pytest.raises(WeightsMissing) as missing:
        load_detector(settings, "owlv2-base")
    assert missing.value.extra["model"] == "owlv2-base"
    with pytest.raises(ValidationFailed):
        load_detector(settings, "sam2.1-hiera-tiny")


def test_florence_boxes_are_read_from_the_generated_tokens() -> None:
    tokenizer = florence_tokenizer()
    loc = {tokenizer.convert_tokens_to_ids(f"<loc_{i}>"): i for i in range(1000)}

    def ids(text: str) -> list[int]:
        return list(tokenizer(text, add_special_tokens=False)["input_ids"])

    sequence = (
        [tokenizer.bos_token_id]
        + ids("cola")
        + [tokenizer.convert_tokens_to_ids(f"<loc_{n}>") for n in (100, 200, 299, 399, 500, 500, 599, 699)]
        + ids("fanta")
        + [tokenizer.convert_tokens_to_ids(f"<loc_{n}>") for n in (0, 0, 999)]  # cut short: dropped
        + [tokenizer.eos_token_id]
    )
    probs = [0.5] * len(sequence)
    skip = set(tokenizer.all_special_ids)
    boxes = parse_boxes(sequence, probs, loc, skip, tokenizer.decode)
    assert [b.label for b in boxes] == ["cola", "cola"]  # one phrase, two boxes
    assert boxes[0].box == pytest.approx((0.1005, 0.2005, 0.2995, 0.3995))
    assert boxes[1].box == pytest.approx((0.5005, 0.5005, 0.5995, 0.6995))
    assert boxes[0].score == pytest.approx(0.5)
    assert match_prompt("a can of Fanta", ["cola", "fanta"]) == 1
    assert match_prompt("Cola.", ["cola", "fanta"]) == 0
    assert match_prompt("sprite", ["cola", "fanta"]) == -1


def test_labels_the_model_names_map_to_classes_by_name_or_alias(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    cola, fanta = scene.class_ids
    assert client.patch(f"/api/v1/od/classes/{fanta}", json={"aliases": ["orange soda"]}).status_code == 200
    install_tiny_model(ctx.settings, "florence-2-base")
    body = annotate_body(
        scene,
        model="florence-2-base",
        prompts=[],
        images={"scope": "selected", "image_ids": [scene.image_ids[0]]},
    )
    with naming_detector("florence-2", ["COLA", "orange soda", "sprite"]):
        job = annotate(client, ctx, body)
        assert {r["class_id"] for r in rows(ctx)} == {cola, fanta}
        assert job.result is not None and job.result["unknown_dropped"] == 1

        annotate(client, ctx, {**body, "unknown_labels": cola})
    by_class = sorted(r["class_id"] for r in rows(ctx))
    assert by_class == sorted([cola, cola, fanta])  # "sprite" went to the chosen class

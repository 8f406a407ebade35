"""POST /api/v1/od/ai/segment: a click becomes a mask (COCO RLE), its outline and its box; later
clicks on the image skip the encoder; bad requests name their field, store nothing and never reach
the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pycocotools import mask as coco_mask
from sqlalchemy import func, select

from shelfscope.auth.models import User
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.errors import Conflict
from shelfscope.jobs.models import Job
from shelfscope.ml.segmenters import masks
from shelfscope.ml.segmenters.base import PointPrompt
from shelfscope.ml.segmenters.loader import load_segmenter
from shelfscope.od.ai.segment import service
from shelfscope.od.ai.segment.schemas import PointIn, SegmentJob
from shelfscope.od.annotations.models import Annotation
from tests.segment.conftest import HEIGHT, WIDTH, EncoderRuns, Shelf, photo
from tests.support.thread_runner import ThreadRunner
from tests.support.tiny_sam import SAM_KEY

URL = "/api/v1/od/ai/segment"


def body(shelf: Shelf, **changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "dataset_id": shelf.dataset_id,
        "image_id": shelf.image_id,
        "model": SAM_KEY,
        "points": [{"x": 100, "y": 120, "positive": True}],
        "box": None,
    }
    return {**request, **changes}


def decoded(answer: dict[str, Any]) -> np.ndarray:
    height, width = answer["mask"]["size"]
    compressed = coco_mask.frPyObjects(answer["mask"], height, width)
    return coco_mask.decode(compressed).astype(bool)


def stored_rows(ctx: AppContext) -> tuple[int, int]:
    with ctx.db.read() as session:
        annotations = session.scalar(select(func.count()).select_from(Annotation))
        jobs = session.scalar(select(func.count()).select_from(Job))
    return int(annotations or 0), int(jobs or 0)


def test_a_click_answers_the_mask_its_outline_and_its_tight_box(
    client: TestClient, shelf: Shelf, encoder_runs: EncoderRuns, settings: Settings, ctx: AppContext
) -> None:
    response = client.post(URL, json=body(shelf))

    assert response.status_code == 200, response.text
    with ctx.db.read() as session:
        job = session.scalars(select(Job)).one()
    assert (job.kind, job.queue, job.status) == ("od.ai.segment.run", "interactive", "succeeded")
    answer = response.json()
    mask = decoded(answer)
    assert answer["mask"]["size"] == [HEIGHT, WIDTH]
    assert mask.any()
    x1, y1, x2, y2 = answer["box"]
    assert (x1, y1, x2, y2) == masks.tight_box(mask)
    assert len(answer["polygon"]) >= 4
    assert all(x1 <= x <= x2 and y1 <= y <= y2 for x, y in answer["polygon"])
    assert 0 <= answer["score"] <= 1
    # The very mask the segmenter makes of this photo (decoded from the stored JPEG, upright).
    segmenter = load_segmenter(settings, SAM_KEY)
    from io import BytesIO

    from PIL import Image as PILImage

    direct = segmenter.segment(
        segmenter.embed(PILImage.open(BytesIO(photo())).convert("RGB")), [PointPrompt(100, 120)], None
    )
    assert (direct.mask != mask).sum() < 0.01 * mask.size  # the stored JPEG is re-encoded once


def test_a_click_that_asks_for_no_outline_gets_the_same_mask_and_box_without_one(
    client: TestClient, shelf: Shelf, encoder_runs: EncoderRuns
) -> None:
    """What the editor asks in a box dataset, where Enter keeps the box: the outline is skipped."""
    full = client.post(URL, json=body(shelf)).json()

    response = client.post(URL, json={**body(shelf), "polygon": False})

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["polygon"] == [] and len(full["polygon"]) >= 4
    assert (answer["mask"], answer["box"], answer["score"]) == (full["mask"], full["box"], full["score"])


def test_later_clicks_on_the_image_run_only_the_decoder(
    client: TestClient, shelf: Shelf, encoder_runs: EncoderRuns
) -> None:
    clicks = [
        [{"x": 100, "y": 120}],
        [{"x": 100, "y": 120}, {"x": 230, "y": 130, "positive": False}],
        [{"x": 120, "y": 60}],
    ]
    answers = [client.post(URL, json=body(shelf, points=points)) for points in clicks]
    boxed = client.post(URL, json=body(shelf, points=[], box=[50, 40, 150, 210]))

    assert [a.status_code for a in [*answers, boxed]] == [200, 200, 200, 200]
    assert encoder_runs.count == 1
    assert len({str(a.json()["mask"]["counts"]) for a in answers}) == 3  # each prompt its own mask
    client.post(URL, json=body(shelf, image_id=shelf.second_id))
    assert encoder_runs.count == 2


def test_an_exif_rotated_photo_gets_a_mask_of_its_upright_size(
    client: TestClient, shelf: Shelf, tiny_sam: str
) -> None:
    response = client.post(URL, json=body(shelf, image_id=shelf.rotated_id, points=[{"x": 200, "y": 300}]))

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["mask"]["size"] == [WIDTH, HEIGHT]  # stored 320 x 240, upright 240 wide
    mask = decoded(answer)
    assert mask.shape == (WIDTH, HEIGHT)
    assert tuple(answer["box"]) == masks.tight_box(mask)


def bad_requests(shelf: Shelf) -> list[tuple[str, dict[str, Any], int, dict[str, Any]]]:
    """(case, request, status, facts the error body must hold)."""
    return [
        ("unknown model", body(shelf, model="sam9"), 422, {"field": "model"}),
        ("a detector", body(shelf, model="owlv2-base"), 422, {"field": "model"}),
        ("no weights", body(shelf, model="sam2.1-hiera-large"), 409, {"model": "sam2.1-hiera-large"}),
        ("no prompt", body(shelf, points=[], box=None), 422, {"field": "points"}),
        (
            "a point off the image",
            body(shelf, points=[{"x": 10, "y": 10}, {"x": WIDTH + 1, "y": 10}]),
            422,
            {"field": "points[1]"},
        ),
        ("a negative point", body(shelf, points=[{"x": -0.5, "y": 10}]), 422, {"field": "points[0]"}),
        ("a box off the image", body(shelf, box=[0, 0, WIDTH, HEIGHT + 5]), 422, {"field": "box"}),
        ("a box turned over", body(shelf, box=[90, 10, 20, 50]), 422, {"field": "box"}),
        ("too many points", body(shelf, points=[{"x": 1, "y": 1}] * 65), 422, {"field": "points"}),
        ("a missing coordinate", body(shelf, points=[{"x": 1}]), 422, {"field": "points[0].y"}),
        ("an outline flag not true or false", body(shelf, polygon="maybe"), 422, {"field": "polygon"}),
        ("another dataset's image", body(shelf, image_id=shelf.other_image_id), 404, {"image_id": 0}),
        ("no such dataset", body(shelf, dataset_id=999_999), 404, {"dataset_id": 999_999}),
    ]


CASES = [case for case, *_ in bad_requests(Shelf(1, 1, 1, 1, 1, 1))]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_request_names_what_is_wrong_and_stores_nothing(
    client: TestClient, shelf: Shelf, ctx: AppContext, encoder_runs: EncoderRuns, case: str
) -> None:
    _, request, status, facts = next(c for c in bad_requests(shelf) if c[0] == case)
    before = stored_rows(ctx)

    response = client.post(URL, json=request)

    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) >= {"error", "detail"}
    if "field" in facts:
        assert facts["field"] in [f["field"] for f in error["fields"]]
    if "image_id" in facts:
        assert error["image_id"] == shelf.other_image_id
    for name, value in facts.items():
        if name not in ("field", "image_id"):
            assert error[name] == value
    assert stored_rows(ctx) == before
    assert encoder_runs.count == 0


def test_missing_weights_name_the_model_its_folder_and_both_ways_to_get_them(
    client: TestClient, shelf: Shelf, ctx: AppContext
) -> None:
    before = stored_rows(ctx)

    response = client.post(URL, json=body(shelf, model="sam2.1-hiera-large"))

    assert response.status_code == 409, response.text
    error = response.json()
    folder = ctx.settings.resolved_models_dir / "sam2.1-hiera-large"
    assert (error["error"], error["model"]) == ("Conflict", "sam2.1-hiera-large")
    assert error["folder"] == str(folder)
    assert "'sam2.1-hiera-large'" in error["detail"]
    assert "shelfscope models fetch sam2.1-hiera-large" in error["detail"]
    assert "shelfscope models import sam2.1-hiera-large" in error["detail"]
    assert stored_rows(ctx) == before


def test_an_error_raised_in_the_worker_comes_back_with_its_status_and_facts(
    ctx: AppContext, shelf: Shelf, tiny_sam: str, make_user: Callable[..., User]
) -> None:
    """Weights deleted after the server's check: the worker's 409 reaches the caller unchanged."""
    job = SegmentJob(
        model="sam2.1-hiera-small",
        image_id=shelf.image_id,
        storage_key="unused",
        content_hash="unused",
        width=WIDTH,
        height=HEIGHT,
        points=[PointIn(x=10, y=10)],
        box=None,
    )
    ctx.runner = ThreadRunner(ctx)

    with pytest.raises(Conflict) as caught:
        service.run_job(ctx, job, user_id=make_user("annie", "annotator").id)

    assert caught.value.status_code == 409
    assert caught.value.extra["model"] == "sam2.1-hiera-small"
    assert caught.value.extra["folder"] == str(ctx.settings.resolved_models_dir / "sam2.1-hiera-small")


def test_a_viewer_may_not_segment(viewer_client: TestClient, shelf: Shelf, ctx: AppContext) -> None:
    before = stored_rows(ctx)

    response = viewer_client.post(URL, json=body(shelf))

    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"
    assert stored_rows(ctx) == before


def test_an_annotator_may_segment(annotator_client: TestClient, shelf: Shelf, tiny_sam: str) -> None:
    assert annotator_client.post(URL, json=body(shelf)).status_code == 200

"""The client's models and AI against a real server: auto-annotation runs followed to their end with the
proposals stored, training runs (followed, cancelled, refused), and the registry (a model run on local
images, its ONNX downloaded). Models are tiny random-weight ones written where an offline user puts
weights, so the server's real loading code runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfscope.client import Client, Conflict, Job, NotFound, ValidationFailed
from tests.client.conftest import LiveServer
from tests.client.ml_support import (
    ANNOTATE_KIND,
    GD,
    TINY_TRAINING,
    boxes,
    install_detector,
    job_count,
    make_scene,
    make_version,
    photo,
    register_detector,
)

# ---- auto-annotation --------------------------------------------------------------------------------


def test_annotate_follows_the_run_and_stores_ai_proposals_counted_per_class(
    live_server: LiveServer, api: Client
) -> None:
    install_detector(live_server)
    scene = make_scene(live_server, images=3)
    cola, fanta = scene.classes
    seen: list[Job] = []

    run = api.ai.annotate(
        scene.dataset_name,
        model=GD,
        prompts={"cola": cola, "fanta": fanta},
        threshold=0.3,
        max_boxes=5,
        on_progress=seen.append,
    )

    assert run.status == "succeeded" and run.job.ok
    assert run.images_done == run.images_total == 3
    assert seen and seen[-1].status == "succeeded" and seen[-1].id == run.job_id
    stored = boxes(live_server, scene.dataset_id, scene.image_ids)
    assert stored, "the tiny model proposes boxes above 0.3 on these images"
    assert {b["source"] for b in stored} == {"ai"} and {b["review_state"] for b in stored} == {"pending"}
    assert {b["model"] for b in stored} == {GD}
    assert all(0.3 <= b["confidence"] <= 1.0 for b in stored)
    assert {b["class_id"] for b in stored} <= set(scene.classes.values())
    assert run.boxes == len(stored)
    by_id = {v: k for k, v in scene.classes.items()}
    counted: dict[str, int] = {}
    for b in stored:
        counted[by_id[b["class_id"]]] = counted.get(by_id[b["class_id"]], 0) + 1
    assert run.by_class == counted
    assert api.ai.status(run.job_id) == run


def test_annotate_without_waiting_then_status_and_one_image_detect(
    live_server: LiveServer, api: Client
) -> None:
    install_detector(live_server)
    scene = make_scene(live_server, images=2)
    names = list(scene.classes)  # texts that are the classes' own names

    started = api.ai.annotate(
        scene.dataset_id, model=GD, prompts=names, images=scene.image_ids[:1], wait=False
    )
    assert started.status in ("queued", "running", "succeeded") and started.images_total == 1
    done = api.ai.wait(started.job_id)
    assert done.status == "succeeded" and done.images_done == 1

    found = api.ai.detect(scene.dataset_name, scene.image_ids[1], model=GD, prompts=names, threshold=0.2)
    assert found.annotations and found.revision == found.previous_revision + 1
    assert all(a.source == "ai" and a.model == GD and (a.confidence or 0) >= 0.2 for a in found.annotations)
    assert {a.id for a in found.annotations} == {
        b["id"] for b in boxes(live_server, scene.dataset_id, [scene.image_ids[1]])
    }

    catalogue = {w.key: w for w in api.ai.weights()}
    assert catalogue[GD].present and catalogue[GD].size > 0 and catalogue[GD].task == "detector"


def test_bad_annotate_input_is_refused_naming_the_field_and_starts_nothing(
    live_server: LiveServer, api: Client
) -> None:
    install_detector(live_server)
    scene = make_scene(live_server, images=1)
    cola = next(iter(scene.classes))
    jobs_before = job_count(api, ANNOTATE_KIND)

    cases: list[tuple[dict[str, object], str]] = [
        ({"model": "no-such-model", "prompts": [cola]}, "model"),
        ({"model": GD, "prompts": ["  "]}, "prompts[0].text"),
        ({"model": GD, "prompts": [cola], "threshold": 1.5}, "threshold"),
        ({"model": GD, "prompts": [cola], "threshold": -0.1}, "threshold"),
        ({"model": GD, "prompts": {"cola": "No-such-class-xyz"}}, "prompts[0].class"),
        ({"model": GD, "prompts": [cola], "images": [987654321]}, "images.image_ids"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            api.ai.annotate(scene.dataset_id, **kwargs)  # type: ignore[arg-type]
        assert field in [f["field"] for f in caught.value.fields], (kwargs, caught.value.body)
        assert caught.value.status == 422 and caught.value.detail
    with pytest.raises(NotFound) as missing:
        api.ai.annotate("no-such-dataset-xyz", model=GD, prompts=[cola])
    assert missing.value.body["field"] == "dataset"

    assert job_count(api, ANNOTATE_KIND) == jobs_before
    assert boxes(live_server, scene.dataset_id, scene.image_ids) == []


# ---- training ---------------------------------------------------------------------------------------------


def test_a_training_run_is_followed_to_the_end_and_registers_its_model(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    name, number = make_version(live_server, api, tmp_path / "set")
    seen: list[Job] = []

    run = api.training.start(
        name,
        version=number,
        arch="rtdetrv2-r18",
        epochs=2,
        image_size=64,
        batch_size=4,
        wait=True,
        on_progress=seen.append,
        **TINY_TRAINING,
    )

    assert run.status == "succeeded" and run.current_epoch == run.total_epochs == 2
    assert run.dataset_name == name and run.version_number == number and run.model_id is not None
    assert seen and seen[-1].ok and seen[-1].id == run.job_id
    assert any(0.0 < j.progress < 1.0 for j in seen), [j.progress for j in seen]
    metrics = api.training.metrics(run.id)
    assert [e.epoch for e in metrics.epochs] == [1, 2] and all(e.train_loss for e in metrics.epochs)
    assert run.id in [r.id for r in api.training.list(status="succeeded", dataset=name)]
    model = api.models.get(run.model_id)
    assert model.training_run_id == run.id and model.key == f"trained:{model.id}"
    assert [c.name for c in model.classes] == ["circle", "square", "triangle"]
    assert api.training.get(run.id) == run

    with pytest.raises(Conflict):
        api.training.cancel(run.id)  # it has ended: nothing to cancel, and it is not deleted
    assert api.training.get(run.id).status == "succeeded"


def test_a_run_can_be_cancelled_and_bad_runs_are_refused_naming_the_field(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    name, number = make_version(live_server, api, tmp_path / "set")
    runs_before = sum(1 for _ in api.training.list())

    for kwargs, field in (
        ({"arch": "no-such-arch", "epochs": 1}, "architecture"),
        ({"arch": "rtdetrv2-r18", "epochs": 0}, "config.epochs"),
        ({"arch": "rtdetrv2-r18", "epochs": 1, "image_size": 8}, "config.image_size"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            api.training.start(name, version=number, **kwargs)  # type: ignore[arg-type]
        assert field in [f["field"] for f in caught.value.fields], caught.value.body
    with pytest.raises(NotFound):
        api.training.start(name, version=number + 5, arch="rtdetrv2-r18", epochs=1)
    assert sum(1 for _ in api.training.list()) == runs_before

    run = api.training.start(
        name, version=number, arch="rtdetrv2-r18", epochs=200, image_size=64, **TINY_TRAINING
    )
    assert run.status == "queued" and run.total_epochs == 200
    api.training.cancel(run.id)
    ended = api.training.wait(run.id, raise_on_failure=False)
    assert ended.status == "cancelled" and ended.model_id is None


# ---- registry ------------------------------------------------------------------------------------------


def test_a_registered_model_predicts_on_local_images_and_downloads_as_onnx(
    live_server: LiveServer, api: Client, tmp_path: Path, shared_data: Path
) -> None:
    raccoon = sorted((shared_data / "detection" / "raccoon" / "images").glob("raccoon-1*.jpg"))[:1]
    scene = make_scene(live_server, photos=raccoon)
    (cola, cola_id), (fanta, fanta_id) = scene.classes.items()
    model_id = register_detector(live_server, [(fanta_id, fanta), (cola_id, cola)], scene.dataset_id)
    assert model_id in [m.id for m in api.models.list(active=True)]
    images = [photo(tmp_path, 40, (200, 120)), photo(tmp_path, 160, (90, 150))]

    predictions = api.models.predict(model_id, images)

    assert [p.path for p in predictions] == [str(p) for p in images]
    assert [(p.width, p.height) for p in predictions] == [(200, 120), (90, 150)]
    for p in predictions:
        assert p.boxes, "the tiny model scores every query about 0.5"
        for b in p.boxes:
            assert (b.class_id, b.label) == [(fanta_id, fanta), (cola_id, cola)][b.class_index]
            assert 0 <= b.x1 <= b.x2 <= p.width and 0 <= b.y1 <= b.y2 <= p.height
    cut = sorted(b.score for b in predictions[0].boxes)[len(predictions[0].boxes) // 2]
    (fewer,) = api.models.predict(model_id, images[0], threshold=cut)
    assert sorted(b.score for b in fewer.boxes) == sorted(
        b.score for b in predictions[0].boxes if b.score >= cut
    )
    with pytest.raises(ValidationFailed) as caught:
        api.models.predict(model_id, images[0], threshold=1.5)
    assert caught.value.body.get("field") == "threshold" or "threshold" in [
        f["field"] for f in caught.value.fields
    ]

    path = api.models.download_onnx(model_id, tmp_path)
    model = api.models.get(model_id)
    assert model.onnx is not None and model.onnx.status == "ready"
    assert path.parent == tmp_path and path.suffix == ".onnx" and path.stat().st_size == model.onnx.size
    exports = job_count(api, "od.models.export.run")
    again = api.models.download_onnx(model_id, tmp_path / "again.onnx")
    assert again.read_bytes() == path.read_bytes()
    assert job_count(api, "od.models.export.run") == exports  # a ready export is not made again
    assert not list(tmp_path.glob("*.part"))

    with pytest.raises(NotFound):
        api.models.get(987654321)
    with pytest.raises(FileNotFoundError):
        api.models.predict(model_id, tmp_path / "missing.jpg")

"""RF-DETR nano through the Trainer interface on a few real photos: events, cancel keeping the best
checkpoint, resume with the remaining epochs, the predictor and ONNX parity. From scratch, 64 px, one
optimiser step per epoch: the tests check the plumbing; bench/train_learns.py checks that it learns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.ml.runtime import load_torchvision
from shelfscope.ml.trainers import families
from shelfscope.ml.trainers.base import (
    MANIFEST_NAME,
    ModelManifest,
    Resume,
    TrainConfig,
    TrainData,
    Trainer,
    TrainingCancelled,
    TrainOutcome,
)
from shelfscope.ml.trainers.catalogue import get_architecture
from tests.trainers.support import CLASSES, RecordingEvents, coco_dataset, tiny_config

load_torchvision()  # before rfdetr, which imports torchvision
pytest.importorskip("rfdetr")

# Small decoder (one query group, 30 queries) so a CPU step takes seconds; the backbone is the real nano's.
OVERRIDES = {"group_detr": 1, "num_queries": 30, "num_select": 30, "dec_layers": 1}


@pytest.fixture(scope="module")
def one_batch_epochs() -> Iterator[None]:
    """The library pads tiny sets to 5 batches an epoch (`_MIN_TRAIN_BATCHES`); one is enough here."""
    from rfdetr.training import module_data

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module_data, "_MIN_TRAIN_BATCHES", 1)
        yield


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rfdetr")


@pytest.fixture(scope="module")
def data(shared_data: Path, workspace: Path) -> TrainData:
    return coco_dataset(shared_data, workspace / "data")


@pytest.fixture(scope="module")
def trainer(workspace: Path) -> Trainer:
    return families.make_trainer(
        get_architecture("rfdetr-nano"), Settings(data_dir=workspace / "dd", ml_offline=True)
    )


def _config(epochs: int) -> TrainConfig:
    return tiny_config(epochs=epochs, image_size=64, model_overrides=OVERRIDES)


@pytest.fixture(scope="module")
def cancelled_run(
    one_batch_epochs: None, trainer: Trainer, data: TrainData, workspace: Path
) -> RecordingEvents:
    """Two epochs asked for, cancelled at the first step of the second."""
    events = RecordingEvents(workspace / "kept", cancel_after_steps=2)
    with pytest.raises(TrainingCancelled):
        trainer.train(data, _config(2), events, workspace / "work", None)
    return events


@pytest.fixture(scope="module")
def resumed_run(
    cancelled_run: RecordingEvents, trainer: Trainer, data: TrainData, workspace: Path
) -> tuple[RecordingEvents, TrainOutcome]:
    last = next(path for path, _, best in cancelled_run.checkpoints if not best)
    events = RecordingEvents(workspace / "kept-resumed")
    # A fresh work folder, as on another worker: only the stored last checkpoint carries over.
    outcome = trainer.train(data, _config(2), events, workspace / "work-2", Resume(last, next_epoch=2))
    return events, outcome


def test_cancel_stops_at_the_next_step_and_keeps_the_best(cancelled_run: RecordingEvents) -> None:
    assert [(s[0], s[1]) for s in cancelled_run.steps] == [(1, 1), (2, 1)]
    assert all(np.isfinite(s[3]) and s[3] > 0 and s[4] > 0 for s in cancelled_run.steps)
    [record] = cancelled_run.epochs
    assert record.epoch == 1 and np.isfinite(record.train_loss) and record.val_loss is not None
    assert 0.0 <= record.map50_95 <= record.map50 <= 1.0
    kinds = {(path.name, epoch, best) for path, epoch, best in cancelled_run.checkpoints}
    assert kinds == {("last.ckpt", 1, False), ("shelfscope_best.pth", 1, True)}
    assert all(path.stat().st_size > 1_000_000 for path, _, _ in cancelled_run.checkpoints)


def test_resume_runs_only_the_remaining_epochs(resumed_run: tuple[RecordingEvents, TrainOutcome]) -> None:
    events, outcome = resumed_run
    assert {s[0] for s in events.steps} == {2}
    assert [r.epoch for r in events.epochs] == [2]
    assert outcome.epochs_run == 2 and not outcome.stopped_early and outcome.best_epoch == 2
    manifest = ModelManifest.read(outcome.model_folder)
    assert manifest.architecture == "rfdetr-nano" and manifest.classes == list(CLASSES)
    assert manifest.input_size == 64 and (outcome.model_folder / manifest.weights).is_file()
    assert (outcome.model_folder / MANIFEST_NAME).is_file()


def test_predictor_and_onnx_give_the_same_boxes(
    resumed_run: tuple[RecordingEvents, TrainOutcome],
    data: TrainData,
    workspace: Path,
) -> None:
    _, outcome = resumed_run
    image = Image.open(next((data.root / "test").glob("*.png"))).convert("RGB")
    torch_found = families.load_predictor(outcome.model_folder, "cpu").predict([image], [], 0.0)[0]
    # The top query x class pairs, less those on the head's extra (no-object) slot.
    assert 0 < len(torch_found) <= OVERRIDES["num_select"]
    assert set(torch_found.labels) <= set(CLASSES)
    assert (torch_found.boxes[:, [0, 2]] <= image.width).all() and (
        torch_found.boxes[:, [1, 3]] <= image.height
    ).all()

    onnx_file = workspace / "model.onnx"
    families.export_onnx(outcome.model_folder, onnx_file)
    onnx_found = families.load_onnx_predictor(outcome.model_folder, onnx_file).predict([image], [], 0.0)[0]
    assert len(onnx_found) == len(torch_found)
    np.testing.assert_allclose(np.sort(onnx_found.scores), np.sort(torch_found.scores), atol=1e-4)
    # Each best box is found again (order among near-equal scores of a barely trained model may swap).
    onnx_labels = np.array(onnx_found.labels)
    for box, label in zip(torch_found.boxes[:5], torch_found.labels[:5], strict=True):
        gaps = np.abs(onnx_found.boxes[onnx_labels == label] - box).max(axis=1)
        assert gaps.min() < 0.5


def test_unknown_architecture_names_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        get_architecture("rfdetr-huge")
    assert caught.value.extra["fields"][0]["field"] == "architecture"


def test_pretrained_offline_without_weights_is_a_clear_error(tmp_path: Path) -> None:
    from shelfscope.ml.trainers.rfdetr import PretrainedWeightsMissing, resolve_pretrained

    settings = Settings(data_dir=tmp_path, ml_offline=True)
    with pytest.raises(PretrainedWeightsMissing) as caught:
        resolve_pretrained(get_architecture("rfdetr-nano"), settings)
    folder = tmp_path / "models" / "rfdetr-nano-coco"
    assert str(folder) in str(caught.value) and "rf-detr-nano.pth" in str(caught.value)
    assert not folder.exists()


def test_pretrained_weights_in_the_data_folder_are_used(tmp_path: Path) -> None:
    from shelfscope.ml.trainers.rfdetr import resolve_pretrained

    settings = Settings(data_dir=tmp_path, ml_offline=True)
    folder = tmp_path / "models" / "rfdetr-nano-coco"
    folder.mkdir(parents=True)
    (folder / "rf-detr-nano.pth").write_bytes(b"weights")
    assert resolve_pretrained(get_architecture("rfdetr-nano"), settings) == folder / "rf-detr-nano.pth"

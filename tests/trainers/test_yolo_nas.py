"""YOLO-NAS S through its own environment (installed once by `make yolo-nas-env`, found through
SHELFSCOPE_YOLO_NAS_ENV or .cache/yolo-nas-env): one epoch on a few real photos over the JSON-lines
protocol, the ONNX predictor in this environment, and the refusals when the env is missing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shelfscope.config import Settings
from shelfscope.ml.trainers import families, yolo_nas
from shelfscope.ml.trainers.base import MANIFEST_NAME, ModelManifest, TrainingCancelled
from shelfscope.ml.trainers.catalogue import get_architecture
from tests.trainers.support import CLASSES, RecordingEvents, tiny_config, yolo_dataset

REPO = Path(__file__).resolve().parents[2]
TEST_ENV = Path(os.environ.get(yolo_nas.ENV_VARIABLE) or REPO / ".cache" / "yolo-nas-env")


@pytest.fixture(scope="module")
def env() -> Path:
    if not yolo_nas.is_installed(TEST_ENV):
        if os.environ.get("SHELFSCOPE_SKIP_YOLO_NAS") == "1":
            pytest.skip("SHELFSCOPE_SKIP_YOLO_NAS=1")
        pytest.fail(f"the YOLO-NAS test environment is not installed at {TEST_ENV}: run `make yolo-nas-env`")
    return TEST_ENV


@pytest.fixture(scope="module")
def trained(env: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("yolo-nas")
    data = yolo_dataset(shared_data, root / "data")
    events = RecordingEvents(root / "kept")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(yolo_nas.ENV_VARIABLE, str(env))
        trainer = families.make_trainer(get_architecture("yolo-nas-s"), Settings(data_dir=root / "dd"))
        outcome = trainer.train(data, tiny_config(epochs=1, image_size=64), events, root / "work", None)
    return data, events, outcome


def test_one_epoch_reports_over_the_protocol(trained) -> None:  # type: ignore[no-untyped-def]
    _, events, outcome = trained
    assert [(s[0], s[1], s[2]) for s in events.steps] == [(1, 1, 1)]
    assert all(np.isfinite(s[3]) and s[3] > 0 for s in events.steps)
    [record] = events.epochs
    assert record.epoch == 1 and record.val_loss is not None and np.isfinite(record.train_loss)
    assert 0.0 <= record.map50_95 <= record.map50 <= 1.0
    assert {(path.name, epoch, best) for path, epoch, best in events.checkpoints} == {
        ("last.pt", 1, False),
        ("best.pt", 1, True),
    }
    assert (outcome.best_epoch, outcome.epochs_run, outcome.stopped_early) == (1, 1, False)
    manifest = ModelManifest.read(outcome.model_folder)
    assert (manifest.family, manifest.architecture, manifest.classes) == (
        "yolo-nas",
        "yolo-nas-s",
        list(CLASSES),
    )
    assert (outcome.model_folder / "model.onnx").is_file() and (
        outcome.model_folder / MANIFEST_NAME
    ).is_file()


def test_the_onnx_predictor_runs_here(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, _, outcome = trained
    image = Image.open(next((data.root / "images" / "test").iterdir())).convert("RGB")
    found = families.load_predictor(outcome.model_folder, "cpu").predict([image], [], 0.0)[0]
    assert 0 < len(found) <= 300 and set(found.labels) <= set(CLASSES)
    assert (found.boxes[:, [0, 2]] <= image.width).all() and (found.boxes[:, [1, 3]] <= image.height).all()
    assert (np.diff(found.scores) <= 0).all()
    exported = tmp_path / "exported.onnx"
    families.export_onnx(outcome.model_folder, exported)
    again = families.load_onnx_predictor(outcome.model_folder, exported).predict([image], [], 0.0)[0]
    np.testing.assert_array_equal(again.boxes, found.boxes)


def test_cancel_stops_the_child_after_its_step(env: Path, shared_data: Path, tmp_path: Path) -> None:
    data = yolo_dataset(shared_data, tmp_path / "data")
    events = RecordingEvents(tmp_path / "kept", cancel_after_steps=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(yolo_nas.ENV_VARIABLE, str(env))
        trainer = families.make_trainer(get_architecture("yolo-nas-s"), Settings(data_dir=tmp_path / "dd"))
        with pytest.raises(TrainingCancelled):
            trainer.train(data, tiny_config(epochs=5, image_size=64), events, tmp_path / "work", None)
    assert len(events.steps) <= 2 and len(events.epochs) <= 1
    assert not (tmp_path / "work" / "model" / "model.onnx").exists()


def test_missing_env_is_a_clear_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path
) -> None:
    monkeypatch.delenv(yolo_nas.ENV_VARIABLE, raising=False)
    settings = Settings(data_dir=tmp_path / "dd")
    trainer = families.make_trainer(get_architecture("yolo-nas-s"), settings)
    data = yolo_dataset(shared_data, tmp_path / "data")
    with pytest.raises(yolo_nas.TrainerEnvMissing) as caught:
        trainer.train(data, tiny_config(), RecordingEvents(tmp_path / "kept"), tmp_path / "work", None)
    assert "shelfscope trainers install yolo-nas" in caught.value.detail
    assert caught.value.status_code == 409 and not (tmp_path / "work").exists()
    assert not (tmp_path / "dd" / "envs").exists()


def test_an_env_without_its_marker_is_not_installed(tmp_path: Path) -> None:
    folder = tmp_path / "env"
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python").write_text("")
    assert not yolo_nas.is_installed(folder)
    (folder / yolo_nas.MARKER).write_text("stale-hash\n")
    assert not yolo_nas.is_installed(folder)
    (folder / yolo_nas.MARKER).write_text(yolo_nas.requirements_hash() + "\n")
    assert yolo_nas.is_installed(folder)


def test_pretrained_needs_user_weights(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(yolo_nas.TrainerEnvMissing, match="non-commercial"):
        yolo_nas.user_weights(get_architecture("yolo-nas-s"), settings)

"""`shelfscope models list | fetch KEY | import KEY FOLDER`: the same code as the API, from a shell."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shelfscope.cli import app as cli
from shelfscope.config import Settings
from shelfscope.ml.catalogue import get_spec
from shelfscope.ml.weights import is_present, model_dir
from tests.support.hub import FakeHub, HubRepo
from tests.weights.conftest import FETCHED, KEY, folder_files, leftovers, write_model


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {
        "SHELFSCOPE_DATA_DIR": str(settings.data_dir),
        "SHELFSCOPE_ML_HUB_ENDPOINT": settings.ml_hub_endpoint,
    }


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["models", *args], env=env)
    return result.exit_code, result.output


def test_list_names_each_model_with_its_task_status_size_and_licence(
    env: dict[str, str], settings: Settings
) -> None:
    write_model(model_dir(settings, "owlv2-base"), b"\0" * 3_000_000)
    code, output = _run(env, "list")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["KEY", "TASK", "STATUS", "SIZE", "LICENCE"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert rows["owlv2-base"] == ["detector", "present", "3.0", "MB", "Apache-2.0"]
    assert rows["florence-2-large"] == ["detector", "missing", "~3.08", "GB", "MIT"]
    assert rows["sam2.1-hiera-tiny"] == ["segmenter", "missing", "~156.0", "MB", "Apache-2.0"]
    assert lines[-1] == f"models folder: {settings.resolved_models_dir}"


def test_fetch_downloads_with_a_progress_line(env: dict[str, str], settings: Settings, repo: HubRepo) -> None:
    code, output = _run(env, "fetch", KEY)
    assert code == 0, output
    assert "Downloaded " in output and "(100%)" in output
    folder = model_dir(settings, KEY)
    assert output.splitlines()[-1].startswith(f"installed {KEY}: 5 files, 0.3 MB in {folder}")
    assert folder_files(folder) == {path: repo.files[path] for path in FETCHED}


def test_fetch_names_an_unknown_key_and_a_failed_download(
    env: dict[str, str], settings: Settings, repo: HubRepo
) -> None:
    code, output = _run(env, "fetch", "gpt-9")
    assert code == 2 and "No model with key 'gpt-9'" in output
    repo.failures["model.safetensors"] = "cut"
    code, output = _run(env, "fetch", KEY)
    assert code == 1 and "Nothing was installed" in output
    assert not model_dir(settings, KEY).exists() and leftovers(settings) == []


def test_fetch_offline_says_how_to_import_instead(
    env: dict[str, str], settings: Settings, hub: FakeHub
) -> None:
    code, output = _run({**env, "SHELFSCOPE_ML_OFFLINE": "true"}, "fetch", KEY)
    assert code == 1
    assert f"shelfscope models import {KEY} FOLDER" in output and str(model_dir(settings, KEY)) in output
    assert hub.requests == []


def test_import_copies_a_save_pretrained_folder_into_place(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "owl-export"
    write_model(source)
    (source / "tokenizer").mkdir()
    (source / "tokenizer" / "vocab.txt").write_text("[PAD]\n")
    code, output = _run(env, "import", "owlv2-base", str(source))
    assert code == 0, output
    target = model_dir(settings, "owlv2-base")
    assert folder_files(target) == folder_files(source) and is_present(source)
    assert output.strip() == f"imported owlv2-base: 3 files, 0.0 MB in {target}"
    assert leftovers(settings) == []


@pytest.mark.parametrize(
    ("make", "missing"),
    [
        ("weights only", "it lacks config.json."),
        ("config only", "it lacks a weights file (*.safetensors or *.bin)."),
        ("empty", "it lacks config.json and a weights file (*.safetensors or *.bin)."),
    ],
)
def test_import_refuses_a_folder_that_is_not_a_model_and_copies_nothing(
    make: str, missing: str, env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "half-copied"
    source.mkdir()
    if make == "weights only":
        (source / "model.safetensors").write_bytes(b"\0" * 10)
    elif make == "config only":
        (source / "config.json").write_text("{}")
    code, output = _run(env, "import", "owlv2-base", str(source))
    assert code == 2
    assert f"{source} is not a save_pretrained model folder: {missing}" in " ".join(output.split())
    assert not model_dir(settings, "owlv2-base").exists() and leftovers(settings) == []


def test_import_names_a_missing_folder_and_an_unknown_key(env: dict[str, str], tmp_path: Path) -> None:
    code, output = _run(env, "import", "owlv2-base", str(tmp_path / "nowhere"))
    assert code == 2 and output.strip() == f"folder: {tmp_path / 'nowhere'} is not a folder"
    write_model(tmp_path / "ok")
    code, output = _run(env, "import", "gpt-9", str(tmp_path / "ok"))
    assert code == 2 and "key: no model with key 'gpt-9'" in output


def test_import_over_an_installed_model_needs_replace(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    target = model_dir(settings, "owlv2-base")
    write_model(target, b"old")
    write_model(tmp_path / "new", b"new weights")
    code, output = _run(env, "import", "owlv2-base", str(tmp_path / "new"))
    assert code == 1 and "--replace" in output
    assert (target / "model.safetensors").read_bytes() == b"old"
    code, output = _run(env, "import", "owlv2-base", str(tmp_path / "new"), "--replace")
    assert code == 0, output
    assert (target / "model.safetensors").read_bytes() == b"new weights" and leftovers(settings) == []
    assert get_spec("owlv2-base").key in output

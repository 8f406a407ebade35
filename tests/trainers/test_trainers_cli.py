"""`shelfscope trainers list | install FAMILY`: the same checks as the API, from a shell. The install
itself (minutes) runs in `make yolo-nas-env`; here an up-to-date env is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shelfscope.cli import app as cli
from shelfscope.ml.trainers import yolo_nas


@pytest.fixture(autouse=True)
def _env_in_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(yolo_nas.ENV_VARIABLE, raising=False)


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["trainers", *args], env={"SHELFSCOPE_DATA_DIR": str(tmp_path)})
    return result.exit_code, result.output


def test_list_says_what_is_missing(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "list")
    assert code == 0, output
    rows = {line.split()[0]: line for line in output.splitlines()}
    assert rows["rfdetr"].split()[1] == "installed"
    assert "missing" in rows["yolo-nas"] and str(tmp_path / "envs" / "yolo-nas") in rows["yolo-nas"]


def test_install_refuses_unknown_families_and_skips_main_env_ones(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "install", "yolo-v99")
    assert code == 2 and "Unknown trainer family 'yolo-v99'" in output
    code, output = _run(tmp_path, "install", "rfdetr")
    assert code == 0 and "nothing to install" in output
    assert not (tmp_path / "envs").exists()


def test_an_up_to_date_env_is_left_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "env"
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python").write_text("")
    (folder / yolo_nas.MARKER).write_text(yolo_nas.requirements_hash() + "\n")
    code, output = _run(tmp_path, "install", "yolo-nas", "--env-dir", str(folder))
    assert code == 0 and "up to date" in output
    assert sorted(p.name for p in folder.iterdir()) == [yolo_nas.MARKER, "bin"]

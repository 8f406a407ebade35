"""`shelfscope annotate` and `shelfscope train` against a real server: JSON results, the exit codes
scripts rely on (0 done, 2 bad usage, 4 refused by the server), and nothing stored for refused input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from shelfscope.cli import app
from shelfscope.client import Client
from tests.client.conftest import LiveServer, _shelfscope_command
from tests.client.ml_support import (
    ANNOTATE_KIND,
    GD,
    TINY_TRAINING,
    boxes,
    install_detector,
    job_count,
    make_scene,
    make_version,
)


def _env(live: LiveServer, tmp: Path) -> dict[str, str]:
    return {
        **live.env,
        "SHELFSCOPE_URL": live.url,
        "SHELFSCOPE_TOKEN": live.token,
        "XDG_CONFIG_HOME": str(tmp / "config"),
    }


def _cli(live: LiveServer, tmp: Path, *args: str) -> Any:
    """The command in this process (typer's runner): the same code as the installed script, faster."""
    return CliRunner().invoke(app, list(args), env=_env(live, tmp), catch_exceptions=False)


def _script(live: LiveServer, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `shelfscope` command in a subprocess."""
    return subprocess.run(
        [*_shelfscope_command(), *args],
        env=_env(live, tmp),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_annotate_waits_for_the_run_and_prints_it_as_json(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    install_detector(live_server)
    scene = make_scene(live_server, images=2)
    cola, fanta = scene.classes

    result = _cli(
        live_server, tmp_path, "annotate", scene.dataset_name, "--model", GD,
        "--prompt", f"cola={cola}", "--prompt", f"fanta={fanta}", "--threshold", "0.3", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["status"] == "succeeded" and run["images_done"] == run["images_total"] == 2
    stored = boxes(live_server, scene.dataset_id, scene.image_ids)
    assert stored and {b["source"] for b in stored} == {"ai"} and {b["model"] for b in stored} == {GD}
    assert sum(c["count"] for c in run["counts"]) == len(stored)
    assert {c["name"] for c in run["counts"]} <= {cola, fanta}

    text = _cli(
        live_server, tmp_path, "annotate", str(scene.dataset_id), "--model", GD, "-p", cola, "--no-wait"
    )
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("annotate job ")
    api.ai.wait(int(text.stdout.split()[2]))


def test_annotate_refusals_exit_4_naming_the_field_and_store_nothing(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    install_detector(live_server)
    scene = make_scene(live_server, images=1)
    cola = next(iter(scene.classes))
    jobs_before = job_count(api, ANNOTATE_KIND)

    for args, field in (
        (["--model", "no-such-model", "--prompt", cola], "model"),
        (["--model", GD, "--prompt", f"={cola}"], "prompts[0].text"),
        (["--model", GD, "--prompt", cola, "--threshold", "1.5"], "threshold"),
        (["--model", GD, "--prompt", "cola=No-such-class-xyz"], "prompts[0].class"),
    ):
        done = _script(live_server, tmp_path, "annotate", scene.dataset_name, *args, "--json")
        assert done.returncode == 4, (args, done.stdout, done.stderr)
        error = json.loads(done.stderr)
        assert error["error"] == "ValidationFailed" and error["detail"]
        assert field in [f["field"] for f in error["fields"]], error
        assert done.stdout == ""
    plain = _cli(
        live_server, tmp_path, "annotate", scene.dataset_name, "--model", "no-such-model", "-p", cola
    )
    assert plain.exit_code == 4 and "model" in plain.stderr
    missing = _cli(live_server, tmp_path, "annotate", "no-such-dataset-xyz", "--model", GD, "-p", cola)
    assert missing.exit_code == 4 and "NotFound" in missing.stderr
    usage = _cli(live_server, tmp_path, "annotate", scene.dataset_name, "--model", GD, "--images", "a,b")
    assert usage.exit_code == 2

    assert job_count(api, ANNOTATE_KIND) == jobs_before
    assert boxes(live_server, scene.dataset_id, scene.image_ids) == []


def test_train_starts_a_run_and_refuses_bad_targets_with_their_exit_codes(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    name, number = make_version(live_server, api, tmp_path / "set")
    runs_before = sum(1 for _ in api.training.list())

    for args, code in (
        ([f"{name}:{number + 7}", "--arch", "rtdetrv2-r18", "--epochs", "1"], 4),
        ([f"{name}:{number}", "--arch", "no-such-arch", "--epochs", "1"], 4),
        ([f"{name}:{number}", "--arch", "rtdetrv2-r18", "--epochs", "0"], 4),
        ([name, "--arch", "rtdetrv2-r18", "--epochs", "1"], 2),
        ([f"{name}:{number}", "--arch", "rtdetrv2-r18", "--config", "[1, 2]"], 2),
    ):
        refused = _cli(live_server, tmp_path, "train", *args, "--json")
        assert refused.exit_code == code, (args, refused.output)
        assert json.loads(refused.stderr)["detail"]
    assert sum(1 for _ in api.training.list()) == runs_before

    started = _cli(
        live_server, tmp_path, "train", f"{name}:{number}", "--arch", "rtdetrv2-r18", "--epochs", "200",
        "--image-size", "64", "--config", json.dumps(TINY_TRAINING), "--json",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    run = json.loads(started.stdout)
    assert run["status"] == "queued" and run["total_epochs"] == 200 and run["dataset_name"] == name
    assert run["config"]["image_size"] == 64 and run["config"]["pretrained"] is False
    assert api.training.get(run["id"]).id == run["id"]
    api.training.cancel(run["id"])
    assert api.training.wait(run["id"], raise_on_failure=False).status == "cancelled"

    waited = _cli(
        live_server, tmp_path, "train", f"{name}:{number}", "--arch", "rtdetrv2-r18", "--epochs", "200",
        "--image-size", "64", "--config", json.dumps(TINY_TRAINING), "--wait", "--timeout", "1", "--json",
    )  # fmt: skip
    assert waited.exit_code == 5, waited.output
    timed_out = json.loads(waited.stderr)
    assert timed_out["error"] == "WaitTimedOut" and timed_out["job"]["status"] in ("queued", "running")
    run_id = timed_out["job"]["payload"]["run_id"]
    api.training.cancel(run_id)
    assert api.training.wait(run_id, raise_on_failure=False).status == "cancelled"

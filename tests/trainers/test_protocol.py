"""The JSON-lines protocol and its parent side (subprocess.py), with a small stdlib child that speaks it:
relayed events, checkpoint acknowledgement, cancel by SIGTERM, and failures with the child's stderr."""

from __future__ import annotations

import math
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shelfscope.ml.trainers.base import TrainingCancelled
from shelfscope.ml.trainers.protocol import CANCELLED_EXIT_CODE, decode, encode
from shelfscope.ml.trainers.subprocess import TrainerFailed, run_child
from tests.trainers.support import RecordingEvents

PROTOCOL = Path(__file__).resolve().parents[2] / "src" / "shelfscope" / "ml" / "trainers" / "protocol.py"

# A child that loads protocol.py by file path, as yolo_nas_child.py does.
CHILD_HEAD = f"""
import importlib.util, json, signal, sys, time
from pathlib import Path
spec = importlib.util.spec_from_file_location("protocol", {str(PROTOCOL)!r})
protocol = importlib.util.module_from_spec(spec); spec.loader.exec_module(protocol)
request = json.loads(Path(sys.argv[1]).read_text())
def send(message):
    print(protocol.encode(message), flush=True)
"""


def _child(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "child.py"
    script.write_text(CHILD_HEAD + textwrap.dedent(body), encoding="utf-8")
    return script


def test_encode_decode_round_trip() -> None:
    message = {"type": "step", "epoch": 1, "step": 2, "steps": 3, "loss": 0.5, "lr": 1e-4}
    line = encode(message)
    assert "\n" not in line and decode(line + "\n") == message


@pytest.mark.parametrize("line", ["plain log text", "{not json", '{"type": "nope"}', "[1, 2]", ""])
def test_decode_leaves_other_lines_as_log_text(line: str) -> None:
    assert decode(line) is None


def test_encode_refuses_unknown_types_and_nan() -> None:
    with pytest.raises(ValueError):
        encode({"type": "progress"})
    with pytest.raises(ValueError):
        encode({"type": "step", "loss": math.nan})


def test_events_are_relayed_and_checkpoints_acknowledged(tmp_path: Path) -> None:
    script = _child(
        tmp_path,
        """
        work = Path(request["work_dir"])
        send({"type": "step", "epoch": 1, "step": 1, "steps": 1, "loss": 2.5, "lr": 0.001})
        print("a plain line from the trainer", flush=True)
        send({"type": "epoch", "epoch": 1, "train_loss": 2.5, "val_loss": 2.0, "map50": 0.5,
              "map50_95": 0.25, "learning_rate": 0.001, "seconds": 1.5})
        (work / "last.pt").write_bytes(b"epoch 1")
        send({"type": "checkpoint", "path": str(work / "last.pt"), "epoch": 1, "best": False})
        assert sys.stdin.readline() == "ok\\n"
        # The parent copied it before answering: overwriting now must not change its copy.
        (work / "last.pt").write_bytes(b"overwritten")
        send({"type": "log", "message": "finishing", "level": "warning"})
        send({"type": "done", "model_folder": str(work / "model"), "best_epoch": 1, "epochs_run": 1,
              "stopped_early": False})
        """,
    )
    events = RecordingEvents(tmp_path / "kept")
    request = {"work_dir": str(tmp_path / "work")}
    done = run_child(Path(sys.executable), script, request, events, tmp_path / "work")
    assert done["best_epoch"] == 1 and done["epochs_run"] == 1
    assert events.steps == [(1, 1, 1, 2.5, 0.001)]
    [record] = events.epochs
    assert (record.epoch, record.map50, record.map50_95, record.val_loss) == (1, 0.5, 0.25, 2.0)
    [(kept, epoch, best)] = events.checkpoints
    assert (epoch, best) == (1, False) and kept.read_bytes() == b"epoch 1"
    assert events.logs == ["a plain line from the trainer", "finishing"]


def test_cancel_sends_sigterm_and_raises_cancelled(tmp_path: Path) -> None:
    script = _child(
        tmp_path,
        f"""
        stop = []
        signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
        for step in range(1, 10_000):
            send({{"type": "step", "epoch": 1, "step": step, "steps": 10_000, "loss": 1.0, "lr": 0.1}})
            time.sleep(0.05)
            if stop:
                send({{"type": "error", "message": "cancelled"}})
                sys.exit({CANCELLED_EXIT_CODE})
        """,
    )
    events = RecordingEvents(tmp_path / "kept", cancel_after_steps=3)
    started = time.monotonic()
    with pytest.raises(TrainingCancelled):
        run_child(Path(sys.executable), script, {}, events, tmp_path / "work")
    assert time.monotonic() - started < 10
    assert 3 <= len(events.steps) < 100


def test_a_crash_reports_the_error_and_stderr_tail(tmp_path: Path) -> None:
    script = _child(
        tmp_path,
        """
        send({"type": "step", "epoch": 1, "step": 1, "steps": 2, "loss": 1.0, "lr": 0.1})
        print("CUDA out of memory (pretend)", file=sys.stderr, flush=True)
        send({"type": "error", "message": "RuntimeError: boom"})
        sys.exit(1)
        """,
    )
    events = RecordingEvents(tmp_path / "kept")
    with pytest.raises(TrainerFailed) as caught:
        run_child(Path(sys.executable), script, {}, events, tmp_path / "work")
    assert "RuntimeError: boom" in str(caught.value) and "CUDA out of memory (pretend)" in str(caught.value)


def test_an_exit_without_done_is_a_failure(tmp_path: Path) -> None:
    script = _child(tmp_path, "pass\n")
    with pytest.raises(TrainerFailed, match="no 'done' message"):
        run_child(Path(sys.executable), script, {}, RecordingEvents(tmp_path / "kept"), tmp_path / "work")

"""The parent side of protocol.py: run an out-of-process trainer and turn its lines into TrainEvents.

Every TrainEvents call happens on the calling thread (the job's sink may hold a database session): a
reader thread only moves the child's stdout lines into a queue, and the loop here polls
`events.cancelled()` between lines, at least twice a second. Cancel sends SIGTERM (the child finishes its
step and exits with CANCELLED_EXIT_CODE); a child that ignores it is killed after `kill_after_s`.
A checkpoint is acknowledged with "ok" only after the sink has copied it, so the child may overwrite the
file next epoch. A bad exit raises TrainerFailed with the child's error message and its stderr tail.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

from shelfscope.ml.trainers.base import EpochRecord, TrainEvents, TrainingCancelled
from shelfscope.ml.trainers.protocol import CANCELLED_EXIT_CODE, decode

REQUEST_NAME = "request.json"
_STDERR_TAIL = 40
_EPOCH_FIELDS = set(EpochRecord.__dataclass_fields__)


class TrainerFailed(RuntimeError):
    """The trainer process failed; the message carries its error and the tail of its stderr."""


def _pump(stream: IO[str], sink: queue.Queue[str | None]) -> None:
    for line in stream:
        sink.put(line)
    sink.put(None)


def _collect(stream: IO[str], tail: deque[str]) -> None:
    for line in stream:
        tail.append(line.rstrip("\n"))


def run_child(
    python: Path,
    script: Path,
    request: dict[str, Any],
    events: TrainEvents,
    work_dir: Path,
    *,
    env: dict[str, str] | None = None,
    kill_after_s: float = 30.0,
) -> dict[str, Any]:
    """Run `python script REQUEST.json` and relay its messages; the child's "done" message on success."""
    work_dir.mkdir(parents=True, exist_ok=True)
    request_file = (work_dir / REQUEST_NAME).resolve()
    request_file.write_text(json.dumps(request), encoding="utf-8")
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    # The main env's PYTHONPATH would put its packages ahead of the child env's own.
    child_env.pop("PYTHONPATH", None)
    process = subprocess.Popen(
        # -P: the script's folder stays off sys.path (here it holds a `subprocess.py` that would shadow
        # the standard library's inside the child).
        [str(python), "-P", str(script), str(request_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        env=child_env,
        cwd=work_dir,
        start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None and process.stdin is not None
    lines: queue.Queue[str | None] = queue.Queue()
    stderr_tail: deque[str] = deque(maxlen=_STDERR_TAIL)
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    threading.Thread(target=_collect, args=(process.stderr, stderr_tail), daemon=True).start()

    done: dict[str, Any] | None = None
    error: str | None = None
    cancel_sent_at: float | None = None
    try:
        while True:
            if cancel_sent_at is None and events.cancelled():
                events.log("Cancel requested: stopping the trainer after its current step")
                process.send_signal(signal.SIGTERM)
                cancel_sent_at = time.monotonic()
            elif cancel_sent_at is not None and time.monotonic() - cancel_sent_at > kill_after_s:
                process.kill()
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            message = decode(line)
            if message is None:
                if line.strip():
                    events.log(line.rstrip("\n"))
                continue
            kind = message["type"]
            if kind == "done":
                done = message
            elif kind == "error":
                error = str(message.get("message", ""))
            else:
                _relay(message, events, process.stdin)
        code = process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if cancel_sent_at is not None or code == CANCELLED_EXIT_CODE:
        raise TrainingCancelled()
    if code != 0 or done is None:
        tail = "\n".join(stderr_tail)
        reason = error or ("no 'done' message" if code == 0 else f"exit code {code}")
        raise TrainerFailed(f"The trainer failed: {reason}\n{tail}".rstrip())
    return done


def _relay(message: dict[str, Any], events: TrainEvents, stdin: IO[str]) -> None:
    kind = message["type"]
    if kind == "step":
        events.step(
            int(message["epoch"]),
            int(message["step"]),
            int(message["steps"]),
            float(message["loss"]),
            float(message["lr"]),
        )
    elif kind == "epoch":
        fields = {key: value for key, value in message.items() if key in _EPOCH_FIELDS}
        events.epoch_end(EpochRecord(**fields))
    elif kind == "checkpoint":
        events.checkpoint(Path(message["path"]), int(message["epoch"]), best=bool(message["best"]))
        try:
            stdin.write("ok\n")
            stdin.flush()
        except BrokenPipeError:
            pass
    elif kind == "log":
        events.log(str(message.get("message", "")), str(message.get("level", "info")))

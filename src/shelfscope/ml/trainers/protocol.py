"""The JSON-lines protocol of an out-of-process trainer (YOLO-NAS in its own environment, or any
trainer that cannot share the server's Python environment).

The parent starts `python -m <module> REQUEST.json` in the trainer's environment. REQUEST.json holds
{"data": TrainData fields, "config": TrainConfig fields, "work_dir": str, "resume": Resume fields|null}.
The child writes one JSON object per line to stdout; anything else on stdout or stderr is log text.
Messages, by "type":
  {"type": "step", "epoch": int, "step": int, "steps": int, "loss": float, "lr": float}
  {"type": "epoch", ...EpochRecord fields}
  {"type": "checkpoint", "path": str, "epoch": int, "best": bool}   (parent copies it, then writes
                                                                      "ok\\n" to the child's stdin)
  {"type": "log", "message": str, "level": "info"|"warning"|"error"}
  {"type": "done", "model_folder": str, "best_epoch": int, "epochs_run": int, "stopped_early": bool}
  {"type": "error", "message": str}
Cancel: the parent sends SIGTERM; the child stops after the current step and exits with code 3
(after an "error" message "cancelled"). Torch-free and dependency-free, so the child can import it.
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_TYPES = ("step", "epoch", "checkpoint", "log", "done", "error")
CANCELLED_EXIT_CODE = 3


def encode(message: dict[str, Any]) -> str:
    """One protocol line (no newline inside)."""
    if message.get("type") not in MESSAGE_TYPES:
        raise ValueError(f"unknown message type {message.get('type')!r}")
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def decode(line: str) -> dict[str, Any] | None:
    """The message on `line`, or None when the line is not a protocol message (plain log text)."""
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("type") not in MESSAGE_TYPES:
        return None
    return message

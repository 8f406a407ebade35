"""Models and AI: auto-annotation runs, detector training runs, the model registry (inference on local
images, ONNX download)."""

from __future__ import annotations

from shelfscope.client._transport import Transport
from shelfscope.client.jobs import Jobs


class AI:
    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress


class Training:
    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress


class Registry:
    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

"""Datasets, their classes, images, archive imports, versions and exports downloaded into a folder."""

from __future__ import annotations

from shelfscope.client._transport import Transport
from shelfscope.client.jobs import Jobs


class Datasets:
    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

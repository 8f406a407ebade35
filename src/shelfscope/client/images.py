"""Image library: upload files or folders (concurrent, resumable by content hash), list, download."""

from __future__ import annotations

from shelfscope.client._transport import Transport
from shelfscope.client.jobs import Jobs


class Images:
    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

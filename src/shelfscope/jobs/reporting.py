"""Reporter: what long work tells the outside while it runs. A JobContext is one; a test can pass its own."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def progress(self, fraction: float, stage: str | None = None) -> None: ...

    def log(self, message: str, level: str = "info") -> None: ...

    def check_cancelled(self) -> None: ...

"""Progress bars on stderr (rich) for transfers and jobs; silent when disabled or not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

if TYPE_CHECKING:
    from shelfscope.client.types import Job


def _console() -> Console:
    return Console(stderr=True)


@contextmanager
def count_bar(description: str, total: int | None, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A bar counting items (images uploaded); yields `advance(n)`."""
    if not enabled:
        yield lambda n: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=_console(),
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def bytes_bar(description: str, total: int | None, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A bar counting bytes (a download); yields `advance(n_bytes)`."""
    if not enabled:
        yield lambda n: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=_console(),
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def job_bar(job: Job, *, enabled: bool) -> Iterator[Callable[[Job], None]]:
    """A bar for a job's 0-1 progress with its stage; yields `update(job)`."""
    if not enabled:
        yield lambda j: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=_console(),
    ) as bar:
        task = bar.add_task(_describe(job), total=1.0)
        bar.update(task, completed=job.progress)

        def update(j: Job) -> None:
            bar.update(task, completed=1.0 if j.ok else j.progress, description=_describe(j))

        yield update


def _describe(job: Job) -> str:
    stage = f" · {job.stage}" if job.stage else ""
    return f"job {job.id} {job.kind} [{job.status}]{stage}"

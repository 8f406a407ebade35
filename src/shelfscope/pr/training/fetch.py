"""Storage reads and writes of the PR jobs (training, evaluation, compare), retried with backoff.

A timeout or a dropped connection is tried again after 0.5 s and then 2 s (three tries in all); a
missing object is not retried (it will not come back) and is reported by the caller as a skipped
image. Images are downloaded once into a folder by storage key, so a requeued attempt finds what the
last one fetched."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from shelfscope.jobs.context import JobContext
from shelfscope.storage import Storage, StorageError
from shelfscope.storage.base import ObjectMissing

T = TypeVar("T")
RETRY_DELAYS_S: tuple[float, ...] = (0.5, 2.0)
Log = Callable[[str, str], None]


def is_transient(exc: BaseException) -> bool:
    """Whether trying again may help: storage and network errors, not a missing object."""
    if isinstance(exc, ObjectMissing):
        return False
    if isinstance(exc, StorageError | OSError):  # TimeoutError and ConnectionError are OSErrors
        return True
    # boto3's timeouts and connection errors, without importing it (the s3 extra is optional).
    return type(exc).__module__.split(".")[0] in ("botocore", "urllib3")


def with_retries(
    call: Callable[[], T],
    *,
    what: str,
    log: Log,
    delays: Sequence[float] = RETRY_DELAYS_S,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()`, tried again after each of `delays` while it fails with a transient error."""
    tries = len(delays) + 1
    for attempt in range(1, tries + 1):
        try:
            return call()
        except Exception as exc:
            if attempt == tries or not is_transient(exc):
                raise
            delay = delays[attempt - 1]
            log(
                f"{what} failed ({type(exc).__name__}: {exc}); try {attempt + 1} of {tries} in {delay:g} s",
                "warning",
            )
            sleep(delay)
    raise AssertionError("unreachable")


def download(storage: Storage, key: str, target: Path, log: Log) -> Path:
    """`key` into `target` (through a temporary sibling, so a partial file never counts)."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")

    def fetch() -> None:
        storage.download_to(key, partial)

    with_retries(fetch, what=f"reading {key}", log=log)
    partial.replace(target)
    return target


def upload(storage: Storage, key: str, path: Path, log: Log) -> None:
    with_retries(lambda: storage.put_file(key, path), what=f"storing {key}", log=log)


@dataclass(frozen=True)
class Fetched:
    paths: dict[int, Path]
    # [{"image_id", "reason"}]
    skipped: list[dict[str, object]]


def fetch_images(ctx: JobContext, images: Iterable[tuple[int, str]], folder: Path) -> Fetched:
    """Download (image id, storage key) pairs into `folder`; missing objects are skipped and listed.
    A read that still fails after the retries fails the job (storage is down, not one image)."""
    wanted = list(images)
    paths: dict[int, Path] = {}
    skipped: list[dict[str, object]] = []
    ctx.log(f"fetching {len(wanted)} images from storage")
    for i, (image_id, key) in enumerate(wanted, start=1):
        if i % 50 == 0:
            ctx.check_cancelled()
        try:
            paths[image_id] = download(ctx.storage, key, folder / key, ctx.log)
        except ObjectMissing:
            skipped.append({"image_id": image_id, "reason": "missing from storage"})
            ctx.log(f"image {image_id} is missing from storage ({key}); skipped", "warning")
    return Fetched(paths, skipped)

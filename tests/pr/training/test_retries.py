"""Storage calls of the PR jobs are retried with backoff (0.5 s, then 2 s) on timeouts and dropped
connections, and not on a missing object or a bug."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shelfscope.pr.training.fetch import is_transient, with_retries
from shelfscope.storage import StorageError
from shelfscope.storage.base import ObjectMissing


def _failing(errors: list[BaseException]) -> Callable[[], str]:
    def call() -> str:
        if errors:
            raise errors.pop(0)
        return "bytes"

    return call


def _run(errors: list[BaseException]) -> tuple[str | BaseException, list[float], list[str]]:
    slept: list[float] = []
    logged: list[str] = []
    try:
        out: str | BaseException = with_retries(
            _failing(errors),
            what="reading k",
            log=lambda m, level: logged.append(f"{level}: {m}"),
            sleep=slept.append,
        )
    except Exception as exc:
        out = exc
    return out, slept, logged


def test_a_timeout_is_tried_again_after_half_a_second_then_two() -> None:
    out, slept, logged = _run([TimeoutError("slow"), ConnectionResetError("reset")])
    assert out == "bytes" and slept == [0.5, 2.0]
    assert logged == [
        "warning: reading k failed (TimeoutError: slow); try 2 of 3 in 0.5 s",
        "warning: reading k failed (ConnectionResetError: reset); try 3 of 3 in 2 s",
    ]


def test_three_failures_give_up_with_the_last_error() -> None:
    out, slept, _ = _run([TimeoutError("1"), TimeoutError("2"), StorageError("bucket unreachable")])
    assert isinstance(out, StorageError) and str(out) == "bucket unreachable" and slept == [0.5, 2.0]


@pytest.mark.parametrize("error", [ObjectMissing("gone", "k"), ValueError("bad key"), KeyError("x")])
def test_a_missing_object_or_a_bug_is_not_retried(error: Exception) -> None:
    out, slept, logged = _run([error])
    assert out is error and slept == [] and logged == []


def test_what_counts_as_transient() -> None:
    assert (
        is_transient(TimeoutError()) and is_transient(ConnectionError()) and is_transient(StorageError("x"))
    )
    assert not is_transient(ObjectMissing("x")) and not is_transient(RuntimeError())

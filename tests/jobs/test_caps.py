"""What a job stores is capped: results, errors and log lines quoting hostile input stay small, and
say how much was cut."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import select, update

from shelfscope.context import AppContext
from shelfscope.jobs import service
from shelfscope.jobs.caps import MAX_LOG_CHARS, MAX_RESULT_CHARS, cap_result
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job, JobEvent
from shelfscope.jobs.registry import job_handler

BIG = 5_000_000


class HostilePayload(BaseModel):
    fail: bool = False


@job_handler("test.hostile", payload=HostilePayload)
def hostile(ctx: JobContext, payload: HostilePayload) -> dict[str, Any]:
    """Reports what an alias bomb made of a class list: huge names, a huge list, a huge log line."""
    name = "lol" * (BIG // 3)
    ctx.log(f"unused labels: {name}")
    if payload.fail:
        raise ValueError(f"class {name} is unknown")
    return {
        "classes": {"unused": [name] * 3, "created": [f"c{i}" for i in range(100_000)]},
        "counts": {f"label {i}": i for i in range(50_000)},
        "note": "kept",
    }


def _run(ctx: AppContext, fail: bool) -> Job:
    with ctx.db.writer() as session:
        job_id = service.submit_job(session, ctx.runner, "test.hostile", {"fail": fail}, None).id
    return run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)


def _log_sizes(ctx: AppContext, job_id: int) -> list[int]:
    with ctx.db.read() as session:
        return [
            len(m or "") for m in session.scalars(select(JobEvent.message).where(JobEvent.job_id == job_id))
        ]


def test_a_huge_result_and_log_line_are_stored_capped_with_counts(
    ctx: AppContext, client: TestClient
) -> None:
    job = _run(ctx, fail=False)

    assert job.status == "succeeded"
    result = job.result
    assert result is not None and result["note"] == "kept"
    unused = result["classes"]["unused"][0]
    assert len(unused) < 5_000 and unused.endswith("more characters]") and "4,99" in unused
    assert result["truncated"]["classes.created"] == 100_000 - len(result["classes"]["created"])
    assert result["truncated"]["counts"] > 0
    assert max(_log_sizes(ctx, job.id)) <= MAX_LOG_CHARS + 40
    listed = client.get("/api/v1/jobs")
    assert listed.status_code == 200 and len(listed.content) < 2 * MAX_RESULT_CHARS


def test_a_huge_error_is_capped_and_its_traceback_line_too(ctx: AppContext) -> None:
    job = _run(ctx, fail=True)

    assert job.status == "failed"
    assert job.error is not None and len(job.error) < 4_100 and job.error.endswith("more characters]")
    assert max(_log_sizes(ctx, job.id)) <= MAX_LOG_CHARS + 40


def test_any_write_of_a_result_is_capped_even_a_direct_update(ctx: AppContext) -> None:
    """Handlers that store a report on a failing job write the column themselves (an import does)."""
    with ctx.db.writer() as session:
        job_id = service.submit_job(session, ctx.runner, "test.hostile", {}, None).id
    with ctx.db.write() as session:
        session.execute(update(Job).where(Job.id == job_id).values(result={"issues": ["x" * BIG] * 500}))
    with ctx.db.read() as session:
        stored = session.get(Job, job_id)
        assert stored is not None and stored.result is not None
        assert len(str(stored.result)) < MAX_RESULT_CHARS
        assert stored.result["issues"][0].endswith("more characters]")


def test_capping_keeps_small_results_exactly() -> None:
    small = {"a": [1, 2, {"b": "c"}], "n": None, "f": 1.5, "t": True}
    assert cap_result(small) == small

"""Remote commands: `jobs watch ID` (a live progress bar until the job ends), `jobs show`, `jobs list`,
`jobs cancel`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from shelfscope.client.commands.common import (
    EXIT_JOB,
    JsonOpt,
    QuietOpt,
    TimeoutOpt,
    TokenOpt,
    UrlOpt,
    emit,
    fail,
    handled,
    jsonable,
    make_client,
)
from shelfscope.client.types import Job

jobs_app = typer.Typer(no_args_is_help=True, help="Jobs on a server: watch one live, show, list, cancel.")

JobId = Annotated[int, typer.Argument(help="The job's id (printed by the command that started it).")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main `shelfscope` app."""
    app.add_typer(jobs_app, name="jobs")


def _line(job: Job) -> str:
    stage = f" ({job.stage})" if job.stage else ""
    error = f": {job.error}" if job.error else ""
    return f"job {job.id} {job.kind} {job.status} {job.progress:.0%}{stage}{error}"


@jobs_app.command("watch")
def watch(
    job_id: JobId,
    logs: Annotated[bool, typer.Option("--logs", help="Print the job's log lines as they arrive.")] = False,
    timeout: TimeoutOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Follow a job until it ends, with a live progress bar; exit 0 when it succeeded, 5 otherwise."""
    client = make_client(url, token, progress=not quiet)
    with handled(as_json=as_json), client:
        if logs:
            for event in client.jobs.events(job_id):
                if event.type == "log" and event.log is not None:
                    typer.echo(str(event.log.get("message", event.log.get("text", ""))), err=True)
                elif event.type == "job" and event.job is not None and not quiet and sys.stderr.isatty():
                    typer.echo(_line(event.job), err=True)
        job = client.jobs.wait(job_id, timeout_s=timeout, raise_on_failure=False)
    emit(job, as_json=as_json, text=_line(job))
    if not job.ok:
        if as_json:
            raise typer.Exit(EXIT_JOB)
        fail(EXIT_JOB, {"error": "JobFailed", "detail": _line(job)}, as_json=False)


@jobs_app.command("show")
def show(job_id: JobId, url: UrlOpt = None, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """One job's state, progress, result or error."""
    client = make_client(url, token, progress=False)
    with handled(as_json=as_json), client:
        job = client.jobs.get(job_id)
    emit(job, as_json=as_json, text=lambda: _line(job) + (f"\n{jsonable(job.result)}" if job.result else ""))


@jobs_app.command("list")
def list_jobs(
    status: Annotated[
        str | None, typer.Option(help="queued, running, succeeded, failed or cancelled.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="A job kind, e.g. od.import.run.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 20,
    url: UrlOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recent jobs, newest first."""
    client = make_client(url, token, progress=False)
    with handled(as_json=as_json), client:
        jobs = list(client.jobs.list(status=status, kind=kind, limit=limit))
    emit(jobs, as_json=as_json, text=lambda: "\n".join(_line(j) for j in jobs) or "No jobs.")


@jobs_app.command("cancel")
def cancel(job_id: JobId, url: UrlOpt = None, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """Ask a job to stop; it ends `cancelled` at its next checkpoint."""
    client = make_client(url, token, progress=False)
    with handled(as_json=as_json), client:
        job = client.jobs.cancel(job_id)
    emit(job, as_json=as_json, text=f"cancel requested: {_line(job)}")

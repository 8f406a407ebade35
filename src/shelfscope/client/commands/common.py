"""What every remote command shares: the server options, `--json` output, and one mapping from the
client's exceptions to a message on stderr and an exit code scripts can rely on.

Exit codes:
  0  done
  1  an unexpected error (a bug: please report it)
  2  bad usage or bad local input (a missing folder, an unknown option)
  3  not signed in, token refused, or the user lacks the role (401, 403)
  4  the server refused the input (400, 404, 409, 413, 415, 422); nothing was changed
  5  a job the command waited for failed, was cancelled, or was still running at --timeout
  6  the server could not be reached, or kept failing (429, 5xx) after the retries
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel

from shelfscope.client.client import Client
from shelfscope.client.errors import (
    ApiError,
    Forbidden,
    JobFailed,
    ShelfscopeClientError,
    TransportError,
    Unauthorized,
    WaitTimedOut,
)

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_REFUSED = 4
EXIT_JOB = 5
EXIT_UNREACHABLE = 6

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url", help="Server URL (default: SHELFSCOPE_URL, then the saved login).", show_default=False
    ),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token", help="API token (default: SHELFSCOPE_TOKEN, then the saved login).", show_default=False
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as one JSON document on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
TimeoutOpt = Annotated[
    float | None, typer.Option("--timeout", help="Stop waiting after this many seconds (exit 5).")
]


def make_client(url: str | None, token: str | None, *, progress: bool) -> Client:
    try:
        return Client(url, token, progress=progress and sys.stderr.isatty())
    except ShelfscopeClientError as exc:
        fail(EXIT_USAGE, {"error": "BadConfiguration", "detail": str(exc)}, as_json=False)


def jsonable(value: Any) -> Any:
    """Results as plain JSON: client models dumped, lists and dicts walked."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def emit(result: Any, *, as_json: bool, text: Callable[[], str] | str | None = None) -> None:
    """The command's result: JSON on stdout with `--json`, else the human `text` (if any)."""
    if as_json:
        typer.echo(json.dumps(jsonable(result), indent=None, separators=(",", ":"), default=str))
    elif text is not None:
        typer.echo(text() if callable(text) else text)


def fail(code: int, body: dict[str, Any], *, as_json: bool) -> NoReturn:
    """Print an error (the server's error shape, or one like it) on stderr and exit with `code`."""
    if as_json:
        typer.echo(json.dumps(body, default=str), err=True)
    else:
        detail = body.get("detail") or ""
        fields = body.get("fields")
        typer.echo(f"error: {body.get('error', 'Error')}: {detail}".rstrip(": "), err=True)
        if isinstance(fields, list):
            for f in fields:
                if isinstance(f, dict):
                    typer.echo(f"  {f.get('field')}: {f.get('message')}", err=True)
    raise typer.Exit(code)


@contextmanager
def handled(*, as_json: bool) -> Iterator[None]:
    """Run a command body, turning the client's exceptions into a message and an exit code."""
    try:
        yield
    except (Unauthorized, Forbidden) as exc:
        body = dict(exc.body)
        if isinstance(exc, Unauthorized):
            body["detail"] = f"{exc.detail} Sign in with `shelfscope login` or set SHELFSCOPE_TOKEN.".strip()
        fail(EXIT_AUTH, {**body, "status": exc.status}, as_json=as_json)
    except ApiError as exc:
        code = EXIT_UNREACHABLE if exc.status >= 500 or exc.status == 429 else EXIT_REFUSED
        fail(code, {**exc.body, "status": exc.status}, as_json=as_json)
    except (JobFailed, WaitTimedOut) as exc:
        job = exc.job
        fail(
            EXIT_JOB,
            {"error": "JobFailed" if isinstance(exc, JobFailed) else "WaitTimedOut", "detail": str(exc),
             "job": jsonable(job)},
            as_json=as_json,
        )  # fmt: skip
    except TransportError as exc:
        fail(EXIT_UNREACHABLE, {"error": "Unreachable", "detail": str(exc)}, as_json=as_json)
    except ShelfscopeClientError as exc:
        fail(EXIT_USAGE, {"error": "BadInput", "detail": str(exc)}, as_json=as_json)

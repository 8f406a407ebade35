"""One HTTP connection pool to a Shelfscope server: the token, timeouts, retries with backoff on 429
and 5xx for idempotent calls, and every error answer turned into an `ApiError`."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from shelfscope import __version__
from shelfscope.client.errors import ApiError, TransportError, api_error, kind_of

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class Transport:
    """`request()` for JSON calls, `stream()` for downloads; `retries` extra tries for idempotent calls
    (or any call passed `idempotent=True`, such as an upload the server deduplicates by content)."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout_s: float = 60.0,
        retries: int = 4,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        headers = {"User-Agent": f"shelfscope-client/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(
            base_url=self.url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    # ---- calls -----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout_s: float | None = None,
        ok_statuses: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Send one call and return its successful response; raise `ApiError` for an error answer.

        `files` may be a callable returning the multipart files, so a retry re-opens them from the start.
        `ok_statuses` are statuses returned as they are (207 for a partly rejected upload is one)."""
        method = method.upper()
        retryable = method in IDEMPOTENT if idempotent is None else idempotent
        attempt = 0
        while True:
            try:
                response = self.http.request(
                    method,
                    path,
                    json=json_body,
                    params=_clean(params),
                    files=files() if callable(files) else files,
                    data=data,
                    content=content,
                    headers=headers,
                    timeout=httpx.USE_CLIENT_DEFAULT if timeout_s is None else timeout_s,
                )
            except httpx.TransportError as exc:
                if retryable and attempt < self.retries:
                    self._sleep(attempt, None)
                    attempt += 1
                    continue
                raise TransportError(f"{method} {self.url}{path}: {exc.__class__.__name__}: {exc}") from exc
            if response.status_code < 400 or response.status_code in ok_statuses:
                return response
            error = self._error(response, method, path)
            if retryable and response.status_code in RETRY_STATUSES and attempt < self.retries:
                self._sleep(attempt, _retry_after(response, error))
                attempt += 1
                continue
            raise error

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request()` and the decoded JSON body (None for 204)."""
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    @contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[httpx.Response]:
        """A response whose body is read as it arrives (`iter_bytes`, `iter_lines`); errors raise before
        the body is read, retried like a GET while nothing has been yielded."""
        attempt = 0
        while True:
            try:
                cm = self.http.stream(
                    method.upper(),
                    path,
                    params=_clean(params),
                    headers=headers,
                    timeout=httpx.USE_CLIENT_DEFAULT if timeout_s is None else timeout_s,
                )
                response = cm.__enter__()
            except httpx.TransportError as exc:
                if attempt < self.retries:
                    self._sleep(attempt, None)
                    attempt += 1
                    continue
                raise TransportError(f"{method} {self.url}{path}: {exc.__class__.__name__}: {exc}") from exc
            if response.status_code >= 400:
                response.read()
                cm.__exit__(None, None, None)
                error = self._error(response, method.upper(), path)
                if response.status_code in RETRY_STATUSES and attempt < self.retries:
                    self._sleep(attempt, _retry_after(response, error))
                    attempt += 1
                    continue
                raise error
            try:
                yield response
            except httpx.TransportError as exc:
                raise TransportError(f"{method} {self.url}{path}: {exc.__class__.__name__}: {exc}") from exc
            finally:
                cm.__exit__(None, None, None)
            return

    # ---- helpers ---------------------------------------------------------------------------------

    def _error(self, response: httpx.Response, method: str, path: str) -> ApiError:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or "error" not in body:
            text = response.text[:500] if response.content else ""
            body = {"error": kind_of(response.status_code), "detail": text or response.reason_phrase}
        return api_error(response.status_code, body, method, path)

    def _sleep(self, attempt: int, retry_after: float | None) -> None:
        delay = min(self.max_backoff_s, self.backoff_s * (2**attempt)) * (0.5 + random.random() / 2)
        if retry_after is not None:
            delay = min(self.max_backoff_s, max(delay, retry_after))
        time.sleep(delay)


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Query parameters without the ones left None; booleans as the server reads them."""
    if params is None:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


def _retry_after(response: httpx.Response, error: ApiError) -> float | None:
    header = response.headers.get("retry-after")
    if header is not None:
        try:
            return float(header)
        except ValueError:
            return None
    return error.retry_after_s

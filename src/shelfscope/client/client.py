"""`Client`: the entry point of the Python client. One per server; its parts are attributes
(`client.images`, `client.datasets`, ...), each a thin typed layer over the HTTP API."""

from __future__ import annotations

from types import TracebackType

import httpx

from shelfscope.client._transport import Transport
from shelfscope.client.annotations import Annotations
from shelfscope.client.config import resolve_credentials
from shelfscope.client.datasets import Datasets
from shelfscope.client.images import Images
from shelfscope.client.jobs import Jobs
from shelfscope.client.ml import AI, Registry, Training
from shelfscope.client.products import Products


class Client:
    """A connection to one Shelfscope server.

    >>> client = Client("http://127.0.0.1:8000", token="...")   # or Client() with SHELFSCOPE_URL/TOKEN
    >>> client.images.upload("camera-export/")
    >>> client.datasets.get("shelves").version(3).download("yolo", "data/shelves-v3")

    `url` and `token` default to the environment (`SHELFSCOPE_URL`, `SHELFSCOPE_TOKEN`), then to what
    `shelfscope login` saved. Idempotent calls are retried with backoff on 429/5xx and dropped
    connections (`retries` times); `progress` draws bars on stderr for long transfers and jobs.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout_s: float = 60.0,
        retries: int = 4,
        progress: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        resolved_url, resolved_token = resolve_credentials(url, token)
        self.url = resolved_url
        self.progress = progress
        self._transport = Transport(
            resolved_url, resolved_token, timeout_s=timeout_s, retries=retries, transport=transport
        )
        self.jobs = Jobs(self._transport, progress)
        self.images = Images(self._transport, self.jobs, progress)
        self.datasets = Datasets(self._transport, self.jobs, progress)
        self.annotations = Annotations(self._transport)
        self.ai = AI(self._transport, self.jobs, progress)
        self.training = Training(self._transport, self.jobs, progress)
        self.models = Registry(self._transport, self.jobs, progress)
        self.products = Products(self._transport, self.jobs, progress)

    @classmethod
    def from_env(cls, **kwargs: object) -> Client:
        """A client for `SHELFSCOPE_URL` with `SHELFSCOPE_TOKEN` (else the saved login)."""
        return cls(None, None, **kwargs)  # type: ignore[arg-type]

    def me(self) -> dict[str, object]:
        """The signed-in user (`{"user": {...}}`): a cheap check that the URL and token work."""
        found = self._transport.json("GET", "/api/v1/auth/me")
        return dict(found)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

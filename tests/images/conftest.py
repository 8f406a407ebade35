"""Image library fixtures: tight limits, the loopback image server and the library's contents (the
helpers behind them are in tests.support.images)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shelfscope.config import Settings
from shelfscope.context import AppContext
from tests.support.images import (
    FETCH_DEADLINE_S,
    MAX_IMAGE_PIXELS,
    MAX_UPLOAD_BYTES,
    SYNC_TOKEN,
    ImageServer,
    Library,
)


@pytest.fixture(scope="session")
def _image_server() -> Iterator[ImageServer]:
    server = ImageServer()
    yield server
    server.close()


@pytest.fixture
def image_server(_image_server: ImageServer) -> Iterator[ImageServer]:
    _image_server.reset()
    yield _image_server
    _image_server.reset()


@pytest.fixture
def settings(settings: Settings, _image_server: ImageServer) -> Settings:
    """Tight limits so the limit tests stay small, and the loopback test server explicitly allowed."""
    return settings.model_copy(
        update={
            "max_upload_bytes": MAX_UPLOAD_BYTES,
            "max_image_pixels": MAX_IMAGE_PIXELS,
            "thumbnail_size": 64,
            "url_fetch_allow_hosts": [f"127.0.0.1:{_image_server.port}"],
            "url_fetch_timeout_s": FETCH_DEADLINE_S,
            "sync_base_url": f"{_image_server.url}/api",
            "sync_token": SYNC_TOKEN,
        }
    )


@pytest.fixture
def library(ctx: AppContext) -> Library:
    return Library(ctx)


Upload = Callable[..., Any]


@pytest.fixture
def raccoon(shared_data: Path) -> Path:
    return shared_data / "detection" / "raccoon" / "images" / "raccoon-1.jpg"

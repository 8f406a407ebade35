"""Import tests: folder imports may read a per-test import root (and ../shared/data when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfscope.config import Settings
from tests.support.app import SHARED_DATA


@pytest.fixture
def import_root(tmp_path: Path) -> Path:
    root = tmp_path / "import-root"
    root.mkdir()
    return root


@pytest.fixture
def settings(settings: Settings, import_root: Path) -> Settings:
    roots = [import_root] + ([SHARED_DATA] if SHARED_DATA.is_dir() else [])
    return settings.model_copy(update={"import_roots": roots})

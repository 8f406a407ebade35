"""The README's Configuration table names the settings a user needs to turn features on."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_the_sync_settings() -> None:
    text = README.read_text(encoding="utf-8")
    for variable in ("SHELFSCOPE_SYNC_BASE_URL", "SHELFSCOPE_SYNC_TOKEN", "SHELFSCOPE_URL_FETCH_ALLOW_HOSTS"):
        assert f"| `{variable}` |" in text, variable


def test_readme_lists_the_model_weights_settings() -> None:
    text = README.read_text(encoding="utf-8")
    for variable in ("SHELFSCOPE_MODELS_DIR", "SHELFSCOPE_ML_OFFLINE", "SHELFSCOPE_ML_HUB_ENDPOINT"):
        assert f"| `{variable}` |" in text, variable

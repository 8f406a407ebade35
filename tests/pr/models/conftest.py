"""PR training fixtures: small minimums (10 products and 100 images is for real catalogues; the
refusal tests set their own)."""

from __future__ import annotations

import pytest

from shelfscope.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"pr_training_min_products": 4, "pr_training_min_images": 8})

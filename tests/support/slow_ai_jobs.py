"""A job module for worker processes in tests: every Grounding DINO loads slowed (0.5 s per call, one
image per call), so a test can kill the worker half way through a run."""

from __future__ import annotations

from tests.support.ai import install_slow_grounding_dino

install_slow_grounding_dino(delay_s=0.5, batch_size=1)

"""HTTP routes of product recognition's cutouts (mounted under /api/v1/pr)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

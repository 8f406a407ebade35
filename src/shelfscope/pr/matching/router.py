"""HTTP routes of /api/v1/pr/matching."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/matching")

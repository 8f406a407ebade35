"""HTTP routes of /api/v1/pr/embeddings."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/embeddings")

"""Every product-recognition router, mounted at /api/v1/pr by the app."""

from __future__ import annotations

from fastapi import APIRouter

from shelfscope.pr.catalogue.router import router as catalogue_router
from shelfscope.pr.cutouts.router import router as cutouts_router
from shelfscope.pr.datasets.router import router as datasets_router
from shelfscope.pr.embeddings.router import router as embeddings_router
from shelfscope.pr.evaluation.router import router as evaluation_router
from shelfscope.pr.matching.router import router as matching_router
from shelfscope.pr.products.router import router as products_router
from shelfscope.pr.trained_models.router import router as trained_models_router
from shelfscope.pr.training.router import router as training_router
from shelfscope.pr.videos.router import router as videos_router

router = APIRouter()
router.include_router(products_router, tags=["pr: products"])
router.include_router(cutouts_router, tags=["pr: cutouts"])
router.include_router(datasets_router, tags=["pr: datasets"])
router.include_router(videos_router, tags=["pr: videos"])
router.include_router(catalogue_router, tags=["pr: catalogue"])
router.include_router(training_router, tags=["pr: training"])
router.include_router(evaluation_router, tags=["pr: evaluation"])
router.include_router(trained_models_router, tags=["pr: models"])
router.include_router(embeddings_router, tags=["pr: embeddings"])
router.include_router(matching_router, tags=["pr: matching"])

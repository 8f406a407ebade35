"""Imports every table module so Base.metadata is complete (Alembic and tests use this)."""

from shelfscope.auth import models as auth_models
from shelfscope.jobs import models as job_models
from shelfscope.od.annotations import models as annotation_models
from shelfscope.od.classes import models as class_models
from shelfscope.od.datasets import models as dataset_models
from shelfscope.od.images import models as image_models
from shelfscope.od.imports import models as import_models
from shelfscope.od.trained_models import models as trained_model_models
from shelfscope.od.training import models as training_models
from shelfscope.od.versions import models as version_models
from shelfscope.pr.cutouts import models as pr_cutout_models
from shelfscope.pr.datasets import models as pr_dataset_models
from shelfscope.pr.embeddings import models as pr_embedding_models
from shelfscope.pr.evaluation import models as pr_evaluation_models
from shelfscope.pr.matching import models as pr_matching_models
from shelfscope.pr.products import models as pr_product_models
from shelfscope.pr.trained_models import models as pr_trained_model_models
from shelfscope.pr.training import models as pr_training_models

__all__ = [
    "annotation_models",
    "auth_models",
    "class_models",
    "dataset_models",
    "image_models",
    "import_models",
    "job_models",
    "pr_cutout_models",
    "pr_dataset_models",
    "pr_embedding_models",
    "pr_evaluation_models",
    "pr_matching_models",
    "pr_product_models",
    "pr_trained_model_models",
    "pr_training_models",
    "trained_model_models",
    "training_models",
    "version_models",
]

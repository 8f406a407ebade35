"""The `trained:<id>` detector source (registered in ml.detectors.loader): a registered model's stored
folder, copied into this worker's `DATA_DIR/cache/trained/<id>/` and loaded by its family. Needs only
the settings and storage (no database), so any worker can load any model. Imported by workers only."""

from __future__ import annotations

from shelfscope.config import Settings
from shelfscope.errors import NotFound
from shelfscope.ml.detectors.base import Detector
from shelfscope.ml.trainers import families
from shelfscope.od.trained_models import artifacts
from shelfscope.od.trained_models.service import parse_key
from shelfscope.storage import open_storage


def load_trained(settings: Settings, key: str) -> Detector:
    from shelfscope.ml import runtime

    model_id = parse_key(key)
    try:
        folder = artifacts.materialise(settings, open_storage(settings), model_id)
    except FileNotFoundError:
        raise NotFound(
            f"Model {model_id} has no stored files (it was deleted, or its storage was emptied).",
            model=key,
        ) from None
    detector = families.load_predictor(folder, runtime.pick_device(settings.ml_device))
    # The key the request used: proposals and logs name the model as the user chose it.
    detector.key = key
    return detector

"""The same extraction tests with the vector index on the Qdrant adapter (qdrant-client's local mode in
the test's data folder): the job, the API and the tests' own reads each open the index for one piece of
work and close it, which local mode (one open client per folder) needs."""

from __future__ import annotations

import pytest

from shelfscope.config import Settings
from tests.pr.embeddings.test_api import (
    test_deleting_a_collection_removes_its_rows_and_its_index_collection,
    test_deleting_a_trained_model_drops_its_collections_from_the_index,
)
from tests.pr.embeddings.test_extract import (
    test_a_cancel_between_batches_keeps_the_finished_batches_and_a_new_run_completes,
    test_a_later_run_embeds_new_and_changed_items_moves_payloads_and_removes_what_is_gone,
    test_an_extraction_stores_the_models_vectors_of_every_image_and_cutout_and_indexes_them,
)

pytest.importorskip("qdrant_client")

__all__ = [
    "test_a_cancel_between_batches_keeps_the_finished_batches_and_a_new_run_completes",
    "test_a_later_run_embeds_new_and_changed_items_moves_payloads_and_removes_what_is_gone",
    "test_an_extraction_stores_the_models_vectors_of_every_image_and_cutout_and_indexes_them",
    "test_deleting_a_collection_removes_its_rows_and_its_index_collection",
    "test_deleting_a_trained_model_drops_its_collections_from_the_index",
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"vectors_backend": "qdrant"})

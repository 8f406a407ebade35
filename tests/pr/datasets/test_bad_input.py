"""Every bad request about PR datasets answers the error shape naming its field, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.pr.datasets.conftest import stored_state
from tests.support.shelves import field_of

Catalogue = Callable[..., dict[str, int]]
URL = "/api/v1/pr/datasets"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "shelf skus"}, 409, "name"),
        ({"name": "  SHELF   SKUs "}, 409, "name"),
        ({"name": ""}, 422, "name"),
        ({"name": "a\u202eb"}, 422, "name"),
        ({"min_images_per_product": -1}, 422, "min_images_per_product"),
        ({"min_images_per_product": 2**31}, 422, "min_images_per_product"),
        ({"domains": []}, 422, "domains"),
        ({"domains": ["studio"]}, 422, "domains[0]"),
        ({"source": "everything"}, 422, "source"),
        ({"source": "selection"}, 422, "selection"),
        ({"source": "selection", "selection": {"product_ids": [999_999]}}, 422, "selection.product_ids"),
        ({"source": "selection", "selection": {"status": "lost"}}, 422, "selection.status"),
        ({"source": "selection", "selection": {"colour": "red"}}, 422, "selection.colour"),
        ({"selection": {"brand": "Arla"}}, 422, "selection"),
        ({"description": "x" * 10_001}, 422, "description"),
        ({"extra": 1}, 422, "extra"),
    ],
)
def test_a_bad_create_names_its_field_and_stores_nothing(
    client: TestClient, ctx: AppContext, body: dict[str, Any], status: int, field: str
) -> None:
    assert client.post(URL, json={"name": "Shelf SKUs"}).status_code == 201
    before = stored_state(ctx)
    response = client.post(URL, json={"name": "New", **body})
    assert response.status_code == status, response.text
    assert response.json()["error"] == ("Conflict" if status == 409 else "ValidationFailed")
    assert field in field_of(response), response.json()
    assert stored_state(ctx) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "other set"}, "name"),
        ({"name": None}, "name"),
        ({"min_images_per_product": -3}, "min_images_per_product"),
        ({"domains": None}, "domains"),
        ({"source": "selection"}, "selection"),
        ({"selection": {"brand": "Arla"}}, "selection"),
    ],
)
def test_a_bad_update_names_its_field_and_changes_nothing(
    client: TestClient, ctx: AppContext, body: dict[str, Any], field: str
) -> None:
    dataset = client.post(URL, json={"name": "Shelf SKUs"}).json()
    client.post(URL, json={"name": "Other Set"})
    before = stored_state(ctx)
    response = client.patch(f"{URL}/{dataset['id']}", json=body)
    assert response.status_code in (409, 422), response.text
    assert field in field_of(response), response.json()
    assert stored_state(ctx) == before


def test_a_viewer_reads_but_cannot_write_and_an_annotator_cannot_delete(
    client: TestClient,
    viewer_client: TestClient,
    annotator_client: TestClient,
    ctx: AppContext,
    catalogue: Catalogue,
) -> None:
    catalogue({"A": {"real": 2}})
    dataset = client.post(URL, json={"name": "Set"}).json()
    version = client.post(f"{URL}/{dataset['id']}/versions").json()
    before = stored_state(ctx)
    refused = [
        viewer_client.post(URL, json={"name": "Mine"}),
        viewer_client.patch(f"{URL}/{dataset['id']}", json={"name": "Mine"}),
        viewer_client.delete(f"{URL}/{dataset['id']}"),
        viewer_client.post(f"{URL}/{dataset['id']}/versions"),
        viewer_client.delete(f"{URL}/{dataset['id']}/versions/{version['id']}"),
        annotator_client.delete(f"{URL}/{dataset['id']}"),
        annotator_client.delete(f"{URL}/{dataset['id']}/versions/{version['id']}"),
    ]
    assert [r.status_code for r in refused] == [403] * 7
    assert {r.json()["error"] for r in refused} == {"Forbidden"}
    assert stored_state(ctx) == before
    reads = [
        viewer_client.get(URL),
        viewer_client.get(f"{URL}/{dataset['id']}"),
        viewer_client.get(f"{URL}/{dataset['id']}/stats"),
        viewer_client.get(f"{URL}/{dataset['id']}/versions"),
        viewer_client.get(f"{URL}/{dataset['id']}/versions/{version['id']}/images"),
    ]
    assert [r.status_code for r in reads] == [200] * 5


def test_unknown_datasets_and_versions_are_404(client: TestClient, ctx: AppContext) -> None:
    dataset = client.post(URL, json={"name": "Set"}).json()
    other = client.post(URL, json={"name": "Other"}).json()
    version = client.post(f"{URL}/{other['id']}/versions").json()
    before = stored_state(ctx)
    answers = [
        client.get(f"{URL}/999999"),
        client.get(f"{URL}/999999/stats"),
        client.patch(f"{URL}/999999", json={"name": "X"}),
        client.delete(f"{URL}/999999"),
        client.post(f"{URL}/999999/versions"),
        client.get(f"{URL}/{dataset['id']}/versions/{version['id']}"),
        client.get(f"{URL}/{dataset['id']}/versions/{version['id']}/images"),
        client.delete(f"{URL}/{dataset['id']}/versions/{version['id']}"),
    ]
    assert [a.status_code for a in answers] == [404] * 8
    assert {a.json()["error"] for a in answers} == {"NotFound"}
    assert stored_state(ctx) == before
    bad_cursor = client.get(f"{URL}/{other['id']}/versions/{version['id']}/images", params={"cursor": "x"})
    assert bad_cursor.status_code == 422 and field_of(bad_cursor) == ["cursor"]

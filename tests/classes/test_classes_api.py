"""The class catalogue API: unique names and aliases, renames, deletes, merges and their audit trail."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.classes.models import ClassAlias, OdClass
from shelfscope.od.datasets.models import DatasetImage
from tests.support.seed import (
    annotate,
    audit_rows,
    class_annotation_counts,
    count_statements,
    image_counts,
    make_dataset,
    make_images,
)

API = "/api/v1/od/classes"


def _create(client: TestClient, name: str, **fields: Any) -> dict[str, Any]:
    r = client.post(API, json={"name": name, **fields})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _catalogue(ctx: AppContext) -> list[tuple[int, str, list[Any]]]:
    with ctx.db.read() as s:
        return [(c.id, c.name, list(c.aliases)) for c in s.scalars(select(OdClass).order_by(OdClass.id))]


def _alias_rows(ctx: AppContext) -> dict[str, int]:
    with ctx.db.read() as s:
        return {a.alias_key: a.class_id for a in s.scalars(select(ClassAlias))}


def _fields(response_body: dict[str, Any]) -> set[str]:
    return {f["field"] for f in response_body.get("fields", [])} | {response_body.get("field", "")}


# --- create ------------------------------------------------------------------------------------------


def test_classes_created_without_a_colour_get_distinct_palette_colours(client: TestClient) -> None:
    colors = [_create(client, f"product-{i}")["color"] for i in (1, 2, 10, 11, 12, 20)]
    assert len(set(colors)) == len(colors)


def test_create_class_normalises_input_and_audits(client: TestClient, ctx: AppContext) -> None:
    body = _create(
        client,
        "  Coca   Cola ",
        display_name="Coca-Cola 330ml",
        color="#AABBCC",
        category="drinks",
        aliases=["coke", "COKE", "Cola Classic"],
    )
    assert body["name"] == "Coca Cola"
    assert body["color"] == "#aabbcc"
    assert body["aliases"] == ["coke", "Cola Classic"]
    assert body["annotation_count"] == 0
    assert _alias_rows(ctx) == {"coke": body["id"], "cola classic": body["id"]}

    no_color = _create(client, "Pepsi")
    assert no_color["color"].startswith("#") and len(no_color["color"]) == 7

    assert client.get(f"{API}/{body['id']}").json() == body
    created = audit_rows(ctx)[0]
    assert (created.action, created.class_id, created.class_name, created.before) == (
        "create",
        body["id"],
        "Coca Cola",
        None,
    )
    assert created.after is not None and created.after["aliases"] == ["coke", "Cola Classic"]
    assert created.user_id is not None


def test_create_refuses_a_name_taken_in_any_case(client: TestClient, ctx: AppContext) -> None:
    _create(client, "Cola")
    before = (_catalogue(ctx), len(audit_rows(ctx)))
    for name in ["cola", "COLA", " Cola "]:
        r = client.post(API, json={"name": name})
        assert r.status_code == 409
        assert "name" in _fields(r.json()) and "Cola" in r.json()["detail"]
    assert (_catalogue(ctx), len(audit_rows(ctx))) == before


def test_create_refuses_a_name_or_alias_equal_to_another_alias(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola", aliases=["Coke"])
    before = (_catalogue(ctx), _alias_rows(ctx), len(audit_rows(ctx)))

    r = client.post(API, json={"name": "COKE"})
    assert r.status_code == 409
    assert _fields(r.json()) >= {"name"} and r.json()["class_id"] == cola["id"]
    assert "alias" in r.json()["detail"]

    r = client.post(API, json={"name": "Pepsi", "aliases": ["cola"]})
    assert r.status_code == 409 and "aliases" in _fields(r.json())
    assert (_catalogue(ctx), _alias_rows(ctx), len(audit_rows(ctx))) == before


BAD_CREATES: list[tuple[dict[str, Any], str]] = [
    ({"name": "Cola", "color": "red"}, "color"),
    ({"name": "Cola", "color": "#12345"}, "color"),
    ({"name": "Cola", "color": "#gggggg"}, "color"),
    ({"name": "   "}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": "Cola", "aliases": [""]}, "aliases"),
    ({"display_name": "Cola"}, "name"),
]


def test_create_rejects_bad_input_naming_the_field(client: TestClient, ctx: AppContext) -> None:
    for payload, field in BAD_CREATES:
        r = client.post(API, json=payload)
        assert r.status_code == 422, (payload, r.text)
        assert r.json()["error"] == "ValidationFailed"
        assert field in _fields(r.json()), payload
    assert _catalogue(ctx) == [] and audit_rows(ctx) == []


# --- list --------------------------------------------------------------------------------------------


def test_list_filters_by_category_and_searches_names_and_aliases_with_counts(
    client: TestClient, ctx: AppContext
) -> None:
    cola = _create(client, "Cola", category="drinks", aliases=["Coke Zero"])
    fanta = _create(client, "Fanta", category="drinks", display_name="Orange Soda")
    chips = _create(client, "Chips", category="snacks")
    images = make_images(ctx, 2)
    _, members = make_dataset(ctx, "d", images)
    annotate(ctx, members[images[0]], cola["id"], 3)
    annotate(ctx, members[images[1]], cola["id"], 1)
    annotate(ctx, members[images[1]], chips["id"], 2)

    page = client.get(API).json()
    assert [(c["name"], c["annotation_count"]) for c in page["items"]] == [
        ("Chips", 2),
        ("Cola", 4),
        ("Fanta", 0),
    ]
    assert page["total"] == 3 and page["next_cursor"] is None

    def names(**params: Any) -> list[str]:
        r = client.get(API, params=params)
        assert r.status_code == 200, r.text
        return [c["name"] for c in r.json()["items"]]

    assert names(category="drinks") == ["Cola", "Fanta"]
    assert names(q="zero") == ["Cola"]  # alias
    assert names(q="SODA") == ["Fanta"]  # display name
    assert names(q="ch") == ["Chips"]  # name
    assert names(q="%") == []  # LIKE wildcards are literal
    assert names(category="drinks", q="chips") == []
    assert client.get(API, params={"dataset_id": 999}).json()["items"][0]["annotation_count"] == 0
    assert client.get(f"{API}/categories").json() == [
        {"category": "drinks", "classes": 2},
        {"category": "snacks", "classes": 1},
    ]
    assert fanta["category"] == "drinks"


def test_list_pages_with_a_cursor(client: TestClient) -> None:
    for name in ["d", "b", "e", "a", "c"]:
        _create(client, name)
    first = client.get(API, params={"limit": 2}).json()
    second = client.get(API, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get(API, params={"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [c["name"] for c in first["items"] + second["items"] + third["items"]] == list("abcde")
    assert third["next_cursor"] is None and first["total"] == 5
    bad = client.get(API, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and "cursor" in _fields(bad.json())


def test_list_runs_a_fixed_number_of_queries(client: TestClient, ctx: AppContext) -> None:
    images = make_images(ctx, 1)
    _, members = make_dataset(ctx, "d", images)

    def statements_for_list() -> int:
        with count_statements(ctx.db.engine) as statements:
            assert client.get(API).status_code == 200
        return len(statements)

    for i in range(2):
        annotate(ctx, members[images[0]], _create(client, f"small-{i}")["id"])
    few = statements_for_list()
    for i in range(15):
        annotate(ctx, members[images[0]], _create(client, f"more-{i}", aliases=[f"alias-{i}"])["id"])
    many = statements_for_list()
    assert many == few, "the class list must not query once per class"
    with count_statements(ctx.db.engine) as statements:
        client.get(API)
    assert sum("od_classes" in s for s in statements) <= 2


# --- rename and update ---------------------------------------------------------------------------


def test_rename_keeps_the_old_name_as_alias_and_is_audited(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola", aliases=["Coke"])
    r = client.patch(f"{API}/{cola['id']}", json={"name": "Coca-Cola"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Coca-Cola" and r.json()["aliases"] == ["Coke", "Cola"]
    assert _alias_rows(ctx) == {"coke": cola["id"], "cola": cola["id"]}

    rename = audit_rows(ctx)[-1]
    assert rename.action == "rename" and rename.class_id == cola["id"]
    assert rename.before == {"name": "Cola", "aliases": ["Coke"]}
    assert rename.after == {"name": "Coca-Cola", "aliases": ["Coke", "Cola"]}

    # The old name now belongs to this class: a new class cannot take it, search still finds it.
    taken = client.post(API, json={"name": "COLA"})
    assert taken.status_code == 409 and "alias" in taken.json()["detail"]
    assert [c["id"] for c in client.get(API, params={"q": "cola"}).json()["items"]] == [cola["id"]]

    # Renaming back to one of its own aliases swaps them.
    back = client.patch(f"{API}/{cola['id']}", json={"name": "coke"}).json()
    assert back["name"] == "coke" and back["aliases"] == ["Cola", "Coca-Cola"]
    assert _alias_rows(ctx) == {"cola": cola["id"], "coca-cola": cola["id"]}


def test_patch_other_fields_is_audited_as_update(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola", color="#111111")
    r = client.patch(
        f"{API}/{cola['id']}", json={"color": "#222222", "category": "drinks", "display_name": "Cola"}
    )
    assert r.status_code == 200
    assert (r.json()["color"], r.json()["category"], r.json()["name"]) == ("#222222", "drinks", "Cola")
    update = audit_rows(ctx)[-1]
    assert update.action == "update"
    assert update.before == {"color": "#111111", "category": None, "display_name": ""}
    assert update.after == {"color": "#222222", "category": "drinks", "display_name": "Cola"}

    count = len(audit_rows(ctx))
    assert client.patch(f"{API}/{cola['id']}", json={"color": "#222222"}).status_code == 200
    assert len(audit_rows(ctx)) == count, "a patch that changes nothing writes no audit row"

    cleared = client.patch(f"{API}/{cola['id']}", json={"category": None, "description": None})
    assert cleared.status_code == 200 and (cleared.json()["category"], cleared.json()["description"]) == (
        None,
        "",
    )

    aliases = client.patch(f"{API}/{cola['id']}", json={"aliases": ["Coke", "Cola"]}).json()
    assert aliases["aliases"] == ["Coke"]  # its own name is not an alias
    assert audit_rows(ctx)[-1].after == {"aliases": ["Coke"]}
    assert _alias_rows(ctx) == {"coke": cola["id"]}


def test_patch_bad_input_changes_nothing(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola")
    _create(client, "Pepsi", aliases=["Pepsi Max"])
    before = (_catalogue(ctx), _alias_rows(ctx), len(audit_rows(ctx)))
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"name": "PEPSI"}, 409, "name"),
        ({"name": "pepsi max"}, 409, "name"),
        ({"aliases": ["Pepsi"]}, 409, "aliases"),
        ({"name": "Cola 2", "aliases": ["pepsi MAX"]}, 409, "aliases"),
        ({"color": "blue"}, 422, "color"),
        ({"name": None}, 422, "name"),
        ({"name": " "}, 422, "name"),
    ]
    for payload, status, field in cases:
        r = client.patch(f"{API}/{cola['id']}", json=payload)
        assert r.status_code == status, (payload, r.text)
        assert field in _fields(r.json()), payload
    assert (_catalogue(ctx), _alias_rows(ctx), len(audit_rows(ctx))) == before


# --- delete --------------------------------------------------------------------------------------


def _two_datasets_with(ctx: AppContext, class_id: int, other_id: int) -> dict[str, Any]:
    images = make_images(ctx, 3)
    d1, m1 = make_dataset(ctx, "first", images[:2])
    d2, m2 = make_dataset(ctx, "second", images[2:])
    annotate(ctx, m1[images[0]], class_id, 2)
    annotate(ctx, m1[images[0]], other_id, 1)
    annotate(ctx, m1[images[1]], class_id, 1)
    annotate(ctx, m2[images[2]], class_id, 4)
    return {"d1": d1, "d2": d2, "m1": m1, "m2": m2, "images": images}


def test_delete_refuses_while_annotations_use_the_class(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola")
    other = _create(client, "Other")
    seeded = _two_datasets_with(ctx, cola["id"], other["id"])

    preview = client.get(f"{API}/{cola['id']}/delete-preview").json()
    assert (preview["annotations"], preview["images"]) == (7, 3)
    assert [(d["dataset_name"], d["annotations"], d["images"]) for d in preview["datasets"]] == [
        ("second", 4, 1),
        ("first", 3, 2),
    ]

    before = (_catalogue(ctx), class_annotation_counts(ctx), len(audit_rows(ctx)))
    r = client.delete(f"{API}/{cola['id']}")
    assert r.status_code == 409
    assert (r.json()["annotations"], r.json()["images"]) == (7, 3)
    assert {d["dataset_id"] for d in r.json()["datasets"]} == {seeded["d1"], seeded["d2"]}
    assert (_catalogue(ctx), class_annotation_counts(ctx), len(audit_rows(ctx))) == before

    both = client.delete(f"{API}/{cola['id']}", params={"annotations": "delete", "reassign_to": other["id"]})
    assert both.status_code == 422 and "reassign_to" in _fields(both.json())
    itself = client.delete(f"{API}/{cola['id']}", params={"reassign_to": cola["id"]})
    assert itself.status_code == 422 and "reassign_to" in _fields(itself.json())
    unknown = client.delete(f"{API}/{cola['id']}", params={"reassign_to": 9999})
    assert unknown.status_code == 404 and unknown.json()["field"] == "reassign_to"
    bad_choice = client.delete(f"{API}/{cola['id']}", params={"annotations": "keep"})
    assert bad_choice.status_code == 422 and "annotations" in _fields(bad_choice.json())
    assert (_catalogue(ctx), class_annotation_counts(ctx), len(audit_rows(ctx))) == before


def test_delete_with_annotations_deletes_them_and_fixes_image_counts(
    client: TestClient, ctx: AppContext
) -> None:
    cola = _create(client, "Cola", aliases=["Coke"])
    other = _create(client, "Other")
    seeded = _two_datasets_with(ctx, cola["id"], other["id"])
    with ctx.db.read() as s:
        revisions = {i: rev for i, rev in s.execute(select(DatasetImage.id, DatasetImage.revision))}

    r = client.delete(f"{API}/{cola['id']}", params={"annotations": "delete"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "id": cola["id"],
        "name": "Cola",
        "annotations_deleted": 7,
        "annotations_reassigned": 0,
        "reassigned_to": None,
        "images": 3,
    }
    assert class_annotation_counts(ctx) == {other["id"]: 1}
    counts = image_counts(ctx)
    assert all(stored == real for stored, real in counts.values())
    assert counts[seeded["m1"][seeded["images"][0]]] == (1, 1)
    with ctx.db.read() as s:
        after = {i: rev for i, rev in s.execute(select(DatasetImage.id, DatasetImage.revision))}
    assert all(after[i] == revisions[i] + 1 for i in revisions), "editors holding these images must reload"
    assert [c[1] for c in _catalogue(ctx)] == ["Other"] and _alias_rows(ctx) == {}
    assert client.get(f"{API}/{cola['id']}").status_code == 404

    row = audit_rows(ctx)[-1]
    assert (row.action, row.class_name, row.class_id) == ("delete", "Cola", None)
    assert row.before is not None and row.before["id"] == cola["id"] and row.before["annotation_count"] == 7
    assert row.after == {"annotations_deleted": 7, "images": 3}


def test_delete_with_reassign_moves_annotations(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola")
    other = _create(client, "Other")
    _two_datasets_with(ctx, cola["id"], other["id"])
    r = client.delete(f"{API}/{cola['id']}", params={"reassign_to": other["id"]})
    assert r.status_code == 200
    assert (r.json()["annotations_reassigned"], r.json()["reassigned_to"]) == (7, other["id"])
    assert class_annotation_counts(ctx) == {other["id"]: 8}
    assert all(stored == real for stored, real in image_counts(ctx).values())
    assert audit_rows(ctx)[-1].after == {
        "reassigned_to": other["id"],
        "reassigned_to_name": "Other",
        "annotations_reassigned": 7,
        "images": 3,
    }


def test_delete_an_unused_class(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola")
    assert client.delete(f"{API}/{cola['id']}").json()["annotations_deleted"] == 0
    assert _catalogue(ctx) == []
    assert client.delete(f"{API}/{cola['id']}").status_code == 404
    # The name is free again.
    assert client.post(API, json={"name": "cola"}).status_code == 201


# --- merge ---------------------------------------------------------------------------------------


def test_merge_moves_all_annotations_and_keeps_names_as_aliases(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola", aliases=["Cola Classic"])
    coke = _create(client, "Coke", aliases=["Coke Zero"])
    koala = _create(client, "coca cola")
    untouched = _create(client, "Pepsi")
    images = make_images(ctx, 3)
    d1, m1 = make_dataset(ctx, "first", images[:2])
    d2, m2 = make_dataset(ctx, "second", images[1:])
    annotate(ctx, m1[images[0]], cola["id"], 2)
    annotate(ctx, m1[images[0]], coke["id"], 3)
    annotate(ctx, m1[images[1]], koala["id"], 1)
    annotate(ctx, m2[images[2]], coke["id"], 2)
    annotate(ctx, m2[images[1]], untouched["id"], 5)
    body = {"source_ids": [coke["id"], koala["id"]], "target_id": cola["id"]}

    preview = client.post(f"{API}/merge/preview", json=body).json()
    assert preview["target"] == {"id": cola["id"], "name": "Cola", "annotations": 2}
    assert preview["sources"] == [
        {"id": coke["id"], "name": "Coke", "annotations": 5},
        {"id": koala["id"], "name": "coca cola", "annotations": 1},
    ]
    assert (preview["annotations"], preview["images"]) == (6, 3)
    assert {d["dataset_id"]: (d["annotations"], d["images"]) for d in preview["datasets"]} == {
        d1: (4, 2),
        d2: (2, 1),
    }
    assert preview["aliases_added"] == ["Coke", "Coke Zero", "coca cola"]
    assert len(_catalogue(ctx)) == 4, "the preview changes nothing"

    r = client.post(f"{API}/merge", json=body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["annotations_moved"] == 6 and result["images"] == 3
    assert result["target"]["aliases"] == ["Cola Classic", "Coke", "Coke Zero", "coca cola"]
    assert result["target"]["annotation_count"] == 8
    assert class_annotation_counts(ctx) == {cola["id"]: 8, untouched["id"]: 5}
    assert all(stored == real for stored, real in image_counts(ctx).values())
    assert [c[1] for c in _catalogue(ctx)] == ["Cola", "Pepsi"]
    assert _alias_rows(ctx) == {k: cola["id"] for k in ["cola classic", "coke", "coke zero", "coca cola"]}

    # The merged names resolve to the target and cannot be reused.
    assert [c["id"] for c in client.get(API, params={"q": "zero"}).json()["items"]] == [cola["id"]]
    assert client.post(API, json={"name": "COKE"}).status_code == 409
    listed = {c["name"]: c["annotation_count"] for c in client.get(API).json()["items"]}
    assert listed == {"Cola": 8, "Pepsi": 5}

    rows = audit_rows(ctx)[-3:]
    assert [(a.action, a.class_name, a.class_id) for a in rows] == [
        ("merge", "Coke", None),
        ("merge", "coca cola", None),
        ("merge", "Cola", cola["id"]),
    ]
    assert rows[0].before is not None and rows[0].before["id"] == coke["id"]
    assert rows[0].before["annotation_count"] == 5
    assert rows[0].after == {"merged_into": cola["id"], "merged_into_name": "Cola"}
    target_row = rows[2]
    assert target_row.before is not None and target_row.after is not None
    assert target_row.before["aliases"] == ["Cola Classic"] and target_row.before["annotation_count"] == 2
    assert target_row.after["annotation_count"] == 8 and target_row.after["annotations_moved"] == 6
    assert target_row.after["merged_from"] == [
        {"id": coke["id"], "name": "Coke", "annotations": 5},
        {"id": koala["id"], "name": "coca cola", "annotations": 1},
    ]
    assert all(a.user_id is not None for a in rows)


def test_merge_bad_input_changes_nothing(client: TestClient, ctx: AppContext) -> None:
    target = _create(client, "Cola")["id"]
    source = _create(client, "Coke")["id"]
    images = make_images(ctx, 1)
    _, members = make_dataset(ctx, "d", images)
    annotate(ctx, members[images[0]], source, 2)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"source_ids": [target], "target_id": target}, 422, "source_ids"),
        ({"source_ids": [source, target], "target_id": target}, 422, "source_ids"),
        ({"source_ids": [], "target_id": target}, 422, "source_ids"),
        ({"source_ids": [source, 9999], "target_id": target}, 404, "source_ids"),
        ({"source_ids": [source], "target_id": 9999}, 404, "target_id"),
    ]
    before = (_catalogue(ctx), _alias_rows(ctx), class_annotation_counts(ctx), len(audit_rows(ctx)))
    for body, status, field in cases:
        for path in (f"{API}/merge/preview", f"{API}/merge"):
            r = client.post(path, json=body)
            assert r.status_code == status, (body, r.text)
            assert field in _fields(r.json()), body
            if status == 404:
                assert 9999 in r.json()["missing_ids"]
    assert (_catalogue(ctx), _alias_rows(ctx), class_annotation_counts(ctx), len(audit_rows(ctx))) == before
    self_merge = client.post(f"{API}/merge", json=cases[0][0]).json()
    assert "itself" in self_merge["detail"]


# --- history -------------------------------------------------------------------------------------


def test_history_and_change_log_are_newest_first_and_paginated(client: TestClient, ctx: AppContext) -> None:
    cola = _create(client, "Cola")
    other = _create(client, "Other")
    client.patch(f"{API}/{cola['id']}", json={"name": "Coca-Cola"})
    client.patch(f"{API}/{cola['id']}", json={"color": "#000000"})
    client.delete(f"{API}/{other['id']}")

    history = client.get(f"{API}/{cola['id']}/history").json()
    assert [h["action"] for h in history["items"]] == ["update", "rename", "create"]
    assert history["items"][1]["before"]["name"] == "Cola" and history["items"][1]["username"] == "admin"

    log = client.get(f"{API}/changes").json()["items"]
    assert [(c["action"], c["class_name"]) for c in log] == [
        ("delete", "Other"),
        ("update", "Coca-Cola"),
        ("rename", "Coca-Cola"),
        ("create", "Other"),
        ("create", "Cola"),
    ]
    assert [
        c["class_name"] for c in client.get(f"{API}/changes", params={"action": "create"}).json()["items"]
    ] == [
        "Other",
        "Cola",
    ]

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/changes", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in log]
    assert client.get(f"{API}/{other['id']}/history").status_code == 404
    assert client.get(f"{API}/changes", params={"action": "explode"}).status_code == 422


# --- roles and unknown ids -----------------------------------------------------------------------


def test_viewers_read_but_cannot_change_anything(
    client: TestClient, viewer_client: TestClient, ctx: AppContext
) -> None:
    cola = _create(client, "Cola")
    coke = _create(client, "Coke")
    before = (_catalogue(ctx), len(audit_rows(ctx)))
    assert viewer_client.get(API).status_code == 200
    assert viewer_client.get(f"{API}/{cola['id']}/history").status_code == 200
    attempts = [
        viewer_client.post(API, json={"name": "Fanta"}),
        viewer_client.patch(f"{API}/{cola['id']}", json={"name": "x"}),
        viewer_client.delete(f"{API}/{cola['id']}"),
        viewer_client.post(f"{API}/merge", json={"source_ids": [coke["id"]], "target_id": cola["id"]}),
    ]
    assert [r.status_code for r in attempts] == [403] * 4
    assert all(r.json()["error"] == "Forbidden" for r in attempts)
    assert (_catalogue(ctx), len(audit_rows(ctx))) == before


def test_annotators_edit_classes_but_only_admins_delete_or_merge(
    annotator_client: TestClient, ctx: AppContext
) -> None:
    cola = _create(annotator_client, "Cola")
    coke = _create(annotator_client, "Coke")
    assert annotator_client.patch(f"{API}/{cola['id']}", json={"category": "drinks"}).status_code == 200
    assert annotator_client.delete(f"{API}/{cola['id']}").status_code == 403
    merge = {"source_ids": [coke["id"]], "target_id": cola["id"]}
    assert annotator_client.post(f"{API}/merge", json=merge).status_code == 403
    assert len(_catalogue(ctx)) == 2


def test_unknown_class_ids_are_404(client: TestClient) -> None:
    for r in [
        client.get(f"{API}/4242"),
        client.patch(f"{API}/4242", json={"color": "#000000"}),
        client.delete(f"{API}/4242"),
        client.get(f"{API}/4242/delete-preview"),
        client.get(f"{API}/4242/history"),
    ]:
        assert r.status_code == 404 and r.json()["error"] == "NotFound" and "4242" in r.json()["detail"]

"""One set of text rules for every name people type (shelfscope.text): control characters (NUL
included) and bidirectional override characters are refused with the field named, everywhere, and
nothing is stored; other Unicode is kept as written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.auth.models import ApiToken, User
from shelfscope.context import AppContext
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset
from shelfscope.text import clean_name, clean_text

BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
CONTROLS = ["\x00", "\r", "\x1b", "\x7f", "\x85", "\x9b"]


@pytest.mark.parametrize("bad", BIDI + CONTROLS + ["\ud800"])
def test_control_bidi_and_surrogate_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"control|surrogate"):
        clean_name(f"cola{bad}zero")


def test_names_are_trimmed_folded_and_otherwise_kept_as_written() -> None:
    assert clean_name("  Coca\tCola \n Zero ") == "Coca Cola Zero"
    # An emoji family (zero-width joiners) and a Persian word (a zero-width non-joiner).
    family, persian = "👨\u200d👩\u200d👧", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert clean_name(family) == family and clean_name(persian) == persian
    assert clean_text("   ") == ""
    with pytest.raises(ValueError, match="empty"):
        clean_name(" \t ")
    with pytest.raises(ValueError, match="at most 10"):
        clean_name("x" * 11, max_length=10)


def _counts(ctx: AppContext) -> tuple[int, ...]:
    with ctx.db.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (OdClass, Dataset, ApiToken, User)
        )


NameRequest = tuple[str, str, Callable[[str], dict[str, Any]], str]
NAMED_FIELDS: list[NameRequest] = [
    ("POST", "/api/v1/od/classes", lambda v: {"name": v}, "name"),
    ("POST", "/api/v1/od/classes", lambda v: {"name": "ok", "aliases": ["fine", v]}, "aliases"),
    ("POST", "/api/v1/od/classes", lambda v: {"name": "ok", "display_name": v}, "display_name"),
    ("POST", "/api/v1/od/classes", lambda v: {"name": "ok", "category": v}, "category"),
    ("POST", "/api/v1/od/datasets", lambda v: {"name": v}, "name"),
    ("POST", "/api/v1/auth/tokens", lambda v: {"name": v}, "name"),
    ("POST", "/api/v1/auth/users", lambda v: {"username": "newbie", "display_name": v}, "display_name"),
    ("POST", "/api/v1/od/images/bulk", lambda v: {"action": "tag", "ids": [1], "tags": [v]}, "tags"),
    ("POST", "/api/v1/od/images/bulk", lambda v: {"action": "set_folder", "ids": [1], "folder": v}, "folder"),
    ("POST", "/api/v1/od/datasets/1/versions", lambda v: {"name": v}, "name"),
]


def test_every_name_field_refuses_control_and_bidi_characters_and_stores_nothing(
    client: TestClient, ctx: AppContext
) -> None:
    dataset = client.post("/api/v1/od/datasets", json={"name": "Shelves"}).json()
    assert dataset["id"] == 1
    before = _counts(ctx)
    for bad in ("\x00", "\u202e", "\u2066", "\r"):
        for method, url, body, field in NAMED_FIELDS:
            r = client.request(method, url, json=body(f"gpj{bad}.exe"))
            assert r.status_code == 422, (url, field, repr(bad), r.text)
            fields = [f["field"] for f in r.json()["fields"]]
            assert any(f == field or f.startswith(f"{field}[") for f in fields), (url, fields)
        renamed = client.patch("/api/v1/od/datasets/1", json={"name": f"a{bad}b"})
        assert renamed.status_code == 422 and renamed.json()["fields"][0]["field"] == "name"
    assert _counts(ctx) == before
    assert client.get("/api/v1/od/datasets/1").json()["name"] == "Shelves"

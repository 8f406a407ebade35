"""The streaming JSON reader: element by element, with lines, across buffer boundaries, and errors
that name the line and column."""

from __future__ import annotations

import io
import json

import pytest

from shelfscope.od.io.common import FormatError
from shelfscope.od.io.jsonstream import ARRAY_START, SCALAR, iter_top_level


def _items(text: str) -> list[tuple[str, int, object, int]]:
    return list(iter_top_level(io.BytesIO(text.encode()), "f.json"))


def test_arrays_come_element_by_element_with_their_lines() -> None:
    text = '{\n "info": {"a": 1},\n "images": [\n  {"id": 1},\n  {"id": 2}\n ],\n "empty": []\n}'
    assert _items(text) == [
        ("info", SCALAR, {"a": 1}, 2),
        ("images", ARRAY_START, None, 3),
        ("images", 0, {"id": 1}, 4),
        ("images", 1, {"id": 2}, 5),
        ("empty", ARRAY_START, None, 7),
    ]


def test_a_large_file_reads_in_order_across_buffer_boundaries() -> None:
    doc = {
        "images": [{"id": i, "name": "x" * (i % 300), "v": 1.5 + i} for i in range(30_000)],
        "tail": 123456789,
    }
    text = json.dumps(doc, indent=None).replace("}, {", "},\n{")
    items = list(iter_top_level(io.BytesIO(text.encode()), "big.json"))
    elements = [it for it in items if it[0] == "images" and it[1] >= 0]
    assert [e[2] for e in elements] == doc["images"]
    assert [e[3] for e in elements[:3]] == [1, 2, 3] and elements[-1][3] == 30_000
    assert items[-1] == ("tail", SCALAR, 123456789, 30_000)


def test_a_single_element_larger_than_the_buffer_is_read_whole() -> None:
    big = {"id": 1, "segmentation": [[float(i) for i in range(400_000)]]}
    items = list(iter_top_level(io.BytesIO(json.dumps({"annotations": [big, {"id": 2}]}).encode()), "f"))
    assert [it[2]["id"] for it in items if it[1] >= 0] == [1, 2]


def test_nan_and_infinity_are_read_as_floats_for_the_checks_to_refuse() -> None:
    items = _items('{"a": [NaN, Infinity, -Infinity]}')
    values = [v for _, p, v, _ in items if p >= 0]
    assert str(values) == "[nan, inf, -inf]"


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('{"a": [1, 2,]}', 1, "Expecting value"),
        ('{\n"a": [\n{"x": 1}\n{"y": 2}]}', 4, "expected ',' or ']'"),
        ("[1, 2]", 1, "JSON object"),
        ('{"a": 1} trailing', 1, "after the end"),
        ('{"a": [1, 2', 1, "expected ',' or ']'"),
        ("", 1, "JSON object"),
    ],
)
def test_malformed_json_names_the_line(text: str, line: int, what: str) -> None:
    with pytest.raises(FormatError) as caught:
        list(iter_top_level(io.BytesIO(text.encode()), "bad.json"))
    assert caught.value.kind == "malformed_json" and caught.value.file == "bad.json"
    assert caught.value.line == line and what in caught.value.message


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(FormatError) as caught:
        list(iter_top_level(io.BytesIO(b'{"a": "\xff\xfe"}'), "bin.json"))
    assert caught.value.kind == "encoding"

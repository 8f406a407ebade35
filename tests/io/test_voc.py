"""Pascal VOC: hardened parsing (no DTDs, no entities), objects and flags, and write → read."""

from __future__ import annotations

import pytest

from shelfscope.od.io import voc
from shelfscope.od.io.common import FormatError


def test_written_xml_reads_back_with_flags() -> None:
    boxes = [
        voc.VocBox("cola & co", 1.5, 2, 30, 40, difficult=True, pose="Left"),
        voc.VocBox("chips", 0, 0, 5, 5, truncated=True),
    ]
    annotation, issues = voc.parse_voc(voc.voc_xml("a.jpg", 64, 48, 3, boxes), "a.xml")
    assert issues == []
    assert (annotation.filename, annotation.width, annotation.height) == ("a.jpg", 64, 48)
    first, second = annotation.objects
    assert (first.name, first.xmin, first.ymin, first.xmax, first.ymax) == ("cola & co", 1.5, 2.0, 30.0, 40.0)
    assert first.difficult and first.pose == "Left" and not first.truncated
    assert second.truncated and not second.difficult


def test_objects_without_a_box_or_with_bad_numbers_are_named() -> None:
    xml = (
        b"<annotation><object><name>a</name></object>"
        b"<object><name>b</name><bndbox><xmin>1</xmin><ymin>x</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object>"
        b"<object><bndbox/></object></annotation>"
    )
    _, issues = voc.parse_voc(xml, "a.xml")
    assert [(i.kind, i.field) for i in issues] == [
        ("bad_box", "object[0].bndbox"),
        ("bad_number", "object[1].bndbox.ymin"),
        ("bad_object", "object[2].name"),
    ]


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c"><!ENTITY d "&b;&b;&b;">]>'
        b"<annotation>&d;</annotation>",
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotation>&x;</annotation>',
        b'<?xml version="1.0"?><!DOCTYPE annotation SYSTEM "http://example.invalid/a.dtd"><annotation/>',
    ],
)
def test_dtds_entities_and_external_references_are_refused(xml: bytes) -> None:
    with pytest.raises(FormatError) as caught:
        voc.parse_voc(xml, "evil.xml")
    assert caught.value.kind == "unsafe_xml" and caught.value.file == "evil.xml"


def test_malformed_and_foreign_xml_are_told_apart() -> None:
    with pytest.raises(FormatError) as caught:
        voc.parse_voc(b"<annotation>\n<object>\n</annotation>", "bad.xml")
    assert caught.value.kind == "malformed_xml" and caught.value.line == 3
    with pytest.raises(FormatError) as caught:
        voc.parse_voc(b"<svg/>", "x.xml")
    assert caught.value.kind == "not_voc"


def test_images_are_looked_for_beside_the_xml_and_in_sibling_folders() -> None:
    candidates = voc.image_candidates(
        "ds/Annotations/a.xml", "C:\\labelImg\\a.jpg", {"a": ["ds/JPEGImages/a.jpg"]}
    )
    assert candidates[:2] == ["ds/Annotations/a.jpg", "ds/JPEGImages/a.jpg"]
    lists = voc.split_lists(
        ["ds/ImageSets/Main/train.txt", "ds/ImageSets/Main/cat_train.txt", "ds/ImageSets/Main/val.txt"],
        {"ds/ImageSets/Main/train.txt": "a\nb\n", "ds/ImageSets/Main/val.txt": "c 1\n"}.__getitem__,
    )
    assert lists == {"a": "train", "b": "train", "c": "val"}

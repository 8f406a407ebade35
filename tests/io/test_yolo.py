"""YOLO: names in data.yaml, obj.data and names files; label lines; writing labels that read back."""

from __future__ import annotations

import pytest

from shelfscope.od.io import yolo
from shelfscope.od.io.common import FormatError, Issue


def test_names_as_a_list_or_a_mapping() -> None:
    assert yolo.parse_data_yaml("names: [a, b]\n", "data.yaml").names == ("a", "b")
    assert yolo.parse_data_yaml("names:\n  0: a\n  2: c\n", "d/data.yaml").names == ("a", None, "c")
    with pytest.raises(FormatError) as caught:
        yolo.parse_data_yaml("names: 5\n", "data.yaml")
    assert caught.value.field == "names"
    with pytest.raises(FormatError) as caught:
        yolo.parse_data_yaml("names: [a\n  b: c", "data.yaml")
    assert caught.value.kind == "malformed_yaml" and caught.value.line is not None


def test_config_is_found_in_data_yaml_obj_data_or_a_names_file() -> None:
    texts = {
        "x/obj.data": "classes = 2\ntrain = data/train.txt\nnames = data/obj.names\n",
        "x/obj.names": "cola\nchips\n",
        "x/train.txt": "data/obj_train_data/1.jpg\n",
    }
    config = yolo.find_config(sorted(texts), texts.__getitem__)
    assert (
        config.names == ("cola", "chips")
        and config.root == "x"
        and config.split_entries == {"train": ("data/train.txt",)}
    )
    assert yolo.find_config(["a/classes.txt"], lambda p: "one\n").names == ("one",)
    with pytest.raises(FormatError):
        yolo.find_config(["images/a.jpg"], lambda p: "")


def test_paths_in_configs_resolve_as_written_without_dotdot_or_data_prefix() -> None:
    files = {"ds/train/images", "ds/images/val", "ds/list.txt"}
    exists = files.__contains__
    assert yolo.resolve_path("ds", "../train/images", exists) == "ds/train/images"
    assert yolo.resolve_path("ds", "data/list.txt", exists) == "ds/list.txt"
    assert yolo.resolve_path("ds", "images/val", exists) == "ds/images/val"
    assert yolo.resolve_path("ds", "/etc", exists) is None


def test_label_files_are_found_beside_or_in_labels_folders() -> None:
    assert yolo.label_candidates("ds/images/train/a.b.jpg")[:2] == [
        "ds/labels/train/a.b.txt",
        "ds/Labels/train/a.b.txt",
    ]
    assert "ds/Annotations/1.txt" in yolo.label_candidates("ds/Images/1.jpg")


def test_label_lines_boxes_polygons_pose_and_bad_lines() -> None:
    text = (
        "0 0.5 0.5 0.2 0.4\n"
        "\n"
        "1 0.1 0.1 0.3 0.1 0.2 0.4\n"
        "2 0.5 0.5 0.2\n"
        "x 0.5 0.5 0.2 0.2\n"
        "0 0.5 zz 0.2 0.2\n"
        "1.5 0.5 0.5 0.2 0.2\n"
    )
    out = list(yolo.parse_labels(text, "l.txt", None))
    box, polygon = out[0], out[1]
    assert isinstance(box, yolo.YoloShape) and (box.cx, box.cy, box.w, box.h, box.line) == (
        0.5,
        0.5,
        0.2,
        0.4,
        1,
    )
    assert isinstance(polygon, yolo.YoloShape) and polygon.polygon == (0.1, 0.1, 0.3, 0.1, 0.2, 0.4)
    assert polygon.cx == pytest.approx(0.2) and polygon.h == pytest.approx(0.3)
    issues = [i for i in out if isinstance(i, Issue)]
    assert [(i.line, i.kind) for i in issues] == [
        (4, "bad_field_count"),
        (5, "bad_number"),
        (6, "bad_number"),
        (7, "bad_number"),
    ]
    pose = list(yolo.parse_labels("0 0.5 0.5 0.2 0.2 0.1 0.2 2 0.3 0.4 2\n", "p.txt", (2, 3)))
    assert isinstance(pose[0], yolo.YoloShape) and pose[0].keypoints_dropped and pose[0].polygon is None


def test_written_label_lines_read_back_to_the_same_box() -> None:
    line = yolo.label_line(3, 10.25, 20.5, 110.125, 70.75, 4000, 3000)
    (shape,) = list(yolo.parse_labels(line, "l.txt", None))
    assert isinstance(shape, yolo.YoloShape) and shape.class_index == 3
    x1, x2 = (shape.cx - shape.w / 2) * 4000, (shape.cx + shape.w / 2) * 4000
    y1, y2 = (shape.cy - shape.h / 2) * 3000, (shape.cy + shape.h / 2) * 3000
    assert (x1, y1, x2, y2) == pytest.approx((10.25, 20.5, 110.125, 70.75), rel=1e-9)
    spec = yolo.parse_data_yaml(yolo.data_yaml(["cola", "chips"], ["train", "val"]), "data.yaml")
    assert spec.names == ("cola", "chips") and spec.split_entries == {
        "train": ("images/train",),
        "val": ("images/val",),
    }

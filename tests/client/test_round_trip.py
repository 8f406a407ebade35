"""The round trip a team scripts, through the client against a real server: upload a camera folder,
import its YOLO labels, freeze a version, download it as YOLO, and get the same files back."""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml

from shelfscope.client import Client
from tests.client.test_datasets import shelf_items, yolo_zip
from tests.support.dataset_files import write_yolo


def labels_by_name(root: Path) -> dict[str, list[tuple[str, float, float, float, float]]]:
    """Every label file under root as (class name, cx, cy, w, h) rows, keyed by split/stem."""
    names = yaml.safe_load((root / "data.yaml").read_text())["names"]
    names = names if isinstance(names, dict) else dict(enumerate(names))
    out = {}
    for path in sorted(root.glob("labels/*/*.txt")):
        rows = []
        for line in path.read_text().splitlines():
            index, *numbers = line.split()
            cx, cy, w, h = (float(n) for n in numbers)
            rows.append((names[int(index)], cx, cy, w, h))
        out[f"{path.parent.name}/{path.stem}"] = sorted(rows)
    return out


def test_upload_import_version_download_gives_the_same_files_back(api: Client, tmp_path: Path) -> None:
    items = shelf_items(6)
    source = write_yolo(tmp_path / "camera", items)

    uploaded = api.images.upload(source / "images", folder="round-trip")
    assert (uploaded.stored, uploaded.rejected) == (6, 0)

    name = f"round-trip-{uuid.uuid4().hex[:8]}"
    job = api.datasets.import_archive(yolo_zip(tmp_path / "labels-archive", items), "yolo", dataset=name)
    assert job.ok
    dataset = api.datasets.get(name)
    # The archive's images are the uploaded ones (same bytes): no copies in the library.
    assert sorted(i.image_id for i in dataset.images()) == sorted(i for i in uploaded.image_ids if i)

    version = dataset.create_version(name="v1")
    folder = version.download("yolo", tmp_path / "downloaded")

    sent = {p.relative_to(source).as_posix(): p.read_bytes() for p in source.glob("images/*/*")}
    got = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.glob("images/*/*")}
    assert got == sent
    expected, returned = labels_by_name(source), labels_by_name(folder)
    assert returned.keys() == expected.keys()
    for key, rows in expected.items():
        assert len(returned[key]) == len(rows)
        for a, b in zip(rows, returned[key], strict=True):
            assert a[0] == b[0]
            assert all(abs(x - y) < 1e-5 for x, y in zip(a[1:], b[1:], strict=True)), (key, a, b)

"""Archives as other tools and other machines write them: foreign config paths, duplicate files
labelled twice, several problems at once, the wrong format chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.support.dataset_files import (
    counts,
    dataset_splits,
    run_job,
    sample_items,
    upload,
    write_yolo,
    zip_folder,
)


def _run(client: TestClient, ctx: AppContext, fmt: str, data: bytes, **fields: Any) -> Any:
    response = upload(client, fmt, data, **fields)
    assert response.status_code == 202, response.text
    return run_job(ctx, response.json()["job"]["id"])


def _warnings(result: dict[str, Any]) -> list[str]:
    return [i["message"] for i in result["issues"] if i.get("severity") == "warning"]


_NAMES = "names:\n  0: chips\n  1: cola\n  2: water\n"


@pytest.mark.parametrize("base", ["C:/Users/annotator/datasets/shelf", "/home/annotator/datasets/shelf"])
def test_a_yolo_config_pointing_at_another_machine_falls_back_to_the_layout_beside_it(
    client: TestClient, ctx: AppContext, tmp_path: Path, base: str
) -> None:
    items = sample_items(6)
    root = write_yolo(tmp_path / "yolo", items)
    splits = sorted({it.split or "train" for it in items})
    (root / "data.yaml").write_text(
        f"path: {base}\n" + "".join(f"{s}: {base}/images/{s}\n" for s in splits) + _NAMES
    )

    job = _run(client, ctx, "yolo", zip_folder(root))

    assert job.status == "succeeded", (job.error, job.result)
    assert job.result["images"]["stored"] == 6
    assert job.result["annotations"]["imported"] == sum(len(it.boxes) for it in items)
    assert sorted(str(s) for s in dataset_splits(ctx, job.result["dataset_id"]).values()) == sorted(
        it.split or "train" for it in items
    )
    assert any(base in w and "beside" in w for w in _warnings(job.result)), job.result["issues"]


def test_yolo_train_lists_of_dot_slash_image_paths_are_read_beside_the_config(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = sample_items(6)
    root = write_yolo(tmp_path / "yolo", items)
    splits = sorted({it.split or "train" for it in items})
    for s in splits:
        names = [it.name for it in items if (it.split or "train") == s]
        (root / f"{s}.txt").write_text("".join(f"./images/{s}/{n}\n" for n in names))
    (root / "data.yaml").write_text(
        "path: C:/Users/annotator/shelf\n" + "".join(f"{s}: {s}.txt\n" for s in splits) + _NAMES
    )

    job = _run(client, ctx, "yolo", zip_folder(root))

    assert job.status == "succeeded", (job.error, job.result)
    assert job.result["images"]["stored"] == 6
    assert sorted(str(s) for s in dataset_splits(ctx, job.result["dataset_id"]).values()) == sorted(
        it.split or "train" for it in items
    )
    assert any("C:/Users/annotator/shelf" in w for w in _warnings(job.result))
    assert counts(ctx)["images"] == 6

"""Hostile import inputs end in a report naming the file and line, never a crashed job: YAML alias
bombs, class indexes past any integer column, JSON nested 100,000 deep, NUL bytes in folder paths."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job, JobEvent
from tests.support.dataset_files import (
    Box,
    Item,
    assert_nothing_written,
    run_job,
    start_import,
    write_coco,
    write_yolo,
    zip_folder,
)


def _stored_sizes(ctx: AppContext, job_id: int) -> tuple[int, int]:
    """Characters of the job's stored result and of its whole log."""
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        logs = session.scalars(select(JobEvent.message).where(JobEvent.job_id == job_id)).all()
    return len(str(job.result or "")) + len(job.error or ""), sum(len(m or "") for m in logs)


def alias_bomb(levels: int = 6) -> str:
    """YAML whose anchors nest: expanded, the last alias is 10**levels strings."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append(f"names: {{0: *a{levels}}}")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_naming_the_file_and_line(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_yolo(tmp_path / "yolo", [Item("a.jpg", 1, "train", boxes=[Box("cola", 1, 1, 10, 10)])])
    (root / "data.yaml").write_text(alias_bomb())

    job = run_job(ctx, start_import(client, "yolo", zip_folder(root)))

    assert job.status == "failed"
    issue = job.result["issues"][0]  # type: ignore[index]
    assert (issue["kind"], issue["file"], issue["line"]) == ("yaml_alias", "data.yaml", 1)
    assert "data.yaml" in issue["message"] and "alias" in issue["message"]
    assert_nothing_written(ctx)
    assert max(_stored_sizes(ctx, job.id)) < 20_000


def test_non_string_class_names_are_refused_naming_the_entry(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_yolo(tmp_path / "yolo", [Item("a.jpg", 1, "train", boxes=[Box("cola", 1, 1, 10, 10)])])
    (root / "data.yaml").write_text("train: images/train\nnames:\n  0: cola\n  1: [a, b]\n")

    job = run_job(ctx, start_import(client, "yolo", zip_folder(root)))

    assert job.status == "failed"
    issue = job.result["issues"][0]  # type: ignore[index]
    assert (issue["file"], issue["line"], issue["field"]) == ("data.yaml", 4, "names.1")
    assert_nothing_written(ctx)
    # YAML 1.1 reads an unquoted `no` as false: refused, not turned into a class named "False".
    (root / "data.yaml").write_text("train: images/train\nnames: [cola, no]\n")
    job = run_job(ctx, start_import(client, "yolo", zip_folder(root)))
    issue = job.result["issues"][0]  # type: ignore[index]
    assert (issue["field"], issue["line"]) == ("names[1]", 2) and "quote" in issue["message"]
    assert_nothing_written(ctx)


def test_a_class_index_past_any_integer_is_an_issue_on_its_line(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_yolo(tmp_path / "yolo", [Item("a.jpg", 1, "train", boxes=[Box("cola", 1, 1, 10, 10)])])
    (root / "labels" / "train" / "a.txt").write_text(
        "0 0.5 0.5 0.2 0.2\n99999999999999999999 0.5 0.5 0.2 0.2\n1e300 0.5 0.5 0.1 0.1\n"
    )

    failed = run_job(ctx, start_import(client, "yolo", zip_folder(root), on_invalid="fail"))
    assert failed.status == "failed", failed.error
    lines = {i["line"]: i for i in failed.result["issues"] if i.get("file") == "labels/train/a.txt"}  # type: ignore[index]
    assert set(lines) == {2, 3} and lines[2]["field"] == "class"
    assert_nothing_written(ctx)

    skipped = run_job(ctx, start_import(client, "yolo", zip_folder(root), on_invalid="skip"))
    assert skipped.status == "succeeded", skipped.error
    assert skipped.result["annotations"]["imported"] == 1  # type: ignore[index]


def test_coco_json_nested_100000_deep_is_a_report_error(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_coco(tmp_path / "coco", [Item("a.jpg", 1, "train", boxes=[Box("cola", 1, 1, 10, 10)])])
    path = root / "annotations" / "instances_train.json"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(path.read_text().replace('"annotations": [', f'"annotations": [{deep}, ', 1))

    job = run_job(ctx, start_import(client, "coco", zip_folder(root)))

    assert job.status == "failed"
    issue = job.result["issues"][0]  # type: ignore[index]
    assert issue["file"] == "annotations/instances_train.json" and "nested" in issue["message"]
    assert issue["line"] >= 1
    assert_nothing_written(ctx)

    # The same nesting in a scalar member (not an array element) too.
    path.write_text('{"info": ' + deep.replace("[]", "[{}]", 1) + ', "images": []}')
    job = run_job(ctx, start_import(client, "coco", zip_folder(root)))
    assert job.status == "failed" and "nested" in job.result["issues"][0]["message"]  # type: ignore[index]
    assert_nothing_written(ctx)


def test_a_nul_byte_in_a_folder_path_is_422_naming_the_field(
    client: TestClient, ctx: AppContext, import_root: Path
) -> None:
    folder = write_coco(import_root / "coco", [Item("a.jpg", 1, "train", boxes=[Box("cola", 1, 1, 9, 9)])])
    r = client.post("/api/v1/od/images/import/coco", json={"path": f"{folder}\x00/x"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "path"
    r = client.post("/api/v1/od/images/import/coco", json={"path": str(folder), "dataset_id": 2**64})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "dataset_id"
    assert_nothing_written(ctx)

"""The quickstart in docs/python-client.md, run as it is written, in a real Python process against a
real server: if the docs drift from the client, this fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.client.conftest import LiveServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "python-client.md"


def quickstart() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "docs/python-client.md has no python block"
    return str(blocks[0])


def test_the_quickstart_is_at_most_ten_lines_of_code() -> None:
    lines = [line for line in quickstart().splitlines() if line.strip()]
    assert 3 <= len(lines) <= 10


def test_the_quickstart_runs_as_written(live_server: LiveServer, shared_data: Path, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    sources = sorted((shared_data / "detection" / "raccoon" / "images").glob("*.jpg"))[:3]
    assert len(sources) == 3
    for source in sources:
        shutil.copy(source, photos / source.name)
    (tmp_path / "quickstart.py").write_text(quickstart(), encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHELFSCOPE_")},
        "SHELFSCOPE_URL": live_server.url,
        "SHELFSCOPE_TOKEN": live_server.token,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(DOC.parents[1] / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    done = subprocess.run(
        [sys.executable, "quickstart.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    first, listing = done.stdout.strip().splitlines()[-2:]
    assert first.endswith(", 0 rejected")
    assert "data.yaml" in listing
    exported = tmp_path / "shelf-quickstart-yolo"
    images = {p.name: p for p in exported.glob("images/*/*")}
    assert set(images) == {p.name for p in sources}
    assert all(images[p.name].read_bytes() == p.read_bytes() for p in sources)
    assert {p.stem for p in exported.glob("labels/*/*.txt")} == {p.stem for p in sources}

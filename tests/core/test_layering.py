"""The layers stay apart: the server loads no ML library, services and job handlers know nothing of
HTTP, routers know nothing of SQL.

Each rule fails naming the file and the import. To see it, break one:

- add `from fastapi import HTTPException` to `od/images/service.py` (or any service or `jobs.py`):
  `test_services_and_handlers_import_no_web_framework` names that file and `fastapi`;
- add `from sqlalchemy import select` to `od/datasets/router.py`:
  `test_routers_import_no_sqlalchemy` names it;
- add `import torch` at the top of `od/exports/service.py`: `test_importing_the_app_loads_no_ml_library`
  reports the attempt, whether or not torch is installed.

The scan reads every import statement in the source (at the top of a module or inside a function)
without importing anything; the app test imports `shelfscope.app` in a fresh interpreter.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import shelfscope

PACKAGE = Path(shelfscope.__file__).resolve().parent
# The HTTP layer: the app, routers, FastAPI dependencies and the shared HTTP helpers.
HTTP_LAYER_NAMES = {"router.py", "deps.py"}
HTTP_LAYER_PATHS = {"app.py", "http"}
WEB_FRAMEWORKS = {"fastapi", "starlette"}
ML_LIBRARIES = ["torch", "torchvision", "transformers", "ultralytics", "onnxruntime", "shelfscope.ml"]
# The torch-free parts of shelfscope.ml the server may load: which models exist, where their weights are.
SERVER_SIDE_ML = ["shelfscope.ml", "shelfscope.ml.catalogue", "shelfscope.ml.weights"]


def imported_modules(source: str) -> Iterator[str]:
    """Every module an import statement in `source` names (absolute imports; relative ones are local)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def is_http_layer(relative: Path) -> bool:
    return relative.name in HTTP_LAYER_NAMES or relative.parts[0] in HTTP_LAYER_PATHS


def violations(root: Path, *, http_layer: bool, forbidden: set[str]) -> list[str]:
    """'path: module' for each import of a `forbidden` top-level package in the chosen layer's modules."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "db" and "migrations" in relative.parts:
            continue
        if is_http_layer(relative) != http_layer:
            continue
        for module in imported_modules(path.read_text()):
            if module.split(".")[0] in forbidden:
                found.append(f"{relative}: {module}")
    return found


def routers(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in sorted(root.rglob("router.py"))]


def test_services_and_handlers_import_no_web_framework() -> None:
    assert violations(PACKAGE, http_layer=False, forbidden=WEB_FRAMEWORKS) == []


def test_routers_import_no_sqlalchemy() -> None:
    found = [
        v
        for v in violations(PACKAGE, http_layer=True, forbidden={"sqlalchemy"})
        if v.split(":")[0] in routers(PACKAGE)
    ]
    assert found == []


def test_the_scan_catches_a_broken_rule(tmp_path: Path) -> None:
    """The checks above are only worth something if they can fail: a tree that breaks each rule."""
    (tmp_path / "od" / "shelf").mkdir(parents=True)
    (tmp_path / "od" / "shelf" / "service.py").write_text("def f():\n    from fastapi import HTTPException\n")
    (tmp_path / "od" / "shelf" / "jobs.py").write_text("import starlette.responses\n")
    (tmp_path / "od" / "shelf" / "router.py").write_text(
        "from fastapi import APIRouter\nfrom sqlalchemy import select\n"
    )
    assert violations(tmp_path, http_layer=False, forbidden=WEB_FRAMEWORKS) == [
        "od/shelf/jobs.py: starlette.responses",
        "od/shelf/service.py: fastapi",
    ]
    assert violations(tmp_path, http_layer=True, forbidden={"sqlalchemy"}) == [
        "od/shelf/router.py: sqlalchemy"
    ]


_PROBE = """
import importlib.abc, json, sys

WATCHED = {watched!r}
attempts = []

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == w or name.startswith(w + ".") for w in WATCHED):
            attempts.append(name)
        return None

sys.meta_path.insert(0, Watch())
import shelfscope.app
# What `shelfscope serve` loads next: every job handler module (their torch imports are inside handlers).
from shelfscope.jobs.registry import load_job_modules
load_job_modules()
loaded = sorted(m for m in sys.modules if any(m == w or m.startswith(w + ".") for w in WATCHED))
allowed = {allowed!r}
print(json.dumps({{
    "attempts": sorted(set(attempts) - set(allowed)),
    "loaded": sorted(set(loaded) - set(allowed)),
}}))
"""


def test_importing_the_app_loads_no_ml_library() -> None:
    """A fresh interpreter imports the app and the job handler modules; no ML library is loaded, or
    even looked for (beyond the torch-free catalogue and weights modules)."""
    probe = _PROBE.format(watched=ML_LIBRARIES, allowed=SERVER_SIDE_ML)
    # The same source tree as this test process, whatever is installed.
    path = os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH", "")]))
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"attempts": [], "loaded": []}

"""The layers stay apart: the server loads no ML library, services and job handlers know nothing of
HTTP, routers know nothing of SQL.

Each rule fails naming the file and the import. To see it, break one:

- add `from fastapi import HTTPException` to `od/images/service.py` (or any service or `jobs.py`):
  `test_services_and_handlers_import_no_web_framework` names that file and `fastapi`;
- add `from sqlalchemy import select` to `od/datasets/router.py`:
  `test_routers_import_no_sqlalchemy` names it;
- add `import torch` at the top of `od/exports/service.py`: `test_importing_the_app_loads_no_ml_library`
  reports the attempt, whether or not torch is installed;
- add `from shelfscope.ml.runtime import pick_device` at the top of `weights/service.py`:
  `test_the_server_imports_only_the_torch_free_ml_modules` names it, and both fresh-interpreter tests
  report `shelfscope.ml.runtime`.

The scan reads every import statement in the source (at the top of a module or inside a function)
without importing anything; the app tests import `shelfscope.app` (and what `shelfscope serve` loads)
in a fresh interpreter.
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
ML_LIBRARIES = [
    "torch",
    "torchvision",
    "transformers",
    "ultralytics",
    "onnxruntime",
    "huggingface_hub",
    "shelfscope.ml",
]
# What the server may load of shelfscope.ml: the catalogue and where weights are (both torch-free).
SERVER_ML_MODULES = {
    "shelfscope.ml",
    "shelfscope.ml.catalogue",
    "shelfscope.ml.weights",
    "shelfscope.ml.trainers",
    "shelfscope.ml.trainers.catalogue",
    "shelfscope.ml.trainers.base",
    "shelfscope.ml.trainers.protocol",
    # Where the YOLO-NAS environment is and whether it is installed (torch-free at module level; the
    # trainer and predictor import onnxruntime inside their functions). It returns Detections.
    "shelfscope.ml.trainers.yolo_nas",
    "shelfscope.ml.trainers.onnx",
    "shelfscope.ml.detections",
    # The embedding-training config (a dataclass): the API resolves and stores it; torch stays in the
    # worker (ml.embeddings.train and the rest of the package).
    "shelfscope.ml.embeddings",
    "shelfscope.ml.embeddings.config",
}
# The torch-free value types and interfaces of shelfscope.ml that code outside it may import at module
# level (worker-side modules in od/ such as the AI pipeline); none of them imports an ML library.
TORCH_FREE_ML_MODULES = SERVER_ML_MODULES | {
    "shelfscope.ml.detections",
    "shelfscope.ml.detectors.base",
    "shelfscope.ml.segmenters.base",
    "shelfscope.ml.trainers.families",
}


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


def module_level_imports(source: str) -> Iterator[str]:
    """Modules imported at the top of a module (not inside a function), `from a import b` as `a.b`."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def server_ml_imports(root: Path) -> list[str]:
    """'path: module' for each module-level import of shelfscope.ml beyond the torch-free modules, in
    code outside `ml/` (which the server imports). Handlers import the rest inside their functions."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "ml":
            continue
        for module in module_level_imports(path.read_text()):
            if module.startswith("shelfscope.ml.") and not any(
                module == allowed or (allowed != "shelfscope.ml" and module.startswith(allowed + "."))
                for allowed in TORCH_FREE_ML_MODULES
            ):
                found.append(f"{relative}: {module}")
    return found


def test_the_server_imports_only_the_torch_free_ml_modules() -> None:
    assert server_ml_imports(PACKAGE) == []


def test_the_torch_free_ml_modules_import_no_ml_library() -> None:
    heavy = {name for name in ML_LIBRARIES if not name.startswith("shelfscope")}
    found = []
    for module in sorted(TORCH_FREE_ML_MODULES - {"shelfscope.ml"}):
        path = PACKAGE.joinpath(*module.split(".")[1:]).with_suffix(".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        for imported in module_level_imports(path.read_text()):
            if imported.split(".")[0] in heavy:
                found.append(f"{module}: {imported}")
    assert found == []


def test_the_ml_scan_catches_a_torch_module_import(tmp_path: Path) -> None:
    (tmp_path / "weights").mkdir()
    (tmp_path / "ml").mkdir()
    (tmp_path / "weights" / "service.py").write_text(
        "from shelfscope.ml.catalogue import get_spec\nfrom shelfscope.ml import weights, runtime\n"
        "def f():\n    from shelfscope.ml.detectors import base\n"
    )
    (tmp_path / "ml" / "runtime.py").write_text("import torch\nfrom shelfscope.ml.cache import ModelCache\n")
    assert server_ml_imports(tmp_path) == ["weights/service.py: shelfscope.ml.runtime"]


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
{body}
loaded = sorted(m for m in sys.modules if any(m == w or m.startswith(w + ".") for w in WATCHED))
print(json.dumps({{"attempts": sorted(set(attempts)), "loaded": loaded}}))
"""

# What `shelfscope serve` imports and builds before uvicorn runs, plus the job handler modules (the
# server loads them to submit jobs; local workers are its child processes).
_SERVE_BODY = """
import tempfile, uvicorn
from pathlib import Path
from shelfscope.cli import app
from shelfscope.app import create_app
from shelfscope.auth.service import first_admin_link
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.registry import load_job_modules, registered_kinds
folder = Path(tempfile.mkdtemp())
ctx = AppContext.from_settings(Settings(data_dir=folder, web_dir=folder / "no-web"))
create_app(ctx, start_runner=False)
load_job_modules()
assert "ml.models.fetch" in registered_kinds()
ctx.close()
"""


def _probe(body: str) -> dict[str, list[str]]:
    """Run `body` in a fresh interpreter; the ML modules it looked for and loaded, less the allowed ones."""
    probe = _PROBE.format(watched=ML_LIBRARIES, body=body)
    # The same source tree as this test process, whatever is installed.
    path = os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH", "")]))
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return {what: [m for m in modules if m not in SERVER_ML_MODULES] for what, modules in seen.items()}


def test_importing_the_app_loads_no_ml_library() -> None:
    """A fresh interpreter imports the app; no ML library is loaded, or even looked for."""
    assert _probe("import shelfscope.app") == {"attempts": [], "loaded": []}


def test_the_serve_command_path_loads_no_ml_library() -> None:
    """What `shelfscope serve` loads before it listens (the app, its context, every job handler module)."""
    assert _probe(_SERVE_BODY) == {"attempts": [], "loaded": []}


def test_the_client_loads_no_server_code_and_no_ml_library() -> None:
    """`import shelfscope.client` (and the CLI's remote commands) on a laptop with only the base
    package: no server framework, database layer, server feature module or ML library is loaded."""
    server = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "torch", "transformers")
    body = (
        "import json, sys\n"
        "import shelfscope.client, shelfscope.client.commands.common, shelfscope.client.session\n"
        "from shelfscope.client import Client\n"
        "Client('http://127.0.0.1:9', 'x').close()\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {server!r} "
        "or m.startswith(('shelfscope.od', 'shelfscope.pr', 'shelfscope.db', 'shelfscope.auth', "
        "'shelfscope.jobs', 'shelfscope.ml', 'shelfscope.app')))\n"
        "print(json.dumps(bad))\n"
    )
    path = os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, "-c", body],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []

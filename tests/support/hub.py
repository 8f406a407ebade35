"""A stand-in for the model hub on 127.0.0.1: the file API that huggingface_hub 2.x's snapshot_download
calls, so tests run the real download code (settings.ml_hub_endpoint points at it) and never the hub.

The calls it answers:
- GET  /api/models/{repo}/revision/{rev}          → {"id", "sha", "siblings"} (the commit to fetch)
- GET  /api/models/{repo}/tree/{sha}?recursive=…  → [{"type": "file", "path", "size", "oid"}]
- HEAD /{repo}/resolve/{sha}/{path}                → X-Repo-Commit, ETag, Content-Length
- GET  /{repo}/resolve/{sha}/{path}                → the bytes (a `Range: bytes=N-` gives 206)

A file can be made to fail: "missing" (listed, but 404 when fetched) or "cut" (the first GET sends
half the bytes and drops the connection; every later GET is a 500), or to trickle (sent in pieces
with a pause between them, for progress and cancel tests).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import unquote, urlsplit

Failure = Literal["missing", "cut"]
_REVISION = re.compile(r"^/api/models/([^/]+/[^/]+)/revision/([^/]+)$")
_TREE = re.compile(r"^/api/models/([^/]+/[^/]+)/tree/([^/]+)$")
_RESOLVE = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")
_PIECE = 64 * 1024


@dataclass
class HubRepo:
    files: dict[str, bytes]
    sha: str
    failures: dict[str, Failure] = field(default_factory=dict)
    # Seconds to spread a file's bytes over (sent in 64 KiB pieces).
    trickle_s: dict[str, float] = field(default_factory=dict)
    cut_sent: set[str] = field(default_factory=set)


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.requests: list[str] = []
        # The Authorization header of each request, in the order of `requests` (None: none sent).
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:
                hub._answer(self, head=False)

            def do_HEAD(self) -> None:
                hub._answer(self, head=True)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def add(self, repo_id: str, files: dict[str, bytes]) -> HubRepo:
        sha = hashlib.sha1(repo_id.encode() + b"".join(sorted(files.values()))).hexdigest()  # noqa: S324
        repo = HubRepo(files=dict(files), sha=sha)
        self.repos[repo_id] = repo
        return repo

    def reset(self) -> None:
        self.repos.clear()
        self.requests.clear()
        self.authorizations.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def downloads(self) -> list[str]:
        """Paths whose bytes were asked for (GET on /resolve/)."""
        return [
            r.split("/resolve/", 1)[1].split("/", 1)[1]
            for r in self.requests
            if r.startswith("GET /") and "/resolve/" in r
        ]

    # ---- answering --------------------------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler, *, head: bool) -> None:
        path = unquote(urlsplit(handler.path).path)
        with self._lock:
            self.requests.append(f"{handler.command} {path}")
            self.authorizations.append(handler.headers.get("Authorization"))
        if match := _REVISION.match(path):
            self._revision(handler, match.group(1), head)
        elif match := _TREE.match(path):
            self._tree(handler, match.group(1), head)
        elif match := _RESOLVE.match(path):
            self._resolve(handler, match.group(1), match.group(3), head)
        else:
            _send(handler, 404, b'{"error": "not found"}', {"X-Error-Code": "RepoNotFound"}, head)

    def _repo(self, handler: BaseHTTPRequestHandler, repo_id: str, head: bool) -> HubRepo | None:
        repo = self.repos.get(repo_id)
        if repo is None:
            body = json.dumps({"error": f"Repository {repo_id} not found"}).encode()
            _send(handler, 404, body, {"X-Error-Code": "RepoNotFound"}, head)
        return repo

    def _revision(self, handler: BaseHTTPRequestHandler, repo_id: str, head: bool) -> None:
        if (repo := self._repo(handler, repo_id, head)) is None:
            return
        body = {"id": repo_id, "sha": repo.sha, "siblings": [{"rfilename": p} for p in repo.files]}
        _send(handler, 200, json.dumps(body).encode(), {"Content-Type": "application/json"}, head)

    def _tree(self, handler: BaseHTTPRequestHandler, repo_id: str, head: bool) -> None:
        if (repo := self._repo(handler, repo_id, head)) is None:
            return
        entries = [
            {"type": "file", "path": p, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}  # noqa: S324
            for p, data in repo.files.items()
        ]
        _send(handler, 200, json.dumps(entries).encode(), {"Content-Type": "application/json"}, head)

    def _resolve(self, handler: BaseHTTPRequestHandler, repo_id: str, file: str, head: bool) -> None:
        if (repo := self._repo(handler, repo_id, head)) is None:
            return
        data = repo.files.get(file)
        failure = repo.failures.get(file)
        if data is None or failure == "missing":
            body = json.dumps({"error": f"Entry {file} not found"}).encode()
            _send(handler, 404, body, {"X-Error-Code": "EntryNotFound"}, head)
            return
        headers = {
            "X-Repo-Commit": repo.sha,
            "ETag": f'"{hashlib.sha1(data).hexdigest()}"',  # noqa: S324
            "Accept-Ranges": "bytes",
        }
        if head:
            _send(handler, 200, data, headers, head=True)
        elif failure == "cut":
            self._cut(handler, repo, file, data, headers)
        else:
            _send_file(handler, data, headers, repo.trickle_s.get(file, 0.0))

    def _cut(
        self, handler: BaseHTTPRequestHandler, repo: HubRepo, file: str, data: bytes, headers: dict[str, str]
    ) -> None:
        with self._lock:
            first = file not in repo.cut_sent
            repo.cut_sent.add(file)
        if not first:
            _send(handler, 500, b'{"error": "Internal Error"}', {}, head=False)
            return
        handler.send_response(200)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.wfile.flush()
        handler.close_connection = True


def _send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str], head: bool
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if not head:
        handler.wfile.write(body)


def _send_file(
    handler: BaseHTTPRequestHandler, data: bytes, headers: dict[str, str], trickle_s: float
) -> None:
    start = 0
    ranged = re.fullmatch(r"bytes=(\d+)-", handler.headers.get("Range", ""))
    if ranged:
        start = int(ranged.group(1))
        headers = {**headers, "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
    body = data[start:]
    handler.send_response(206 if ranged else 200)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    pieces = [body[i : i + _PIECE] for i in range(0, len(body), _PIECE)] or [b""]
    pause = trickle_s / len(pieces)
    try:
        for piece in pieces:
            handler.wfile.write(piece)
            handler.wfile.flush()
            if pause:
                time.sleep(pause)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True

"""Import from URLs: a job (202), fetched with limits (size, redirects, one total deadline however
slowly the source sends), and never from the server's own network (every resolved address and every
redirect is checked, and the connection goes to the checked address)."""

from __future__ import annotations

import ipaddress
import socket
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.app import create_app
from shelfscope.context import AppContext
from shelfscope.errors import PayloadTooLarge, ValidationFailed
from shelfscope.jobs.models import Job
from shelfscope.jobs.service import get_job
from shelfscope.od.images.fetch import FetchPolicy, FetchRefused, SafeFetcher, blocked_reason, check_url
from tests.support.app import signed_in_client
from tests.support.dataset_files import run_job
from tests.support.images import FETCH_DEADLINE_S, MAX_UPLOAD_BYTES, ImageServer, Library, make_image
from tests.support.jobs import wait_for
from tests.support.servers import free_port

URL = "/api/v1/od/images/import/url"


def import_urls(client: TestClient, ctx: AppContext, body: dict[str, Any]) -> dict[str, Any]:
    """Start the import (202 and a job), run the job, return its result: the per-URL results."""
    response = client.post(URL, json=body)
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", job.error
    assert job.result is not None
    return job.result


def test_import_stores_images_from_urls_with_per_url_results(
    client: TestClient, ctx: AppContext, image_server: ImageServer, library: Library
) -> None:
    jpeg = make_image((50, 40), (90, 10, 10))
    png = make_image((20, 30), (10, 90, 10), fmt="PNG")
    first = image_server.serve("/photos/shelf.jpg", jpeg)
    second = (
        image_server.serve(
            "/download", png, "image/png", **{"Content-Disposition": 'attachment; filename="aisle 7.png"'}
        )
        + "?id=7"
    )
    moved = image_server.redirect("/old/shelf.jpg", "/photos/shelf.jpg", 301)
    missing = image_server.url + "/nope.jpg"
    body = import_urls(
        client, ctx, {"urls": [first, second, moved, missing], "folder": "web", "tags": ["Imported"]}
    )
    assert (body["stored"], body["duplicate"], body["rejected"]) == (2, 1, 1)
    stored = body["results"][0]["image"]
    assert stored["filename"] == "shelf.jpg" and stored["source"] == "url" and stored["source_id"] == first
    assert stored["folder"] == "web" and stored["tags"] == ["imported"]
    assert body["results"][1]["image"]["filename"] == "aisle 7.png"
    assert body["results"][2]["status"] == "duplicate"
    rejected = body["results"][3]
    assert (
        rejected["url"] == missing
        and rejected["error"]["status"] == 404
        and "HTTP 404" in rejected["error"]["detail"]
    )
    assert client.get(stored["file_url"]).content == jpeg
    assert library.image_count() == 2


def test_addresses_on_the_servers_own_network_are_refused(
    client: TestClient, ctx: AppContext, image_server: ImageServer, library: Library
) -> None:
    other_port = free_port()
    image_server.serve("/shelf.jpg", make_image())
    urls = [
        f"http://127.0.0.1:{other_port}/shelf.jpg",  # loopback, a port not on the allow list
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/x.jpg",
        "http://192.168.0.10/x.jpg",
        "http://172.16.5.4/x.jpg",
        f"http://[::1]:{image_server.port}/shelf.jpg",  # the allowed server, but by another name
        f"http://localhost:{other_port}/x.jpg",
        "http://0.0.0.0/x.jpg",
        "http://2130706433/x.jpg",  # 127.0.0.1 written as a number
        image_server.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/iam/"),
        image_server.redirect("/to-other-port", f"http://127.0.0.1:{other_port}/shelf.jpg"),
        image_server.redirect("/to-private", "http://10.0.0.1/x.jpg"),
        "ftp://example.com/x.jpg",
        "file:///etc/passwd",
    ]
    body = import_urls(client, ctx, {"urls": urls})
    assert body["rejected"] == len(urls), [r for r in body["results"] if r["status"] != "rejected"]
    for url, result in zip(urls, body["results"], strict=True):
        assert result["url"] == url
        assert result["error"]["error"] == "ValidationFailed"
        assert "refused" in result["error"]["detail"], result
    metadata = body["results"][1]["error"]
    assert metadata["address"] == "169.254.169.254" and "metadata" in metadata["detail"]
    assert "loopback" in body["results"][5]["error"]["detail"]
    library.assert_empty()


def test_size_and_redirect_limits(
    client: TestClient, ctx: AppContext, image_server: ImageServer, library: Library
) -> None:
    big = image_server.serve("/big.jpg", b"\xff\xd8" + b"0" * MAX_UPLOAD_BYTES)
    for hop in range(6):
        image_server.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    image_server.serve("/hop6", make_image())
    body = import_urls(client, ctx, {"urls": [big, image_server.url + "/hop0"]})
    too_big, looping = body["results"]
    assert too_big["error"]["error"] == "PayloadTooLarge" and "limit" in too_big["error"]["detail"]
    assert "more than 5 redirects" in looping["error"]["detail"]
    library.assert_empty()
    five = import_urls(client, ctx, {"urls": [image_server.url + "/hop1"]})
    assert five["stored"] == 1


def test_a_slow_source_is_cut_at_its_deadline_in_the_job_and_the_other_urls_are_imported(
    client: TestClient, ctx: AppContext, image_server: ImageServer, library: Library
) -> None:
    slow_body = image_server.trickle("/slow-body.jpg", make_image(), 0.05)
    slow_head = image_server.trickle("/slow-head.jpg", make_image(color=(1, 2, 3)), 0.05, headers_too=True)
    good = image_server.serve("/good.jpg", make_image((30, 20), (5, 80, 5)))

    started = time.monotonic()
    response = client.post(URL, json={"urls": [slow_body, slow_head, good]})
    assert response.status_code == 202 and time.monotonic() - started < 1.0
    assert response.json()["job"]["kind"] == "od.images.import_url"
    assert image_server.seen_auth == {}, "the request itself fetched nothing"

    started = time.monotonic()
    job = run_job(ctx, response.json()["job"]["id"])
    took = time.monotonic() - started
    assert job.status == "succeeded" and job.result is not None
    body = job.result
    assert (body["stored"], body["duplicate"], body["rejected"]) == (1, 0, 2)
    for result in body["results"][:2]:
        assert result["status"] == "rejected" and result["error"]["timeout_s"] == FETCH_DEADLINE_S
        assert f"within {FETCH_DEADLINE_S:g} s" in result["error"]["detail"]
    assert body["results"][2]["status"] == "stored" and body["results"][2]["url"] == good
    assert took < 2 * FETCH_DEADLINE_S + 2.0, f"two slow URLs took {took:.1f} s"
    assert library.image_count() == 1 and len(library.stored_keys()) == 2  # the good image and its thumbnail
    wait_for(lambda: image_server.trickling == 0, 3.0, "the slow sources to see their connections cut")


def test_url_list_is_validated_and_nothing_is_queued(client: TestClient, ctx: AppContext) -> None:
    bodies: list[dict[str, Any]] = [
        {"urls": []},
        {"urls": ["http://x"] * 101},
        {"urls": ["http://x"], "folder": "a/../b"},
    ]
    for body in bodies:
        response = client.post(URL, json=body)
        assert response.status_code == 422 and response.json()["error"] == "ValidationFailed"
    assert job_count(ctx) == 0


def test_viewers_cannot_import(
    viewer_client: TestClient, ctx: AppContext, image_server: ImageServer, library: Library
) -> None:
    url = image_server.serve("/a.jpg", make_image())
    assert viewer_client.post(URL, json={"urls": [url]}).status_code == 403
    assert job_count(ctx) == 0
    library.assert_empty()


def test_health_answers_while_many_url_imports_from_slow_sources_run(
    ctx: AppContext, make_user: Callable[..., Any], image_server: ImageServer
) -> None:
    """The attack that stalled the API: 40 imports from sources that trickle bytes. Each request only
    queues a job; a worker process does the fetching, cut at the deadline; /health stays quick."""
    make_user("admin", "admin")
    urls = [
        image_server.trickle(f"/slow-{i}.jpg", make_image(color=(i, 9, 9)), 0.05, for_s=30.0)
        for i in range(40)
    ]
    health_ms: list[float] = []
    stop = threading.Event()
    # The runner starts with this app: jobs run in a real worker process, as under `shelfscope serve`.
    with signed_in_client(create_app(ctx), "admin") as client:
        wait_for(lambda: ctx.runner.health()["workers"] >= 1, 30, "a local worker")

        def post(url: str) -> tuple[int, float, int]:
            started = time.monotonic()
            response = client.post(URL, json={"urls": [url]})
            return response.status_code, time.monotonic() - started, response.json().get("job", {}).get("id")

        def ping() -> None:
            while not stop.is_set():
                started = time.monotonic()
                assert client.get("/api/v1/od/health").status_code in (200, 503)
                health_ms.append((time.monotonic() - started) * 1000)
                time.sleep(0.05)

        with ThreadPoolExecutor(41) as pool:
            pinger = pool.submit(ping)
            posted = list(pool.map(post, urls))
            first = min(job_id for _, _, job_id in posted)
            try:
                done = wait_for(lambda: _finished(ctx, first), 30, f"URL import job {first} to finish")
            finally:
                stop.set()
                pinger.result()
    assert [status for status, _, _ in posted] == [202] * 40
    # Generous bounds for a loaded test machine: a request that fetched by itself took the 30 s the
    # sources trickle for, holding one of the serving threads all along, and /health waited as long.
    assert max(took for _, took, _ in posted) < 8.0
    assert len(health_ms) >= 5 and statistics.median(health_ms) < 1000, sorted(health_ms)
    assert max(health_ms) < 8000, sorted(health_ms)[-5:]
    assert done.status == "succeeded" and done.result is not None
    assert done.result["rejected"] == 1
    assert "within" in done.result["results"][0]["error"]["detail"]


def _finished(ctx: AppContext, job_id: int) -> Job | None:
    with ctx.db.read() as session:
        job = get_job(session, job_id)
        return job if job.status in ("succeeded", "failed", "cancelled") else None


def job_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


# ---- the fetcher itself (no database) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("168.63.129.16", "metadata"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "not a public"),
        ("224.0.0.1", "multicast"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    found = blocked_reason(ipaddress.ip_address(address))
    assert (found is None) if reason is None else (found is not None and reason in found)


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """DNS is the one external boundary here: answer chosen names with chosen addresses."""
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_every_resolved_address_must_be_public_and_is_not_revealed(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {"mixed.example": ["93.184.216.34", "10.0.0.7"], "db.internal": ["10.9.8.7"]})
    for url in ("http://mixed.example/x.jpg", "http://db.internal/x.jpg"):
        with pytest.raises(FetchRefused) as refused:
            check_url(url, FetchPolicy(max_bytes=1000))
        message = refused.value.detail
        assert "is not allowed" in message and url in message
        assert "10." not in message and "private" not in message and "address" not in refused.value.extra
    # An address the person wrote themselves is named with its kind: nothing is revealed.
    with pytest.raises(FetchRefused, match=r"10\.0\.0\.7 is a private address"):
        check_url("http://10.0.0.7/x.jpg", FetchPolicy(max_bytes=1000))


def test_connection_goes_to_the_checked_address_with_the_original_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_dns(monkeypatch, {"shop.example": ["93.184.216.34"]})
    hop = check_url("https://shop.example:8443/a.jpg?x=1", FetchPolicy(max_bytes=1000))
    assert str(hop.pinned) == "https://93.184.216.34:8443/a.jpg?x=1"
    assert hop.host_header == "shop.example:8443"


def test_a_rebinding_name_is_fetched_from_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch, image_server: ImageServer
) -> None:
    # The name answers the allowed test server first; any second lookup would answer the metadata
    # address. The fetch must use the first answer and never look again.
    image_server.serve("/r.jpg", b"bytes")
    lookups: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            lookups.append(host)
            address = "127.0.0.1" if len(lookups) == 1 else "169.254.169.254"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    policy = FetchPolicy(max_bytes=1000, allow_hosts=frozenset({f"rebind.test:{image_server.port}"}))
    with (
        SafeFetcher(policy) as fetcher,
        fetcher.fetch(f"http://rebind.test:{image_server.port}/r.jpg") as got,
    ):
        assert got.file.read() == b"bytes"
    assert lookups == ["rebind.test"]


def test_fetch_limits_without_the_api(image_server: ImageServer) -> None:
    url = image_server.serve("/x.bin", b"x" * 2000)
    allowed = frozenset({f"127.0.0.1:{image_server.port}"})
    with SafeFetcher(FetchPolicy(max_bytes=1999, allow_hosts=allowed)) as fetcher:
        with pytest.raises(PayloadTooLarge), fetcher.fetch(url):
            pass
        with fetcher.fetch(url, max_bytes=2000) as got:
            assert got.size == 2000 and got.filename == "x.bin"
    with SafeFetcher(FetchPolicy(max_bytes=5000)) as strict:
        refused = pytest.raises(FetchRefused, match="loopback")
        with refused, strict.fetch(url):
            pass
    with SafeFetcher(FetchPolicy(max_bytes=5000, allow_hosts=allowed)) as fetcher:
        unknown = pytest.raises(ValidationFailed, match="does not resolve")
        with unknown, fetcher.fetch("http://no-such-host.invalid/"):
            pass


@pytest.mark.parametrize("where", ["body", "headers", "after a redirect"])
def test_the_deadline_covers_the_whole_fetch_not_each_read(image_server: ImageServer, where: str) -> None:
    # A byte every 20 ms: no single read ever waits long, so only a total deadline can end this.
    url = image_server.trickle("/t.jpg", b"x" * 10_000, 0.02, headers_too=where == "headers")
    if where == "after a redirect":
        url = image_server.redirect("/r", "/t.jpg")
    allowed = frozenset({f"127.0.0.1:{image_server.port}"})
    started = time.monotonic()
    policy = FetchPolicy(max_bytes=100_000, allow_hosts=allowed, total_timeout_s=0.5)
    with (
        SafeFetcher(policy) as fetcher,
        pytest.raises(ValidationFailed, match=r"within 0\.5 s"),
        fetcher.fetch(url),
    ):
        pass
    assert time.monotonic() - started < 1.5
    wait_for(lambda: image_server.trickling == 0, 3.0, "the source to see its connection cut")

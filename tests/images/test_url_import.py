"""Import from URLs: fetched with limits, and never from the server's own network (every resolved
address and every redirect is checked, and the connection goes to the checked address)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.errors import PayloadTooLarge, ValidationFailed
from shelfscope.od.images.fetch import FetchPolicy, FetchRefused, SafeFetcher, blocked_reason, check_url
from tests.support.images import MAX_UPLOAD_BYTES, ImageServer, Library, make_image
from tests.support.servers import free_port

URL = "/api/v1/od/images/import/url"


def test_import_stores_images_from_urls_with_per_url_results(
    client: TestClient, image_server: ImageServer, library: Library
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
    response = client.post(
        URL, json={"urls": [first, second, moved, missing], "folder": "web", "tags": ["Imported"]}
    )
    assert response.status_code == 207
    body = response.json()
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
    client: TestClient, image_server: ImageServer, library: Library
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
    response = client.post(URL, json={"urls": urls})
    assert response.status_code == 207
    body = response.json()
    assert body["rejected"] == len(urls), [r for r in body["results"] if r["status"] != "rejected"]
    for url, result in zip(urls, body["results"], strict=True):
        assert result["url"] == url
        assert result["error"]["error"] == "ValidationFailed"
        assert "refused" in result["error"]["detail"], result
    metadata = body["results"][1]["error"]
    assert metadata["address"] == "169.254.169.254" and "metadata" in metadata["detail"]
    assert "loopback" in body["results"][5]["error"]["detail"]
    library.assert_empty()


def test_size_and_redirect_limits(client: TestClient, image_server: ImageServer, library: Library) -> None:
    big = image_server.serve("/big.jpg", b"\xff\xd8" + b"0" * MAX_UPLOAD_BYTES)
    for hop in range(6):
        image_server.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    image_server.serve("/hop6", make_image())
    body = client.post(URL, json={"urls": [big, image_server.url + "/hop0"]}).json()
    too_big, looping = body["results"]
    assert too_big["error"]["error"] == "PayloadTooLarge" and "limit" in too_big["error"]["detail"]
    assert "more than 5 redirects" in looping["error"]["detail"]
    library.assert_empty()
    five = client.post(URL, json={"urls": [image_server.url + "/hop1"]}).json()
    assert five["stored"] == 1


def test_url_list_is_validated(client: TestClient) -> None:
    assert client.post(URL, json={"urls": []}).status_code == 422
    assert client.post(URL, json={"urls": ["http://x"] * 101}).status_code == 422


def test_viewers_cannot_import(
    viewer_client: TestClient, image_server: ImageServer, library: Library
) -> None:
    url = image_server.serve("/a.jpg", make_image())
    assert viewer_client.post(URL, json={"urls": [url]}).status_code == 403
    library.assert_empty()


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

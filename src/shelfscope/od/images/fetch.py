"""Outbound HTTP fetches that cannot be turned against the server's own network.

Used by URL import and the sync connector. Every hop (the first URL and each redirect) is resolved
once; every resolved address must be public (not loopback, private, link-local, cloud metadata,
multicast or reserved) unless its host is explicitly allowed in Settings.url_fetch_allow_hosts, and
the connection then goes to that checked address (Host header and TLS name stay the original host),
so a DNS answer that changes between the check and the connect (DNS rebinding) cannot swap it.
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from typing import BinaryIO
from urllib.parse import unquote, urljoin

import httpx

from shelfscope.config import Settings
from shelfscope.errors import PayloadTooLarge, ValidationFailed

MAX_REDIRECTS = 5
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
# Whole fetch, all hops and the body together: a server trickling bytes cannot hold a worker forever.
TOTAL_TIMEOUT_S = 120.0
_CHUNK = 256 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Addresses clouds answer instance credentials on. Most are link-local or private already; the
# Azure one (168.63.129.16) is a public address, so each is named explicitly.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchRefused(ValidationFailed):
    """The URL (or a redirect) points somewhere the server must not connect to, or uses another scheme."""


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int
    # "host" (any port) or "host:port"; IPv6 as "[::1]:8080". Lower-case.
    allow_hosts: frozenset[str] = frozenset()
    total_timeout_s: float = TOTAL_TIMEOUT_S
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls, settings: Settings, max_bytes: int | None = None) -> FetchPolicy:
        return cls(
            max_bytes=max_bytes if max_bytes is not None else settings.max_upload_bytes,
            allow_hosts=frozenset(h.strip().lower() for h in settings.url_fetch_allow_hosts if h.strip()),
        )

    def allows(self, host: str, port: int) -> bool:
        shown = f"[{host}]" if ":" in host else host
        return shown in self.allow_hosts or f"{shown}:{port}" in self.allow_hosts


@dataclass
class Fetched:
    """A fetched body spooled to a temporary file (closed when the `fetch` block ends)."""

    file: BinaryIO
    size: int
    filename: str
    content_type: str | None
    final_url: str


def blocked_reason(ip: IPAddress) -> str | None:
    """Why this address may not be fetched from, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and friends reach IPv4 hosts; judge the IPv4 address they carry.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return blocked_reason(embedded)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "not a public address"
    return None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int, url: str) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationFailed(
            f"{url} could not be fetched: {host} does not resolve ({exc}).", url=url
        ) from None
    found: dict[IPAddress, None] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        # Strip an IPv6 zone ("fe80::1%eth0"); the address itself is what gets judged.
        found[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
    if not found:
        raise ValidationFailed(f"{url} could not be fetched: {host} has no address.", url=url)
    return list(found)


@dataclass(frozen=True)
class _Hop:
    url: httpx.URL
    pinned: httpx.URL
    host_header: str


def check_url(url: str, policy: FetchPolicy) -> _Hop:
    """Parse, resolve and judge one URL; returns the URL to connect to (its host replaced by the IP)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchRefused(f"{url} is not a valid URL ({exc}).", url=url) from None
    if parsed.scheme not in ("http", "https"):
        raise FetchRefused(f"{url} was refused: only http and https URLs can be fetched.", url=url)
    host = parsed.host
    if not host:
        raise FetchRefused(f"{url} was refused: it names no host.", url=url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = _resolve(host, port, url)
    if not policy.allows(host.lower(), port):
        for ip in addresses:
            reason = blocked_reason(ip)
            if reason is None:
                continue
            if _is_address(host):
                # The person wrote the address themselves: naming its kind tells them nothing new.
                raise FetchRefused(
                    f"{url} was refused: {host} is {reason}; only public addresses can be fetched.",
                    url=url,
                    address=str(ip),
                )
            # A name: what it resolves to on the server's network is not the caller's to learn.
            raise FetchRefused(
                f"{url} was refused: the host {host} is not allowed; only hosts on the public internet "
                "can be fetched.",
                url=url,
            )
    # Connect to the address that was checked, never to a fresh lookup of the name.
    pinned = parsed.copy_with(host=str(addresses[0]))
    default_port = parsed.port is None
    host_header = (f"[{host}]" if ":" in host else host) + ("" if default_port else f":{port}")
    return _Hop(url=parsed, pinned=pinned, host_header=host_header)


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _filename_from(response: httpx.Response, url: httpx.URL) -> str:
    disposition = response.headers.get("content-disposition")
    if disposition:
        msg = Message()
        msg["content-disposition"] = disposition
        name = msg.get_filename()
        if name:
            return name
    last = unquote(url.path.rstrip("/").rsplit("/", 1)[-1])
    return last or url.host or "download"


class SafeFetcher:
    """One HTTP client for many fetches (keep-alive to the same pinned address is reused)."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        # trust_env=False: a proxy from the environment would connect to the unchecked name instead.
        self._client = httpx.Client(
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def fetch(
        self, url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int | None = None
    ) -> Iterator[Fetched]:
        """GET `url`, following up to max_redirects redirects, each one checked like the first.

        `headers` (e.g. Authorization) are sent only while the URL stays on the first URL's origin.
        """
        limit = max_bytes if max_bytes is not None else self.policy.max_bytes
        deadline = time.monotonic() + self.policy.total_timeout_s
        first = check_url(url, self.policy)
        hop = first
        for _ in range(self.policy.max_redirects + 1):
            sent = {"Host": hop.host_header, "Accept-Encoding": "identity", "Accept": "image/*, */*"}
            if headers and _same_origin(hop.url, first.url):
                sent.update(headers)
            extensions = {"sni_hostname": hop.url.host} if hop.url.scheme == "https" else {}
            try:
                with self._client.stream("GET", hop.pinned, headers=sent, extensions=extensions) as resp:
                    if resp.status_code in _REDIRECTS and "location" in resp.headers:
                        target = urljoin(str(hop.url), resp.headers["location"])
                        hop = check_url(target, self.policy)
                        continue
                    if resp.status_code >= 400:
                        raise ValidationFailed(
                            f"{url} could not be fetched: the server answered HTTP {resp.status_code}.",
                            url=url,
                            status=resp.status_code,
                        )
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise self._too_large(url, limit)
                    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
                    try:
                        size = 0
                        # Raw bytes: no transparent gunzip, so a compression bomb stays at its wire size.
                        for chunk in resp.iter_raw(_CHUNK):
                            size += len(chunk)
                            if size > limit:
                                raise self._too_large(url, limit)
                            if time.monotonic() > deadline:
                                raise ValidationFailed(
                                    f"{url} could not be fetched within {self.policy.total_timeout_s:.0f} s.",
                                    url=url,
                                )
                            spool.write(chunk)
                        spool.seek(0)
                        yield Fetched(
                            file=spool,  # type: ignore[arg-type]
                            size=size,
                            filename=_filename_from(resp, hop.url),
                            content_type=resp.headers.get("content-type"),
                            final_url=str(hop.url),
                        )
                        return
                    finally:
                        spool.close()
            except httpx.HTTPError as exc:
                raise ValidationFailed(
                    f"{url} could not be fetched: {type(exc).__name__} {exc}".rstrip(), url=url
                ) from None
        raise FetchRefused(f"{url} was refused: more than {self.policy.max_redirects} redirects.", url=url)

    @staticmethod
    def _too_large(url: str, limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"{url} is larger than the {limit / (1024 * 1024):g} MiB limit.", url=url, limit_bytes=limit
        )

"""Outbound HTTP fetches that cannot be turned against the server's own network.

Used by URL import and the sync connector. Every hop (the first URL and each redirect) is resolved
once; every resolved address must be public (not loopback, private, link-local, cloud metadata,
multicast or reserved) unless its host is explicitly allowed in Settings.url_fetch_allow_hosts, and
the connection then goes to that checked address (Host header and TLS name stay the original host),
so a DNS answer that changes between the check and the connect (DNS rebinding) cannot swap it.

Each fetch has one deadline for everything after the name lookup (connects, redirects, headers and
body together): when it passes, the fetch's sockets are shut down, which ends a read that is still
waiting. A per-read timeout alone never fires while a server trickles a byte now and then.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from typing import Any, BinaryIO
from urllib.parse import unquote, urljoin

import httpx

from shelfscope.config import Settings
from shelfscope.errors import PayloadTooLarge, ValidationFailed

MAX_REDIRECTS = 5
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
# Whole fetch, all hops and the body together: a server trickling bytes cannot hold a worker forever.
TOTAL_TIMEOUT_S = 120.0
# The httpcore trace events that hand over a connection's stream (plain TCP, then TLS over it).
_STREAM_EVENTS = frozenset({"connection.connect_tcp.complete", "connection.start_tls.complete"})
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
            total_timeout_s=settings.url_fetch_timeout_s,
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


def _shut(stream: Any) -> None:
    """Shut the stream's socket down in both directions: a read blocked on it returns at once."""
    sock = stream.get_extra_info("socket") if hasattr(stream, "get_extra_info") else None
    if not isinstance(sock, socket.socket):
        return
    # Already closed, or handed over to the TLS socket: nothing to shut. The plain socket method, also
    # on a TLS socket: SSLSocket.shutdown would drop its TLS state under a read another thread is in.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Deadline:
    """One fetch's time limit. It collects the fetch's connections (httpcore's `trace` extension hands
    each one over as it opens) and, when the time is up, shuts their sockets down from a timer thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        self._done = False
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self._at - time.monotonic())

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event not in _STREAM_EVENTS or info.get("return_value") is None:
            return
        stream = info["return_value"]
        with self._lock:
            self._streams.append(stream)
            late = self.expired
        if late:
            _shut(stream)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            streams = list(self._streams)
        for stream in streams:
            _shut(stream)

    def stop(self) -> None:
        """The body is read: nothing of this fetch is cut from now on."""
        with self._lock:
            self._done = True
        self._timer.cancel()

    def timeout(self) -> httpx.Timeout:
        """Per-request timeouts no longer than what is left (a connect has no socket to shut yet)."""
        left = max(self.remaining(), 0.001)
        return httpx.Timeout(min(READ_TIMEOUT_S, left), connect=min(CONNECT_TIMEOUT_S, left))


class SafeFetcher:
    """One HTTP client for many fetches, each with its own deadline (policy.total_timeout_s)."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        # trust_env=False: a proxy from the environment would connect to the unchecked name instead.
        # No keep-alive: every fetch opens its own connections, so its deadline can reach them all.
        self._client = httpx.Client(
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            limits=httpx.Limits(max_keepalive_connections=0),
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
        """GET `url`, following up to max_redirects redirects, each one checked like the first, all
        within one deadline.

        `headers` (e.g. Authorization) are sent only while the URL stays on the first URL's origin.
        """
        limit = max_bytes if max_bytes is not None else self.policy.max_bytes
        first = check_url(url, self.policy)
        deadline = _Deadline(self.policy.total_timeout_s)
        try:
            hop = first
            for _ in range(self.policy.max_redirects + 1):
                sent = {"Host": hop.host_header, "Accept-Encoding": "identity", "Accept": "image/*, */*"}
                if headers and _same_origin(hop.url, first.url):
                    sent.update(headers)
                answer = self._hop(url, hop, sent, limit, deadline)
                if isinstance(answer, _Hop):
                    hop = answer
                    continue
                try:
                    yield answer
                finally:
                    answer.file.close()
                return
        finally:
            deadline.stop()
        raise FetchRefused(f"{url} was refused: more than {self.policy.max_redirects} redirects.", url=url)

    def _hop(
        self, url: str, hop: _Hop, sent: dict[str, str], limit: int, deadline: _Deadline
    ) -> _Hop | Fetched:
        """One request: the next hop of a redirect, or the body spooled to a temporary file."""
        extensions: dict[str, Any] = {"trace": deadline.trace}
        if hop.url.scheme == "https":
            extensions["sni_hostname"] = hop.url.host
        try:
            with self._client.stream(
                "GET", hop.pinned, headers=sent, extensions=extensions, timeout=deadline.timeout()
            ) as resp:
                if resp.status_code in _REDIRECTS and "location" in resp.headers:
                    return check_url(urljoin(str(hop.url), resp.headers["location"]), self.policy)
                if resp.status_code >= 400:
                    raise ValidationFailed(
                        f"{url} could not be fetched: the server answered HTTP {resp.status_code}.",
                        url=url,
                        status=resp.status_code,
                    )
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise self._too_large(url, limit)
                return self._read_body(url, resp, hop, limit, deadline)
        except httpx.HTTPError as exc:
            if deadline.expired:
                raise self._too_slow(url, deadline) from None
            raise ValidationFailed(
                f"{url} could not be fetched: {type(exc).__name__} {exc}".rstrip(), url=url
            ) from None

    def _read_body(
        self, url: str, resp: httpx.Response, hop: _Hop, limit: int, deadline: _Deadline
    ) -> Fetched:
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        try:
            size = 0
            # Raw bytes: no transparent gunzip, so a compression bomb stays at its wire size. Each
            # network read is seen as it arrives (no chunking), so the deadline is checked per read.
            for chunk in resp.iter_raw():
                size += len(chunk)
                if size > limit:
                    raise self._too_large(url, limit)
                if deadline.expired:
                    raise self._too_slow(url, deadline)
                spool.write(chunk)
            deadline.stop()
            # A body cut short by the deadline can look complete (no Content-Length): never keep it.
            if deadline.expired:
                raise self._too_slow(url, deadline)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return Fetched(
            file=spool,  # type: ignore[arg-type]
            size=size,
            filename=_filename_from(resp, hop.url),
            content_type=resp.headers.get("content-type"),
            final_url=str(hop.url),
        )

    @staticmethod
    def _too_large(url: str, limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"{url} is larger than the {limit / (1024 * 1024):g} MiB limit.", url=url, limit_bytes=limit
        )

    @staticmethod
    def _too_slow(url: str, deadline: _Deadline) -> ValidationFailed:
        return ValidationFailed(
            f"{url} could not be fetched within {deadline.seconds:g} s (the server sent it too slowly).",
            url=url,
            timeout_s=deadline.seconds,
        )

"""Fetch one URL politely and safely: plain functions over the standard library, no Beam.

``fetch`` returns a ``FetchResult`` or a ``Failure`` (stage "fetch"), never raises for anything the
network or a server can do.  Why the standard library's ``http.client`` rather than requests: the
safety rules need control that requests hides — the host's addresses are resolved and checked here,
and the socket is connected to exactly the address that was checked (so a DNS answer that changes
between check and connect, "DNS rebinding", cannot reach a private address); redirects are followed
by hand so that every hop goes through the same checks; the body is read in chunks and decompressed
here so that the size limit applies to the decoded bytes and nothing beyond it is ever buffered.
HTTPS uses http.client's default SSL context, made afresh per connection: certificates and host names
are verified against the system CA store, whose bundle file the ``SSL_CERT_FILE`` environment variable
replaces (OpenSSL reads it whenever a context is made), which is how a private CA is trusted.

Time: ``read_timeout`` bounds each read, and a slow peer that sends a byte within every one of them
would hold a fetch for hours; so each response also has a deadline (``response_deadline_seconds``, from
connecting to its last byte), kept by a watchdog thread that shuts the socket down when it passes (a
blocked read then returns at once, over TLS too). A response past it is a ``deadline_exceeded``
failure and is not retried. A ``Cutoff`` (a watch cycle's deadline, or a stop on SIGTERM) ends a
response the same way, and the wait before a retry.

Residual risks, stated honestly: no proxy support (environment proxies are ignored on purpose, since
a proxy would make the address check meaningless); the host name lookup is the system resolver's and
is bounded by its own timeouts, not by the deadline; retries of transient errors each get their own
deadline, so one fetch may last up to (``max_retries`` + 1) deadlines plus backoff; politeness is per
process, not shared between Beam workers; a raw (headerless) "deflate" body is reported as corrupt.
"""

from __future__ import annotations

import http.client
import ipaddress
import random
import socket
import ssl
import threading
import time
import zlib
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator, Optional, Union
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from pipeline.config import HttpSettings
from pipeline.failures import Reason, make_failure
from pipeline.records import Failure, RawDocument
from pipeline.sources.cutoff import STOP_POLL_SECONDS, Cutoff

STAGE = "fetch"
ALLOWED_SCHEMES = ("http", "https")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A Retry-After longer than this is not waited for inside one fetch: the fetch fails at once and the
# feed's own schedule (feed_state backoff) comes back later, rather than a worker sleeping for hours.
MAX_RETRY_AFTER_SECONDS = 120.0
MAX_BACKOFF_SECONDS = 60.0
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class FetchResult:
    """A successful response: 2xx with its body, or 304 Not Modified with an empty body."""

    url: str  # final URL, after redirects
    status: int  # 200 (or another 2xx), or 304
    data: bytes  # decoded (gunzipped) body; empty on 304
    content_type: Optional[str]
    etag: Optional[str]
    last_modified: Optional[str]
    fetched_at: datetime  # UTC

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def charset(self) -> Optional[str]:
        """The charset declared in Content-Type, lower-cased, if any (decoding is the parser's job)."""
        if not self.content_type:
            return None
        message = Message()
        message["content-type"] = self.content_type
        return message.get_content_charset()


class HostPoliteness:
    """A per-host gate: one request at a time to a host, and ``min_delay`` seconds between two of them.

    Thread-safe; share one instance between the threads of a process.
    """

    def __init__(self, min_delay: float) -> None:
        self._min_delay = min_delay
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last_done: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        key = host.lower()
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            last = self._last_done.get(key)
            if last is not None:
                wait = last + self._min_delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                yield
            finally:
                # measured from the end of a request, so a slow server also gets its pause
                self._last_done[key] = time.monotonic()


class _FetchError(Exception):
    """One attempt's failure, with whether another attempt may help and how long the server asked us to wait."""

    def __init__(self, reason: Reason, detail: str, *, retryable: bool = False, retry_after: Optional[float] = None):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Redirect:
    location: str


def fetch(
    url: str,
    settings: HttpSettings,
    *,
    etag: Optional[str] = None,
    last_modified: Optional[str] = None,
    politeness: Optional[HostPoliteness] = None,
    cutoff: Optional[Cutoff] = None,
) -> Union[FetchResult, Failure]:
    """GET ``url`` with conditional headers, bounded redirects, retries, size and address limits, and a
    deadline per response; ``cutoff`` ends it sooner (reason ``interrupted`` when it is a stop)."""
    headers = _request_headers(settings, etag=etag, last_modified=last_modified)
    current = url
    visited = {url}
    try:
        for _ in range(settings.max_redirects + 1):
            outcome = _fetch_with_retries(current, headers, settings, politeness, cutoff)
            if isinstance(outcome, FetchResult):
                return outcome
            target = urljoin(current, outcome.location)
            if target in visited:
                raise _FetchError(Reason.TOO_MANY_REDIRECTS, f"redirect loop: {current} -> {target}")
            visited.add(target)
            current = target
        raise _FetchError(Reason.TOO_MANY_REDIRECTS, f"more than {settings.max_redirects} redirects, last to {current}")
    except _FetchError as error:
        detail = error.detail if current == url else f"{error.detail} (after redirect to {current})"
        return make_failure(STAGE, error.reason, url, detail)


def to_raw_document(
    result: FetchResult,
    *,
    format_hint: Optional[str] = None,
    source: Optional[str] = None,
    feed_url: Optional[str] = None,
    language: Optional[str] = None,
) -> RawDocument:
    """The fetched body as a RawDocument for the parse stage; a 304 has no document and is refused."""
    if result.not_modified:
        raise ValueError(f"{result.url}: a 304 Not Modified response has no body to parse")
    return RawDocument(
        origin=result.url,
        data=result.data,
        format_hint=format_hint,
        content_type=result.content_type,
        source=source,
        feed_url=feed_url,
        language=language,
        fetched_at=result.fetched_at,
    )


def retry_after_seconds(value: Optional[str], *, now: Optional[datetime] = None) -> Optional[float]:
    """Retry-After as seconds from ``now``: either delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _request_headers(settings: HttpSettings, *, etag: Optional[str], last_modified: Optional[str]) -> dict[str, str]:
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _fetch_with_retries(
    url: str,
    headers: dict[str, str],
    settings: HttpSettings,
    politeness: Optional[HostPoliteness],
    cutoff: Optional[Cutoff],
) -> Union[FetchResult, _Redirect]:
    """One hop: attempts with exponential backoff (or the server's Retry-After) while the error is transient."""
    for attempt in range(settings.max_retries + 1):
        try:
            return _attempt(url, headers, settings, politeness, cutoff)
        except _FetchError as error:
            if not error.retryable or attempt == settings.max_retries:
                raise
            if error.retry_after is not None:
                if error.retry_after > MAX_RETRY_AFTER_SECONDS:
                    raise _FetchError(
                        error.reason,
                        f"{error.detail}; server asks to retry after {error.retry_after:.0f} s,"
                        f" longer than {MAX_RETRY_AFTER_SECONDS:.0f} s",
                    ) from None
                delay = error.retry_after
            else:
                # full jitter keeps many workers that failed together from retrying in lockstep
                delay = min(MAX_BACKOFF_SECONDS, settings.backoff_seconds * 2**attempt) * random.uniform(0.5, 1.0)
            if cutoff is None:
                time.sleep(delay)
            elif cutoff.sleep(delay):
                raise _cutoff_error(cutoff, settings) from None
    raise AssertionError("unreachable: the last attempt returns or raises")


def _attempt(
    url: str,
    headers: dict[str, str],
    settings: HttpSettings,
    politeness: Optional[HostPoliteness],
    cutoff: Optional[Cutoff],
) -> Union[FetchResult, _Redirect]:
    if cutoff is not None and cutoff.expired():
        raise _cutoff_error(cutoff, settings)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise _FetchError(Reason.UNSUPPORTED_SCHEME, f"scheme {scheme or '(none)'!r} is not http or https")
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:  # a port that is no number or out of range
        raise _FetchError(Reason.HTTP_ERROR, f"invalid URL: {error}") from None
    if not host:
        raise _FetchError(Reason.HTTP_ERROR, "invalid URL: no host")
    addresses = _resolve_allowed(
        host, port, allow_private=settings.allow_private_hosts, trusted=_networks(tuple(settings.trusted_networks))
    )
    gate = politeness.slot(host) if politeness is not None else _no_gate()
    with gate:
        watchdog = _Watchdog(time.monotonic() + settings.response_deadline_seconds, cutoff)
        connection = _connect(scheme, host, port, addresses, settings, on_connect=watchdog.guard)
        try:
            with watchdog:
                try:
                    outcome = _exchange(url, parts, headers, connection, settings)
                except _FetchError:
                    if watchdog.fired:  # the error is what the shut-down socket looked like to the reader
                        raise watchdog.error(settings) from None
                    raise
            # a body that ends at the connection's close looks whole when the watchdog closed it
            if watchdog.fired:
                raise watchdog.error(settings)
            return outcome
        finally:
            connection.close()


def _exchange(
    url: str, parts: SplitResult, headers: dict[str, str], connection: http.client.HTTPConnection, settings: HttpSettings
) -> Union[FetchResult, _Redirect]:
    """Send the request and read the response, every error of the connection as a _FetchError."""
    try:
        connection.request("GET", _request_target(parts), headers=headers)
        response = connection.getresponse()
        return _handle_response(url, response, settings)
    except TimeoutError:
        raise _FetchError(Reason.TIMEOUT, f"no response within {settings.read_timeout} s", retryable=True) from None
    except ssl.SSLError as error:
        # a bad certificate (or a server that speaks no TLS) does not get better by asking again; a server
        # that drops the connection mid-handshake (EOF) is as transient as one that drops it over plain HTTP
        dropped = isinstance(error, (ssl.SSLEOFError, ssl.SSLZeroReturnError))
        raise _FetchError(Reason.CONNECTION_ERROR, f"TLS error: {error}", retryable=dropped) from None
    except (OSError, http.client.HTTPException) as error:
        raise _FetchError(Reason.CONNECTION_ERROR, f"connection failed: {error!r}", retryable=True) from None


@contextmanager
def _no_gate() -> Iterator[None]:
    yield


class _Watchdog:
    """Ends one exchange that outlives its deadline or the cutoff, from a thread of its own.

    A read blocked on a slow peer only returns when a byte comes, and one comes within every timeout;
    shutting the socket down from here makes it return at once (end of stream, or an error), during a
    TLS handshake and over TLS too, and ``fired`` then tells the reader why its response ended. The
    watchdog shuts down its own duplicate of the socket's descriptor (shutdown acts on the connection,
    not on one descriptor): http.client closes and drops its socket objects as it pleases (the TLS
    wrapper replaces the plain socket; a response that will close takes it over), and the duplicate,
    open until the watchdog ends, keeps the descriptor number from going to another connection.
    """

    def __init__(self, deadline: float, cutoff: Optional[Cutoff]) -> None:
        self._deadline = deadline
        self._cutoff = cutoff
        self._lock = threading.Lock()
        self._socket: Optional[socket.socket] = None
        self._over = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="newsbeam-fetch-deadline", daemon=True)
        self.fired: Optional[str] = None  # "deadline", "cutoff" or "stop"

    def __enter__(self) -> "_Watchdog":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._over.set()
        self._thread.join()
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None

    def guard(self, sock: socket.socket) -> None:
        """Watch the exchange's socket, as soon as it is connected (shut it down at once if too late)."""
        with self._lock:
            self._socket = sock.dup()
            if self.fired:
                _shut_down(self._socket)

    def error(self, settings: HttpSettings) -> _FetchError:
        if self.fired == "deadline":
            return _FetchError(
                Reason.DEADLINE_EXCEEDED,
                f"the response was not complete within {settings.response_deadline_seconds:g} s"
                " (http.response_deadline_seconds): a slow peer",
            )
        assert self._cutoff is not None
        return _cutoff_error(self._cutoff, settings)

    def _watch(self) -> None:
        while (why := self._why()) is None:
            wait = self._deadline - time.monotonic()
            if self._cutoff is not None:
                wait = min(wait, self._cutoff.remaining(), STOP_POLL_SECONDS if self._cutoff.stop else wait)
            if self._over.wait(max(0.0, wait)):
                return
        with self._lock:
            self.fired = why
            if self._socket is not None:
                _shut_down(self._socket)

    def _why(self) -> Optional[str]:
        if self._cutoff is not None and self._cutoff.stopped:
            return "stop"
        if self._cutoff is not None and self._cutoff.remaining() <= 0:
            return "cutoff"
        return "deadline" if time.monotonic() >= self._deadline else None


def _shut_down(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the peer closed it already


def _cutoff_error(cutoff: Cutoff, settings: HttpSettings) -> _FetchError:
    if cutoff.stopped:
        return _FetchError(Reason.INTERRUPTED, "stopped before the response was complete (newsbeam is stopping)")
    return _FetchError(Reason.DEADLINE_EXCEEDED, f"{cutoff.label} passed before the response was complete")


def _resolve_allowed(
    host: str, port: int, *, allow_private: bool, trusted: tuple[ipaddress._BaseNetwork, ...] = ()
) -> list[tuple[int, tuple]]:
    """The host's addresses as (family, sockaddr), all of them checked; any forbidden one refuses the
    host. Each hop of a redirect comes through here, so a trusted host cannot lead to an untrusted one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise _FetchError(Reason.CONNECTION_ERROR, f"cannot resolve {host}: {error}", retryable=True) from None
    addresses = [(family, sockaddr) for family, _, _, _, sockaddr in infos]
    if not allow_private:
        for _, sockaddr in addresses:
            kind = forbidden_address_kind(sockaddr[0])
            if kind is not None and not _is_trusted(sockaddr[0], trusted):
                # refusing the whole host (rather than skipping the bad address) keeps a name that mixes
                # public and private answers from being used to probe the private one on a retry
                raise _FetchError(
                    Reason.FORBIDDEN_HOST,
                    f"{host} resolves to {kind} address {sockaddr[0]}"
                    " (pass --allow-private-hosts, or list it in http.trusted_networks)",
                )
    return addresses


@lru_cache(maxsize=64)
def _networks(written: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in written)


def _is_trusted(address: str, trusted: tuple[ipaddress._BaseNetwork, ...]) -> bool:
    """The address as written, not an IPv4 host it carries: trusting 127.0.0.1 does not trust ::ffff:127.0.0.1."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in trusted)


def forbidden_address_kind(address: str) -> Optional[str]:
    """Why an IP address is off limits for fetching ("loopback", "private", ...), or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        ip = _embedded_ipv4(ip) or ip
    # most specific first: Python also counts loopback, link-local and 0.0.0.0 as "private"
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:  # e.g. 100.64.0.0/10 (carrier-grade NAT), which is neither private nor global
        return "non-global"
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052's well-known prefix: the last 32 bits are the IPv4 host


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> Optional[ipaddress.IPv4Address]:
    """The IPv4 host an IPv6 address reaches: IPv4-mapped (::ffff:127.0.0.1), 6to4 (2002:7f00:1::1,
    which a 6to4 relay delivers to 127.0.0.1) or NAT64 (64:ff9b::7f00:1). Python counts the latter
    two as global, so they are judged as the IPv4 address they carry."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _connect(
    scheme: str,
    host: str,
    port: int,
    addresses: list[tuple[int, tuple]],
    settings: HttpSettings,
    *,
    on_connect: Callable[[socket.socket], None],
) -> http.client.HTTPConnection:
    """A connection to ``host`` (for the Host header and TLS name check) whose socket goes to a checked
    address; ``on_connect`` is given the socket once it is connected (the deadline's watchdog)."""
    connection_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    connection = connection_class(host, port, timeout=settings.read_timeout)

    def connect_to_checked_address(_address: tuple, _timeout: object, _source: object) -> socket.socket:
        sock = _open_socket(addresses, settings)
        on_connect(sock)
        return sock

    # http.client opens its socket through this attribute (HTTPS then wraps it with TLS for ``host``);
    # replacing it is how the checked address, not a second DNS lookup, is what gets connected.
    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    return connection


def _open_socket(addresses: list[tuple[int, tuple]], settings: HttpSettings) -> socket.socket:
    last_error: Optional[OSError] = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(settings.connect_timeout)
            sock.connect(sockaddr)
        except TimeoutError:
            sock.close()
            raise _FetchError(
                Reason.TIMEOUT, f"could not connect within {settings.connect_timeout} s", retryable=True
            ) from None
        except OSError as error:
            sock.close()
            last_error = error
            continue
        sock.settimeout(settings.read_timeout)
        return sock
    raise _FetchError(Reason.CONNECTION_ERROR, f"connection failed: {last_error}", retryable=True)


def _request_target(parts) -> str:
    # quote what is not already legal in a request line, keeping existing %-escapes as they are
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
    return f"{path}?{query}" if query else path


def _handle_response(url: str, response: http.client.HTTPResponse, settings: HttpSettings) -> Union[FetchResult, _Redirect]:
    status = response.status
    if status in REDIRECT_STATUSES:
        location = response.getheader("Location")
        if not location:
            raise _FetchError(Reason.HTTP_ERROR, f"HTTP {status} {response.reason} without a Location header")
        return _Redirect(location)
    if status == 304 or 200 <= status < 300:
        data = b"" if status == 304 else _read_body(response, settings.max_response_bytes)
        return FetchResult(
            url=url,
            status=status,
            data=data,
            content_type=response.getheader("Content-Type"),
            etag=response.getheader("ETag"),
            last_modified=response.getheader("Last-Modified"),
            fetched_at=datetime.now(timezone.utc),
        )
    detail = f"HTTP {status} {response.reason}".rstrip()
    retry_after = retry_after_seconds(response.getheader("Retry-After")) if status in (429, 503) else None
    transient = status == 429 or (status >= 500 and status != 501)
    raise _FetchError(Reason.HTTP_ERROR, detail, retryable=transient, retry_after=retry_after)


def _read_body(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The body, decompressed, read chunk by chunk; fails as soon as more than ``limit`` bytes would be held."""
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise _FetchError(Reason.TOO_LARGE, f"Content-Length {int(declared)} exceeds the limit of {limit} bytes")
    decoder = _decoder(response.getheader("Content-Encoding"))
    body = bytearray()
    raw_read = 0
    while True:
        chunk = response.read(CHUNK_BYTES)
        if not chunk:
            break
        raw_read += len(chunk)
        if raw_read > limit:  # compressed bytes count too: a trickle of them is no reason to read forever
            raise _FetchError(Reason.TOO_LARGE, f"response exceeds the limit of {limit} bytes")
        try:
            # asking for at most one byte more than fits is enough to know the limit is crossed
            body += decoder.decompress(chunk, limit - len(body) + 1) if decoder else chunk
        except zlib.error as error:
            raise _FetchError(Reason.TRUNCATED_GZIP, f"corrupt compressed response: {error}") from None
        if len(body) > limit:
            raise _FetchError(Reason.TOO_LARGE, f"decoded response exceeds the limit of {limit} bytes")
    if decoder is not None and raw_read and not decoder.eof:
        raise _FetchError(Reason.TRUNCATED_GZIP, "compressed response ends before its end-of-stream marker")
    return bytes(body)


def _decoder(content_encoding: Optional[str]) -> Optional["zlib._Decompress"]:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("identity", ""):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # "deflate" is meant to be zlib-wrapped; 32 + MAX_WBITS also accepts a gzip header some servers send
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    raise _FetchError(Reason.HTTP_ERROR, f"unsupported Content-Encoding {content_encoding!r}")

"""fetch() over HTTPS against a real TLS server on 127.0.0.1 (tests/http_server.py with ``tls=``).

Certificates come from ``trustme`` test CAs.  The client is made to trust one the way a user trusts a
private CA: ``SSL_CERT_FILE``, which OpenSSL reads each time the fetcher's default SSL context is made,
so setting it in this process is enough (nothing in pipeline/ knows about the test CA).
"""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path
from typing import Iterator, Optional

import pytest
import trustme

from pipeline.config import HttpSettings
from pipeline.failures import Reason
from pipeline.sources.http import fetch
from tests.http_server import LocalHTTPServer, Reply
from tests.unit.test_http import failed, http_settings, ok


def server_context(ca: trustme.CA, *names: str, sni_seen: Optional[list] = None) -> ssl.SSLContext:
    """A server-side context with a certificate from ``ca`` for ``names``; records the SNI names clients send."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    if sni_seen is not None:
        context.sni_callback = lambda _sock, name, _context: sni_seen.append(name)
    return context


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusted_ca(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    return bundle


@pytest.fixture
def server(ca: trustme.CA, trusted_ca: Path) -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer(tls=server_context(ca, "localhost", "127.0.0.1")) as running:
        yield running


@pytest.fixture
def settings() -> HttpSettings:
    return http_settings()  # allow_private_hosts (127.0.0.1), 2 retries without backoff


def test_a_feed_over_https_is_fetched_then_its_etag_gives_304(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.document("/feed.xml", b"<rss>v1</rss>", content_type="application/rss+xml", etag='"v1"')
    url = server.url("/feed.xml")
    assert url.startswith("https://localhost:")

    first = ok(fetch(url, settings))
    second = ok(fetch(url, settings, etag=first.etag))

    assert (first.status, first.data, first.etag, first.url) == (200, b"<rss>v1</rss>", '"v1"', url)
    assert (second.status, second.data) == (304, b"")
    assert server.requests_for("/feed.xml")[1].header("If-None-Match") == '"v1"'


def test_the_tls_name_is_the_urls_host_though_the_socket_goes_to_the_checked_address(
    ca: trustme.CA, trusted_ca: Path, settings: HttpSettings
) -> None:
    sni_seen: list[Optional[str]] = []
    with LocalHTTPServer(tls=server_context(ca, "localhost", "127.0.0.1", sni_seen=sni_seen)) as server:
        server.route("/x", Reply(body=b"x"))
        ok(fetch(server.url("/x"), settings))
        ok(fetch(f"https://127.0.0.1:{server.port}/x", settings))  # an IP address: checked against the IP SAN

    # SNI (what name-based virtual hosts and CDNs pick a certificate by) is the URL's host; none for an IP
    assert sni_seen == ["localhost", None]
    assert [request.header("Host") for request in server.requests] == [
        f"localhost:{server.port}",
        f"127.0.0.1:{server.port}",
    ]


def test_without_ssl_cert_file_the_test_ca_is_not_trusted(
    server: LocalHTTPServer, settings: HttpSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/x", Reply(body=b"x"))
    monkeypatch.delenv("SSL_CERT_FILE")  # back to the system store, which knows nothing of the test CA

    failure = failed(fetch(server.url("/x"), settings), Reason.CONNECTION_ERROR)

    assert failure.detail.startswith("TLS error: ") and "certificate verify failed" in failure.detail


def test_a_certificate_from_an_untrusted_ca_fails_at_once(trusted_ca: Path, settings: HttpSettings) -> None:
    with LocalHTTPServer(tls=server_context(trustme.CA(), "localhost", "127.0.0.1")) as server:
        server.route("/x", Reply(body=b"x"))
        failure = failed(fetch(server.url("/x"), settings), Reason.CONNECTION_ERROR)

    assert failure.detail.startswith("TLS error: ") and "certificate verify failed" in failure.detail
    assert settings.max_retries == 2
    assert (server.connections, server.requests) == (1, [])  # no retry, and no request ever sent


def test_a_certificate_for_another_host_name_fails_at_once(
    ca: trustme.CA, trusted_ca: Path, settings: HttpSettings
) -> None:
    # issued by the trusted CA, but not for "localhost": only the host-name check can refuse it
    with LocalHTTPServer(tls=server_context(ca, "example.test")) as server:
        server.route("/x", Reply(body=b"x"))
        failure = failed(fetch(server.url("/x"), settings), Reason.CONNECTION_ERROR)

    assert "Hostname mismatch" in failure.detail and "'localhost'" in failure.detail
    assert (server.connections, server.requests) == (1, [])


def test_a_server_that_drops_the_handshake_is_retried(settings: HttpSettings) -> None:
    # accepts TCP and closes before any TLS: the client sees an EOF mid-handshake, as transient as a reset
    accepted = 0

    def accept_and_close(listener: socket.socket) -> None:
        nonlocal accepted
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # listener closed: the test is over
            accepted += 1
            with connection:
                # Read the ClientHello, then send FIN and drain until the client gives up: closing with
                # unread bytes would send a reset instead, and the client would see no TLS EOF at all.
                connection.settimeout(5)
                try:
                    connection.recv(65536)
                    connection.shutdown(socket.SHUT_WR)
                    while connection.recv(65536):
                        pass
                except OSError:
                    pass

    with socket.create_server(("127.0.0.1", 0)) as listener:
        threading.Thread(target=accept_and_close, args=(listener,), daemon=True).start()
        failure = failed(fetch(f"https://127.0.0.1:{listener.getsockname()[1]}/", settings), Reason.CONNECTION_ERROR)

    assert failure.detail.startswith("TLS error: ")
    assert accepted == settings.max_retries + 1


def test_a_slow_drip_over_tls_ends_at_the_response_deadline(server: LocalHTTPServer) -> None:
    from tests.unit.test_http import DRIP, HANG_BOUND, SLOW_BODY, _within

    settings = http_settings("http.read_timeout=5", "http.response_deadline_seconds=2")
    server.route("/slow.xml", Reply(body=SLOW_BODY, drip_seconds=DRIP))

    failed(_within(HANG_BOUND, fetch, server.url("/slow.xml"), settings), Reason.DEADLINE_EXCEEDED)

    assert len(server.requests_for("/slow.xml")) == 1


def test_a_tls_handshake_dripped_a_byte_at_a_time_ends_at_the_response_deadline() -> None:
    # The server's first TLS record announces 16,000 bytes and then sends them one by one: every read of
    # the handshake gets a byte within its timeout, and the handshake alone would take hours.
    from tests.unit.test_http import DRIP, HANG_BOUND, _within

    stop = threading.Event()
    dripped = 0

    def drip_handshake(listener: socket.socket) -> None:
        nonlocal dripped
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)  # the ClientHello
            connection.sendall(b"\x16\x03\x03\x3e\x80")  # handshake record, 16,000 bytes long
            while not stop.wait(DRIP):
                try:
                    connection.sendall(b"\x00")
                except OSError:
                    return  # the client went away
                dripped += 1

    with socket.create_server(("127.0.0.1", 0)) as listener:
        thread = threading.Thread(target=drip_handshake, args=(listener,), daemon=True)
        thread.start()
        settings = http_settings("http.read_timeout=5", "http.response_deadline_seconds=2")
        try:
            failure = failed(
                _within(HANG_BOUND, fetch, f"https://127.0.0.1:{listener.getsockname()[1]}/", settings),
                Reason.DEADLINE_EXCEEDED,
            )
        finally:
            stop.set()
        thread.join(timeout=10)

    assert "http.response_deadline_seconds" in failure.detail
    assert 0 < dripped < 16_000

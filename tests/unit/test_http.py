"""fetch() against a real HTTP server on 127.0.0.1 (tests/http_server.py)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Iterator

import pytest

from pipeline.config import HttpSettings, load_settings
from pipeline.failures import Reason
from pipeline.records import Failure
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.http import (
    FetchResult,
    HostPoliteness,
    fetch,
    forbidden_address_kind,
    retry_after_seconds,
    to_raw_document,
)
from tests.http_server import LocalHTTPServer, Reply, wait_done

LIMIT = 1_000_000
FIFTY_MB = 50_000_000
# what loopback socket buffers can absorb before a sender blocks: generous, and far below 50 MB
SOCKET_BUFFER_SLACK = 16_000_000


def http_settings(*overrides: str) -> HttpSettings:
    base = [
        "http.allow_private_hosts=true",
        "http.connect_timeout=0.5",
        "http.read_timeout=0.5",
        "http.max_retries=2",
        "http.backoff_seconds=0",
        "http.min_host_delay=0",
        f"http.max_response_bytes={LIMIT}",
        "http.user_agent=newsbeam-test/1.0",
    ]
    return load_settings(overrides=[*base, *overrides]).http


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        yield running


@pytest.fixture
def settings() -> HttpSettings:
    return http_settings()


def ok(outcome: FetchResult | Failure) -> FetchResult:
    assert isinstance(outcome, FetchResult), outcome
    return outcome


def failed(outcome: FetchResult | Failure, reason: Reason) -> Failure:
    assert isinstance(outcome, Failure), outcome
    assert outcome.reason == reason.value, outcome
    assert outcome.stage == "fetch"
    return outcome


def test_conditional_get_second_poll_is_304_without_body(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.document("/feed.xml", b"<rss>v1</rss>", etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT")

    first = ok(fetch(server.url("/feed.xml"), settings))
    second = ok(fetch(server.url("/feed.xml"), settings, etag=first.etag, last_modified=first.last_modified))

    assert (first.status, first.data, first.etag) == (200, b"<rss>v1</rss>", '"v1"')
    assert (second.status, second.data, second.not_modified) == (304, b"", True)
    sent = server.requests_for("/feed.xml")[1]
    assert sent.header("If-None-Match") == '"v1"'
    assert sent.header("If-Modified-Since") == "Mon, 02 Mar 2026 10:00:00 GMT"


def test_last_modified_alone_gives_304(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.document("/feed.xml", b"<rss/>", last_modified="Mon, 02 Mar 2026 10:00:00 GMT")

    first = ok(fetch(server.url("/feed.xml"), settings))
    second = ok(fetch(server.url("/feed.xml"), settings, last_modified=first.last_modified))

    assert (first.etag, second.status) == (None, 304)


def test_a_changed_feed_is_fetched_again(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.document("/feed.xml", b"<rss>v1</rss>", etag='"v1"')
    first = ok(fetch(server.url("/feed.xml"), settings))
    server.document("/feed.xml", b"<rss>v2</rss>", etag='"v2"')

    second = ok(fetch(server.url("/feed.xml"), settings, etag=first.etag))

    assert (second.status, second.data, second.etag) == (200, b"<rss>v2</rss>", '"v2"')


def test_500_then_200_is_retried(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/flaky", Reply(status=500), Reply(body=b"fine"))

    result = ok(fetch(server.url("/flaky"), settings))

    assert result.data == b"fine"
    assert len(server.requests_for("/flaky")) == 2


def test_persistent_500_fails_after_max_retries(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/down", Reply(status=500))

    failure = failed(fetch(server.url("/down"), settings), Reason.HTTP_ERROR)

    assert failure.detail == "HTTP 500 Internal Server Error"
    assert failure.origin == server.url("/down")
    assert len(server.requests_for("/down")) == settings.max_retries + 1


def test_404_is_not_retried(server: LocalHTTPServer, settings: HttpSettings) -> None:
    failure = failed(fetch(server.url("/missing"), settings), Reason.HTTP_ERROR)

    assert failure.detail == "HTTP 404 Not Found"
    assert len(server.requests_for("/missing")) == 1


def test_a_server_slower_than_read_timeout_is_a_timeout(server: LocalHTTPServer) -> None:
    settings = http_settings("http.read_timeout=0.2", "http.max_retries=1")
    server.route("/slow", Reply(body=b"late", delay=5))

    failed(fetch(server.url("/slow"), settings), Reason.TIMEOUT)

    assert len(server.requests_for("/slow")) == 2  # a timeout is retried


def test_a_closed_port_is_a_connection_error(settings: HttpSettings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    failed(fetch(f"http://127.0.0.1:{port}/", settings), Reason.CONNECTION_ERROR)


def test_redirects_are_followed_to_the_final_url(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/old", Reply(status=301, headers={"Location": "/new"}))
    server.route("/new", Reply(body=b"moved here"))

    result = ok(fetch(server.url("/old"), settings))

    assert (result.url, result.data) == (server.url("/new"), b"moved here")


def test_a_redirect_loop_is_refused(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", Reply(status=302, headers={"Location": "/a"}))

    failure = failed(fetch(server.url("/a"), settings), Reason.TOO_MANY_REDIRECTS)

    assert "loop" in failure.detail
    assert len(server.requests) == 2


def test_too_many_redirects_are_refused(server: LocalHTTPServer) -> None:
    settings = http_settings("http.max_redirects=2")
    for hop in range(5):
        server.route(f"/hop{hop}", Reply(status=307, headers={"Location": f"/hop{hop + 1}"}))

    failed(fetch(server.url("/hop0"), settings), Reason.TOO_MANY_REDIRECTS)

    assert len(server.requests) == 3


def test_a_redirect_to_another_scheme_is_refused(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/away", Reply(status=302, headers={"Location": "file:///etc/passwd"}))

    failure = failed(fetch(server.url("/away"), settings), Reason.UNSUPPORTED_SCHEME)

    assert failure.origin == server.url("/away")


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "until-close"])
def test_a_50_mb_response_is_refused_without_reading_it_all(
    server: LocalHTTPServer, settings: HttpSettings, declare_length: bool
) -> None:
    server.route("/huge", Reply(filler_bytes=FIFTY_MB, declare_length=declare_length))

    failed(fetch(server.url("/huge"), settings), Reason.TOO_LARGE)

    (request,) = server.requests_for("/huge")
    wait_done(request)
    assert request.bytes_sent < LIMIT + SOCKET_BUFFER_SLACK


def test_gzip_is_decoded(server: LocalHTTPServer, settings: HttpSettings) -> None:
    body = b"<rss>" + b"news " * 1000 + b"</rss>"
    server.route("/gz", Reply(body=gzip.compress(body), headers={"Content-Encoding": "gzip"}))

    result = ok(fetch(server.url("/gz"), settings))

    assert result.data == body
    assert server.requests_for("/gz")[0].header("Accept-Encoding") == "gzip, deflate"


def test_a_gzip_bomb_is_refused_by_its_decoded_size(server: LocalHTTPServer, settings: HttpSettings) -> None:
    bomb = gzip.compress(b"\0" * (20 * LIMIT))
    assert len(bomb) < LIMIT
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))

    failed(fetch(server.url("/bomb"), settings), Reason.TOO_LARGE)


def test_a_cut_off_gzip_is_reported(server: LocalHTTPServer, settings: HttpSettings) -> None:
    cut = gzip.compress(b"some text " * 500)[:-20]
    server.route("/cut", Reply(body=cut, headers={"Content-Encoding": "gzip"}))

    failed(fetch(server.url("/cut"), settings), Reason.TRUNCATED_GZIP)


def test_429_with_retry_after_is_honoured(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/busy", Reply(status=429, headers={"Retry-After": "0"}), Reply(body=b"now"))

    assert ok(fetch(server.url("/busy"), settings)).data == b"now"
    assert len(server.requests_for("/busy")) == 2


def test_a_retry_after_beyond_the_cap_fails_at_once(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/later", Reply(status=503, headers={"Retry-After": "3600"}))

    failure = failed(fetch(server.url("/later"), settings), Reason.HTTP_ERROR)

    assert "3600" in failure.detail
    assert len(server.requests_for("/later")) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), ("0", 0.0), (None, None), ("soon", None), ("Mon, 02 Mar 2026 10:01:30 GMT", 90.0)],
)
def test_retry_after_reads_seconds_and_http_dates(value: str | None, expected: float | None) -> None:
    now = datetime(2026, 3, 2, 10, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(value, now=now) == expected


def test_a_past_retry_after_date_means_no_wait() -> None:
    now = datetime(2026, 3, 2, 10, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0.0


def test_loopback_is_forbidden_unless_allowed(server: LocalHTTPServer) -> None:
    server.route("/feed.xml", Reply(body=b"<rss/>"))
    settings = http_settings("http.allow_private_hosts=false")

    failure = failed(fetch(server.url("/feed.xml"), settings), Reason.FORBIDDEN_HOST)

    assert "loopback" in failure.detail
    assert server.requests == []  # refused before connecting


def test_localhost_by_name_is_forbidden() -> None:
    settings = http_settings("http.allow_private_hosts=false")
    failed(fetch("http://localhost:9/", settings), Reason.FORBIDDEN_HOST)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a01:203::1", "private"),  # 6to4 of 10.1.2.3
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("2002:5db8:d70e::1", None),  # 6to4 of a public address stays public
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-global"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_forbidden_address_kinds(address: str, kind: str | None) -> None:
    assert forbidden_address_kind(address) == kind


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "gopher://127.0.0.1/", "feed.xml"])
def test_only_http_and_https(url: str, settings: HttpSettings) -> None:
    failed(fetch(url, settings), Reason.UNSUPPORTED_SCHEME)


def test_a_wrong_content_type_still_returns_the_data(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/feed", Reply(body=b"<rss/>", headers={"Content-Type": "application/octet-stream"}))

    result = ok(fetch(server.url("/feed"), settings))

    assert (result.data, result.content_type) == (b"<rss/>", "application/octet-stream")


def test_the_charset_of_the_content_type_is_kept(server: LocalHTTPServer, settings: HttpSettings) -> None:
    body = "<p>Zürich</p>".encode("iso-8859-1")
    server.route("/page", Reply(body=body, headers={"Content-Type": "text/html; charset=ISO-8859-1"}))

    result = ok(fetch(server.url("/page"), settings))

    assert (result.data, result.charset) == (body, "iso-8859-1")


def test_the_user_agent_comes_from_settings(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/ua", Reply(body=b"x"))

    ok(fetch(server.url("/ua"), settings))

    assert server.requests_for("/ua")[0].header("User-Agent") == "newsbeam-test/1.0"


def test_to_raw_document_carries_the_fetch_metadata(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/feed.xml", Reply(body=b"<rss/>", headers={"Content-Type": "application/rss+xml"}))
    result = ok(fetch(server.url("/feed.xml"), settings))

    document = to_raw_document(result, format_hint="feed", source="Example", feed_url=result.url, language="en")

    assert (document.origin, document.data, document.content_type) == (result.url, b"<rss/>", "application/rss+xml")
    assert (document.format_hint, document.source, document.language) == ("feed", "Example", "en")
    assert document.fetched_at == result.fetched_at


def test_to_raw_document_refuses_a_304(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.document("/feed.xml", b"<rss/>", etag='"1"')
    not_modified = ok(fetch(server.url("/feed.xml"), settings, etag='"1"'))

    with pytest.raises(ValueError, match="304"):
        to_raw_document(not_modified)


def test_host_politeness_lets_one_request_at_a_time_per_host() -> None:
    politeness = HostPoliteness(min_delay=0)
    active: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}
    lock = threading.Lock()

    def visit(host: str) -> None:
        key = host.lower()
        with politeness.slot(host):
            with lock:
                active[key] += 1
                most[key] = max(most[key], active[key])
            time.sleep(0.01)  # hold the slot long enough for the other threads to pile up
            with lock:
                active[key] -= 1

    threads = [threading.Thread(target=visit, args=(host,)) for host in ("a", "b", "A") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert most == {"a": 1, "b": 1}  # host names are case-insensitive: "A" is "a"


def test_fetch_goes_through_the_politeness_gate(server: LocalHTTPServer, settings: HttpSettings) -> None:
    server.route("/x", Reply(body=b"x"))
    politeness = HostPoliteness(min_delay=0)

    for _ in range(3):
        ok(fetch(server.url("/x"), settings, politeness=politeness))

    assert len(server.requests_for("/x")) == 3


# --------------------------------------------------------------------------- slow peers: the response deadline

# A slow peer's bytes come well within every read timeout, so only a deadline on the whole response
# stops it. These settings make the drip take a minute or more without the deadline.
DRIP = 0.5  # seconds between two bytes
SLOW_BODY = b"<rss>" + b"x" * 200 + b"</rss>"  # 106 s at one byte per DRIP
HANG_BOUND = 60  # generous: without the deadline the drip would take longer than this


def _within(seconds: float, call, *args, **kwargs):
    """``call(*args)``, or a test failure if it has not returned after ``seconds`` (a hang)."""
    from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(call, *args, **kwargs).result(timeout=seconds)
    except FutureTimeout:
        pytest.fail(f"{getattr(call, '__name__', call)} still running after {seconds} s")
    finally:
        pool.shutdown(wait=False)


@pytest.mark.parametrize("drip_headers", [False, True], ids=["body", "status-and-headers"])
def test_a_slow_drip_response_ends_at_the_response_deadline(server: LocalHTTPServer, drip_headers: bool) -> None:
    settings = http_settings("http.read_timeout=5", "http.response_deadline_seconds=2")
    server.route("/slow.xml", Reply(body=SLOW_BODY, drip_seconds=DRIP, drip_headers=drip_headers))

    failure = failed(_within(HANG_BOUND, fetch, server.url("/slow.xml"), settings), Reason.DEADLINE_EXCEEDED)

    assert "http.response_deadline_seconds" in failure.detail
    (request,) = server.requests_for("/slow.xml")  # a slow peer is not asked again
    wait_done(request)
    assert request.bytes_sent < len(SLOW_BODY)  # the client went away before the body was whole


def test_a_slow_response_without_content_length_is_not_taken_as_whole(server: LocalHTTPServer) -> None:
    # Ended by the connection's close, such a body would look complete when the deadline shuts the socket.
    settings = http_settings("http.read_timeout=5", "http.response_deadline_seconds=2")
    server.route("/slow.xml", Reply(body=SLOW_BODY, drip_seconds=DRIP, declare_length=False))

    failed(_within(HANG_BOUND, fetch, server.url("/slow.xml"), settings), Reason.DEADLINE_EXCEEDED)


def test_a_response_within_its_deadline_is_read_whole(server: LocalHTTPServer) -> None:
    settings = http_settings("http.read_timeout=5", "http.response_deadline_seconds=30")
    server.route("/slowish", Reply(body=b"<rss/>", drip_seconds=0.05))

    assert ok(fetch(server.url("/slowish"), settings)).data == b"<rss/>"


def test_a_stop_ends_a_fetch_in_progress(server: LocalHTTPServer) -> None:
    settings = http_settings("http.read_timeout=5", "http.response_deadline_seconds=600")
    server.route("/slow.xml", Reply(body=SLOW_BODY, drip_seconds=DRIP))
    stop = threading.Event()

    def stop_once_the_request_is_in() -> None:
        give_up = time.monotonic() + HANG_BOUND
        while not server.requests_for("/slow.xml") and time.monotonic() < give_up:
            time.sleep(0.01)
        stop.set()

    threading.Thread(target=stop_once_the_request_is_in, daemon=True).start()
    cutoff = Cutoff(stop=stop)

    failure = failed(_within(HANG_BOUND, fetch, server.url("/slow.xml"), settings, cutoff=cutoff), Reason.INTERRUPTED)

    assert "stopped" in failure.detail


def test_a_stop_ends_the_wait_before_a_retry(server: LocalHTTPServer) -> None:
    settings = http_settings("http.max_retries=3")
    server.route("/busy", Reply(status=503, headers={"Retry-After": "100"}))  # under the 120 s cap: waited for
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()

    failed(_within(HANG_BOUND, fetch, server.url("/busy"), settings, cutoff=Cutoff(stop=stop)), Reason.INTERRUPTED)

    assert len(server.requests_for("/busy")) == 1


def test_a_cutoff_time_ends_a_fetch_before_its_own_deadline(server: LocalHTTPServer) -> None:
    settings = http_settings("http.read_timeout=5", "http.response_deadline_seconds=600")
    server.route("/slow.xml", Reply(body=SLOW_BODY, drip_seconds=DRIP))
    cutoff = Cutoff(at=time.monotonic() + 2, label="the watch cycle's deadline")

    failure = failed(_within(HANG_BOUND, fetch, server.url("/slow.xml"), settings, cutoff=cutoff), Reason.DEADLINE_EXCEEDED)

    assert "the watch cycle's deadline" in failure.detail


# --------------------------------------------------------------------------- the address guard across redirects

# Every other test here allows private hosts, since its server is on 127.0.0.1. These keep the guard on
# and trust only the first server's address, so that the check made at every redirect hop is what
# refuses the second one.
GUARDED = ("http.allow_private_hosts=false", "http.trusted_networks=['127.0.0.1/32']")


def test_a_trusted_private_address_is_fetched_with_the_guard_on(server: LocalHTTPServer) -> None:
    server.route("/feed.xml", Reply(body=b"<rss/>"))
    assert ok(fetch(server.url("/feed.xml"), http_settings(*GUARDED))).data == b"<rss/>"


@pytest.mark.parametrize("second_host", ["127.0.0.2", "::1"])
def test_a_redirect_to_another_private_address_is_refused_before_connecting(server: LocalHTTPServer, second_host: str) -> None:
    with LocalHTTPServer(host=second_host) as second:
        second.route("/internal", Reply(body=b"secret"))
        server.route("/feed.xml", Reply(status=302, headers={"Location": second.url("/internal")}))

        failure = failed(fetch(server.url("/feed.xml"), http_settings(*GUARDED)), Reason.FORBIDDEN_HOST)

        assert second.connections == 0 and second.requests == []  # refused before connecting
    assert failure.origin == server.url("/feed.xml")
    assert f"loopback address {second_host}" in failure.detail
    assert f"after redirect to {second.url('/internal')}" in failure.detail
    assert len(server.requests_for("/feed.xml")) == 1  # a refusal is not retried


@pytest.mark.parametrize("target", ["http://[2002:7f00:1::1]:8080/", "http://[::ffff:127.0.0.1]:8080/", "http://[64:ff9b::7f00:1]/"],
                         ids=["6to4", "ipv4-mapped", "nat64"])
def test_a_redirect_to_an_ipv6_address_that_carries_127_0_0_1_is_refused(server: LocalHTTPServer, target: str) -> None:
    # the start host, 127.0.0.1, is trusted; the same host written as IPv6 that carries it is not
    server.route("/feed.xml", Reply(status=301, headers={"Location": target}))

    failure = failed(fetch(server.url("/feed.xml"), http_settings(*GUARDED)), Reason.FORBIDDEN_HOST)

    assert "loopback address" in failure.detail and "after redirect" in failure.detail


def test_a_trusted_network_trusts_only_its_addresses() -> None:
    settings = http_settings(*GUARDED)
    failed(fetch("http://127.0.0.2:9/", settings), Reason.FORBIDDEN_HOST)


def test_trusted_networks_must_be_addresses_or_networks() -> None:
    from pipeline.config import ConfigError

    with pytest.raises(ConfigError, match="trusted_networks"):
        http_settings("http.trusted_networks=['intranet.example']")

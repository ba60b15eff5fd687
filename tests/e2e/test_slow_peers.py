"""`newsbeam run` against a slow peer: a real HTTP server on 127.0.0.1 that writes a feed a byte a second."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.sources.feed_state import FeedStateStore, state_path
from tests.conftest import run_newsbeam
from tests.http_server import LocalHTTPServer, Reply

pytestmark = pytest.mark.slow

# Without a deadline on the whole response this feed takes over ten minutes to arrive (each byte comes
# well within the 30 s read timeout), so the run below would outlast its bound.
SLOW_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>' + b" " * 600 + b"</channel></rss>"
RUN_BOUND = 300  # generous: Beam's start, the model load and two short articles take seconds


PAGE = b"<html><body><article><p>The council met on Monday and agreed the ferry budget, officials said.</p></article></body></html>"


def _feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<description>{title}: the council met on Monday, officials said.</description></item>"
        for path, title in (("/a", "Ferry returns"), ("/b", "Market opens"))
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>River News</title>{items}</channel></rss>'.encode()


def test_a_slow_drip_feed_is_a_failure_and_the_other_feed_lands(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with LocalHTTPServer() as server:
        server.route("/slow.xml", Reply(body=SLOW_FEED, drip_seconds=1.0))
        server.document("/rss.xml", _feed(server.url("")), content_type="application/rss+xml")
        for path in ("/a", "/b"):  # full text is on by default: the entries' pages
            server.route(path, Reply(body=PAGE, headers={"Content-Type": "text/html"}))
        result = run_newsbeam(
            "run", server.url("/slow.xml"), server.url("/rss.xml"), "--output", str(out),
            "--set", "http.allow_private_hosts=true", "--set", "http.min_host_delay=0",
            "--set", "http.response_deadline_seconds=5",
            timeout=RUN_BOUND,
        )
        slow_requests = server.requests_for("/slow.xml")

    assert result.returncode == 0, result.stderr
    assert len(slow_requests) == 1  # a slow peer is not asked again in the same run
    assert slow_requests[0].bytes_sent < len(SLOW_FEED)

    failures = _query(out, "SELECT origin, reason, stage, detail FROM failures")
    assert [(row["origin"], row["reason"], row["stage"]) for row in failures] == [
        (server.url("/slow.xml"), "deadline_exceeded", "fetch")
    ]
    assert "http.response_deadline_seconds" in failures[0]["detail"]
    titles = sorted(row["title"] for row in _query(out, "SELECT title FROM articles"))
    assert titles == ["Ferry returns", "Market opens"]
    with FeedStateStore(state_path(out)) as store:  # the slow feed backs off like any failing feed
        assert store.get(server.url("/slow.xml")).consecutive_failures == 1
        assert store.get(server.url("/rss.xml")).last_success_at is not None


def _query(out: Path, sql: str) -> list[dict]:
    result = run_newsbeam("query", "--data", str(out), "--format", "json", sql)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)

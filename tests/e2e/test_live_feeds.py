"""`newsbeam run` over live feeds served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from pipeline.config import load_settings
from pipeline.query import run_query
from pipeline.run import run
from pipeline.sources.feed_state import FeedStateStore, state_path
from pipeline.storage.location import StorageError
from tests.conftest import run_newsbeam
from tests.http_server import LocalHTTPServer, Reply

pytestmark = pytest.mark.slow

PAGE = b"""<!DOCTYPE html><html><head><title>Bridge reopens</title></head><body><article>
<h1>Bridge reopens</h1>
<p>The old bridge over the river reopened to traffic on Monday after two years of repairs.</p>
<p>"It was worth the wait," said the city engineer, Marta Kowalska. "The bridge is safe for another century."</p>
<p>Kowalska said the final cost was lower than planned, and that the footpath would open in May.</p>
</article></body></html>"""


def _feed(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate><description>{summary}</description></item>"
        for path, title, summary in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>River News</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    ).encode()


def _settings(tmp_path: Path, *extra: str):
    return load_settings(
        overrides=[
            f"output={tmp_path / 'out'}",
            "http.allow_private_hosts=true",
            "http.min_host_delay=0",
            "http.read_timeout=2",
            "http.max_retries=1",
            "http.backoff_seconds=0",
            *extra,
        ]
    )


def _titles(out: Path) -> set[str]:
    return {title for (title,) in run_query(out, "SELECT title FROM articles")[1]}


def test_a_feed_is_ingested_then_answers_304_and_new_entries_land_once(tmp_path: Path) -> None:
    with LocalHTTPServer() as server:
        base = server.url("")
        first_items = [("/a", "Ferry returns", "The ferry returns on Monday, officials said.")]
        server.document("/rss.xml", _feed(base, first_items), etag='"v1"')
        settings = _settings(tmp_path)

        first = run(settings, [server.url("/rss.xml")])
        assert first.get("feeds_fetched") == 1 and first.get("rows_added:articles") == 1

        second = run(settings, [server.url("/rss.xml")])
        assert second.get("feeds_not_modified") == 1 and second.get("articles_read") == 0
        assert server.requests_for("/rss.xml")[-1].header("If-None-Match") == '"v1"'

        more = first_items + [("/b", "Market opens", "The market opens on Saturday, organisers said.")]
        server.document("/rss.xml", _feed(base, more), etag='"v2"')
        third = run(settings, [server.url("/rss.xml")])
        # /a was stored by the first run: with full text on (the default) a seen entry is not read again,
        # so that its summary cannot replace its page's text (its page is missing here: it kept the summary).
        assert third.get("rows_added:articles") == 1 and third.get("feed_entries_seen") == 1
        assert _titles(tmp_path / "out") == {"Ferry returns", "Market opens"}

    with FeedStateStore(state_path(tmp_path / "out")) as store:
        state = store.get(server.url("/rss.xml"))
    assert state.etag == '"v2"' and state.consecutive_failures == 0


def test_full_text_is_fetched_and_a_missing_page_keeps_the_summary(tmp_path: Path) -> None:
    with LocalHTTPServer() as server:
        base = server.url("")
        server.route("/story", Reply(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"}))
        items = [
            ("/story", "Bridge reopens", "The bridge reopened."),
            ("/gone", "Gone story", "Only this summary survives."),
        ]
        server.document("/rss.xml", _feed(base, items))
        summary = run(_settings(tmp_path, "http.fetch_full_text=true"), [server.url("/rss.xml")])

    out = tmp_path / "out"
    bodies = dict(run_query(out, "SELECT title, body FROM articles")[1])
    assert "worth the wait" in bodies["Bridge reopens"]
    assert bodies["Gone story"] == "Only this summary survives."
    failures = run_query(out, "SELECT reason, origin FROM failures")[1]
    assert ("fulltext_failed", f"{base}/gone") in failures
    speakers = {speaker for (speaker,) in run_query(out, "SELECT speaker FROM quotes")[1]}
    assert "Marta Kowalska" in speakers
    assert summary.get("full_texts_fetched") == 1


def test_broken_feeds_are_failures_rows_and_counted_in_the_state(tmp_path: Path) -> None:
    with LocalHTTPServer() as server:
        server.route("/500", Reply(status=500))
        server.route("/bad.xml", Reply(body=b"<rss><channel><<<>>>&&&", headers={"Content-Type": "text/html"}))
        server.route("/loop", Reply(status=302, headers={"Location": "/loop2"}))
        server.route("/loop2", Reply(status=302, headers={"Location": "/loop"}))
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(
            "feeds:\n"
            + "".join(f"  - url: {server.url(path)}\n    name: feed {path}\n" for path in ("/500", "/bad.xml", "/loop"))
            + "  - url: ftp://example.org/feed.xml\n"  # inside a readable feed list: a failures row, not an exit
        )
        summary = run(_settings(tmp_path), [str(feeds)])
        # Named on the command line, the same URL is the user's typo: refused before any work.
        with pytest.raises(StorageError, match="unsupported scheme ftp"):
            run(_settings(tmp_path), ["ftp://example.org/feed.xml"])

    reasons = {reason for (reason,) in run_query(tmp_path / "out", "SELECT reason FROM failures")[1]}
    assert {"http_error", "malformed_feed", "too_many_redirects", "malformed_feed_list"} <= reasons
    assert summary.get("feeds_failed") == 2  # the 500 and the redirect loop (a malformed body was fetched)
    with FeedStateStore(state_path(tmp_path / "out")) as store:
        assert store.get(server.url("/500")).consecutive_failures == 1


def test_private_hosts_are_refused_unless_allowed(tmp_path: Path) -> None:
    with LocalHTTPServer() as server:
        server.document("/rss.xml", _feed(server.url(""), [("/a", "A", "Text of a.")]))
        run(_settings(tmp_path, "http.allow_private_hosts=false"), [server.url("/rss.xml")])
        assert server.requests_for("/rss.xml") == []
    reasons = [reason for (reason,) in run_query(tmp_path / "out", "SELECT reason FROM failures")[1]]
    assert reasons == ["forbidden_host"]


def test_newsbeam_run_ingests_an_https_feed_from_a_ca_trusted_through_ssl_cert_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # run_newsbeam passes this process's environment on
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(tls)
    out = tmp_path / "out"
    with LocalHTTPServer(tls=tls) as server:
        base = server.url("")
        server.document("/rss.xml", _feed(base, [("/a", "Ferry returns", "The ferry returns on Monday.")]))
        server.route("/a", Reply(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"}))
        result = run_newsbeam(
            "run", server.url("/rss.xml"), "--output", str(out), "--allow-private-hosts", "--set", "http.min_host_delay=0"
        )

    assert result.returncode == 0, result.stderr
    assert base.startswith("https://localhost:")
    assert _titles(out) == {"Ferry returns"}
    assert run_query(out, "SELECT count(*) FROM failures")[1] == [(0,)]
    [(body,)] = run_query(out, "SELECT body FROM articles")[1]
    assert "worth the wait" in body  # the page's text, fetched over the same trusted TLS

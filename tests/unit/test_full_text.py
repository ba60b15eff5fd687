"""Full text of feed entries, on by default: an entry with only a summary gets its linked page's text,
fetched politely, and a page that fails keeps the summary and is a ``fulltext_failed`` failure.
Against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from pipeline.config import load_settings
from pipeline.counters import Count
from pipeline.parse.legacy_url import url_article_id_before_1_4
from pipeline.records import Article, Failure, FeedPoll, Tally
from pipeline.sources.feedlists import FeedSpec
from pipeline.sources.feeds import FeedJob, poll_feeds
from pipeline.sources.robots import forget_rules
from tests.http_server import LocalHTTPServer, RecordedRequest, Reply

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
SUMMARY = "The bridge reopened on Monday, officials said."
PAGE = b"""<!DOCTYPE html><html><head><title>Bridge reopens</title></head><body><article>
<h1>Bridge reopens</h1>
<p>The old bridge over the river reopened to traffic on Monday after two years of repairs.</p>
<p>"It was worth the wait," said the city engineer, Marta Kowalska. "The bridge is safe for another century."</p>
</article></body></html>"""
HTML = {"Content-Type": "text/html; charset=utf-8"}
TRACKING = "?at_medium=RSS&at_campaign=rss"


def _feed(base: str, *paths: str) -> bytes:
    items = "".join(
        f"<item><title>Story {path}</title><link>{base}{path}{TRACKING}</link>"
        f"<description>{SUMMARY}</description></item>"
        for path in paths
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>River News</title>{items}</channel></rss>'.encode()


def _settings(*extra: str):
    # No http.fetch_full_text here: the default is what is tested.
    return load_settings(overrides=[
        "http.allow_private_hosts=true", "http.min_host_delay=0", "http.max_retries=0",
        "http.read_timeout=1", "http.response_deadline_seconds=5", *extra,
    ])


def _poll(settings, jobs):
    return poll_feeds(jobs, settings.http, settings.input, ingested_at=NOW, threads=1)


def _tally(polled, name: str) -> int:
    return sum(element.count for element in polled if isinstance(element, Tally) and element.name == name)


def test_full_text_is_on_by_default_and_a_page_that_fails_keeps_the_summary() -> None:
    settings = _settings()
    assert settings.http.fetch_full_text is True
    with LocalHTTPServer() as server:
        server.route("/rss.xml", Reply(body=_feed(server.url(""), "/story", "/gone", "/slow")))
        server.route("/story" + TRACKING, Reply(body=PAGE, headers=HTML))
        server.route("/gone" + TRACKING, Reply(status=404))
        server.route("/slow" + TRACKING, Reply(body=PAGE, headers=HTML, delay=3))  # past read_timeout
        polled = _poll(settings, [FeedJob(FeedSpec(server.url("/rss.xml")))])
        story_request = server.requests_for("/story" + TRACKING)

    bodies = {article.title: article.body for article in polled if isinstance(article, Article)}
    assert "worth the wait" in bodies["Story /story"]
    assert bodies["Story /gone"] == bodies["Story /slow"] == SUMMARY
    failures = {failure.origin: failure for failure in polled if isinstance(failure, Failure)}
    # The page is fetched at the URL as published, tracking parameters and all: that is the link that works.
    assert len(story_request) == 1
    assert set(failures) == {server.url("/gone") + TRACKING, server.url("/slow") + TRACKING}
    assert {failure.reason for failure in failures.values()} == {"fulltext_failed"}
    assert "404" in failures[server.url("/gone") + TRACKING].detail
    assert _tally(polled, Count.FULL_TEXTS_FETCHED) == 1 and _tally(polled, Count.ARTICLES_READ) == 3
    # The entry keeps its identity: the page's own URL does not replace the feed's.
    story = next(a for a in polled if isinstance(a, Article) and a.title == "Story /story")
    assert story.canonical_url == server.url("/story") and story.url == server.url("/story") + TRACKING


def test_pages_wait_for_the_host_delay_after_the_feed_and_each_other() -> None:
    settings = _settings("http.min_host_delay=0.4")
    started: list[float] = []

    def timed(body: bytes):
        def respond(request: RecordedRequest) -> Reply:
            started.append(time.monotonic())
            return Reply(body=body, headers=HTML)
        return respond

    with LocalHTTPServer() as server:
        server.route("/rss.xml", timed(_feed(server.url(""), "/a", "/b")))
        server.route("/a" + TRACKING, timed(PAGE))
        server.route("/b" + TRACKING, timed(PAGE))
        polled = _poll(settings, [FeedJob(FeedSpec(server.url("/rss.xml")))])

    assert _tally(polled, Count.FULL_TEXTS_FETCHED) == 2
    assert len(started) == 3
    assert all(later - earlier >= 0.35 for earlier, later in zip(started, started[1:])), started


def test_a_feed_with_full_text_false_and_entries_already_seen_fetch_no_page() -> None:
    settings = _settings()
    with LocalHTTPServer() as server:
        base = server.url("")
        server.route("/off.xml", Reply(body=_feed(base, "/off")))
        server.route("/seen.xml", Reply(body=_feed(base, "/new", "/seen", "/seen-before-1-4")))
        for path in ("/off", "/new", "/seen", "/seen-before-1-4"):
            server.route(path + TRACKING, Reply(body=PAGE, headers=HTML))
        probe = _poll(settings, [FeedJob(FeedSpec(base + "/seen.xml", full_text=False))])
        ids = {a.title: a.article_id for a in probe if isinstance(a, Article)}
        # Seen by the last poll: by its id, or (a feed state of newsbeam 1.3) by its URL's id of then.
        seen = frozenset({ids["Story /seen"], url_article_id_before_1_4(base + "/seen-before-1-4" + TRACKING)})
        polled = _poll(settings, [
            FeedJob(FeedSpec(base + "/off.xml", full_text=False)),
            FeedJob(FeedSpec(base + "/seen.xml"), seen_ids=seen),
        ])
        pages = {path: len(server.requests_for(path + TRACKING)) for path in ("/off", "/new", "/seen", "/seen-before-1-4")}

    assert pages == {"/off": 0, "/new": 1, "/seen": 0, "/seen-before-1-4": 0}
    assert [a.title for a in polled if isinstance(a, Article)] == ["Story /off", "Story /new"]
    assert _tally(polled, Count.FEED_ENTRIES_SEEN) == 2
    assert [poll.status for poll in polled if isinstance(poll, FeedPoll)] == ["ok", "ok"]


@pytest.fixture
def fresh_robots():
    forget_rules()  # a port of an earlier test's server may come again: its rules must not
    yield
    forget_rules()


def test_robots_txt_is_read_once_per_host_and_a_disallowed_page_keeps_the_summary(fresh_robots) -> None:
    settings = _settings()
    with LocalHTTPServer() as server:
        server.route("/rss.xml", Reply(body=_feed(server.url(""), "/open", "/private/a", "/private/b")))
        server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"}))
        for path in ("/open", "/private/a", "/private/b"):
            server.route(path + TRACKING, Reply(body=PAGE, headers=HTML))
        polled = _poll(settings, [FeedJob(FeedSpec(server.url("/rss.xml")))])
        requests = [request.path for request in server.requests]

    assert requests == ["/rss.xml", "/robots.txt", "/open" + TRACKING]
    bodies = {article.title: article.body for article in polled if isinstance(article, Article)}
    assert "worth the wait" in bodies["Story /open"]
    assert bodies["Story /private/a"] == bodies["Story /private/b"] == SUMMARY
    assert _tally(polled, Count.FULL_TEXTS_DISALLOWED) == 2 and _tally(polled, Count.FULL_TEXTS_FETCHED) == 1
    assert not any(isinstance(element, Failure) for element in polled)  # a refusal is no failure


@pytest.mark.parametrize("status, fetched", [(404, True), (403, True), (500, False)])
def test_robots_txt_that_cannot_be_read(fresh_robots, status: int, fetched: bool) -> None:
    # RFC 9309: a 4xx means no rules (all allowed); a server error means unknown rules (none allowed).
    settings = _settings()
    with LocalHTTPServer() as server:
        server.route("/rss.xml", Reply(body=_feed(server.url(""), "/story")))
        server.route("/robots.txt", Reply(status=status))
        server.route("/story" + TRACKING, Reply(body=PAGE, headers=HTML))
        polled = _poll(settings, [FeedJob(FeedSpec(server.url("/rss.xml")))])
        pages = len(server.requests_for("/story" + TRACKING))

    assert pages == int(fetched)
    assert _tally(polled, Count.FULL_TEXTS_FETCHED) == int(fetched)
    assert _tally(polled, Count.FULL_TEXTS_DISALLOWED) == int(not fetched)

"""poll_feeds() under a cutoff (a watch cycle's deadline, a stop) against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from pipeline.config import load_settings
from pipeline.failures import Reason
from pipeline.records import Article, Failure, FeedPoll
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.feedlists import FeedSpec
from pipeline.sources.feeds import FeedJob, poll_feeds
from tests.http_server import LocalHTTPServer, Reply
from tests.unit.test_http import DRIP, HANG_BOUND, _within

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
PAGE = b"<html><body><article><p>The council met on Monday and agreed the budget for the new ferry, officials said.</p></article></body></html>"


def _feed(base: str, *entries: tuple[str, str]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<description>{title}: the council met on Monday, officials said.</description></item>"
        for path, title in entries
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>River News</title>{items}</channel></rss>'.encode()


def _settings(*extra: str):
    # a response deadline far away: only the cutoff can end the slow fetches here
    return load_settings(overrides=[
        "http.allow_private_hosts=true", "http.min_host_delay=0", "http.max_retries=0",
        "http.read_timeout=5", "http.response_deadline_seconds=600", *extra,
    ])


def _stop_when_requested(server: LocalHTTPServer, path: str, stop: threading.Event) -> None:
    def watch() -> None:
        give_up = time.monotonic() + HANG_BOUND
        while not server.requests_for(path) and time.monotonic() < give_up:
            time.sleep(0.01)
        stop.set()

    threading.Thread(target=watch, daemon=True).start()


def test_the_cycle_deadline_fails_the_fetch_in_progress_and_leaves_the_next_feed_due() -> None:
    settings = _settings()
    with LocalHTTPServer() as server:
        server.route("/slow.xml", Reply(body=_feed(server.url(""), ("/s", "Slow")), drip_seconds=DRIP))
        server.route("/later.xml", Reply(body=_feed(server.url(""), ("/l", "Later"))))
        jobs = [FeedJob(FeedSpec(server.url("/slow.xml"))), FeedJob(FeedSpec(server.url("/later.xml")))]
        cutoff = Cutoff(at=time.monotonic() + 2, label="the watch cycle's deadline")

        # one thread: the second feed would only start after the first, and the deadline is past by then
        polled = _within(HANG_BOUND, poll_feeds, jobs, settings.http, settings.input, ingested_at=NOW, threads=1, cutoff=cutoff)
        later_requests = server.requests_for("/later.xml")

    (failure,) = [element for element in polled if isinstance(element, Failure)]
    assert (failure.reason, failure.origin) == (Reason.DEADLINE_EXCEEDED.value, server.url("/slow.xml"))
    assert "the watch cycle's deadline" in failure.detail
    assert [(poll.url, poll.status) for poll in polled if isinstance(poll, FeedPoll)] == [(server.url("/slow.xml"), "failed")]
    assert later_requests == []  # not started: neither polled nor failed, so due again next cycle


def test_a_stop_drops_the_poll_in_progress_and_keeps_the_finished_ones() -> None:
    settings = _settings()
    stop = threading.Event()
    with LocalHTTPServer() as server:
        server.route("/fast.xml", Reply(body=_feed(server.url(""), ("/f", "Fast"))))
        server.route("/f", Reply(body=PAGE, headers={"Content-Type": "text/html"}))  # full text is on by default
        server.route("/slow.xml", Reply(body=_feed(server.url(""), ("/s", "Slow")), drip_seconds=DRIP))
        jobs = [FeedJob(FeedSpec(server.url("/fast.xml"))), FeedJob(FeedSpec(server.url("/slow.xml")))]
        _stop_when_requested(server, "/slow.xml", stop)

        polled = _within(HANG_BOUND, poll_feeds, jobs, settings.http, settings.input, ingested_at=NOW, threads=1,
                         cutoff=Cutoff(stop=stop))

    assert [article.title for article in polled if isinstance(article, Article)] == ["Fast"]
    assert [(poll.url, poll.status) for poll in polled if isinstance(poll, FeedPoll)] == [(server.url("/fast.xml"), "ok")]
    assert not any(isinstance(element, Failure) for element in polled)  # the interrupted poll left no trace


def test_a_stop_during_a_full_text_fetch_drops_the_whole_poll() -> None:
    # Kept with its summary and recorded as seen, the entry would never get its full text.
    settings = _settings("http.fetch_full_text=true")
    stop = threading.Event()
    with LocalHTTPServer() as server:
        server.route("/rss.xml", Reply(body=_feed(server.url(""), ("/page", "Bridge reopens"))))
        server.route("/page", Reply(body=b"<html><body><p>slow page</p></body></html>", drip_seconds=DRIP))
        _stop_when_requested(server, "/page", stop)

        polled = _within(HANG_BOUND, poll_feeds, [FeedJob(FeedSpec(server.url("/rss.xml")))], settings.http,
                         settings.input, ingested_at=NOW, cutoff=Cutoff(stop=stop))

    assert polled == []

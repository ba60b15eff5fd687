"""`newsbeam watch` end to end: cycles against a real HTTP server and a watched folder, SIGKILL and restart, SIGTERM."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import load_settings
from pipeline.query import run_query
from pipeline.sources.feed_state import FeedStateStore, state_path
from pipeline.sources.file_state import FileStateStore, file_state_path
from pipeline.watch import CycleResult, watch
from tests.conftest import REPO_ROOT
from tests.http_server import LocalHTTPServer, Reply

pytestmark = pytest.mark.slow

SPEAKERS = ["Ana Lima", "Jonas Weber", "Priya Natarajan", "Colm Brennan", "Elena Petrova"]


def _feed(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate>"
        f"<description>{title}: the council met on Monday, officials said.</description></item>"
        for path, title in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>River News</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    ).encode()


def _article(folder: Path, index: int) -> Path:
    """A short article file, dated a minute ago so that the watch does not wait for it to settle."""
    speaker = SPEAKERS[index % len(SPEAKERS)]
    path = folder / f"story-{index:03d}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Title: Story {index}\nDate: 2026-02-{1 + index % 28:02d}\nURL: https://news.example.org/story/{index}\n\n"
        f'"The harbour plan number {index} is ready," {speaker} said on Monday.\n'
    )
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def _titles(out: Path) -> list[str]:
    return sorted(title for (title,) in run_query(out, "SELECT title FROM articles")[1])


def _assert_no_duplicates(out: Path) -> None:
    for table, key in (("articles", "article_id"), ("entities", "entity_id"), ("quotes", "quote_id")):
        ((rows, distinct),) = run_query(out, f"SELECT count(*), count(DISTINCT {key}) FROM {table}")[1]
        assert rows == distinct, f"{table}: {rows} rows, {distinct} distinct"


def test_entries_and_files_added_between_cycles_land_exactly_once(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    _article(inbox, 0)
    with LocalHTTPServer() as server:
        base = server.url("")
        server.document("/rss.xml", _feed(base, [("/a", "Ferry returns")]), etag='"v1"')
        settings = load_settings(overrides=[
            f"output={out}", "http.allow_private_hosts=true", "http.min_host_delay=0",
            "http.max_retries=0", "watch.interval_seconds=1",
        ])
        results: list[CycleResult] = []

        def between_cycles(result: CycleResult) -> None:
            results.append(result)
            if result.number == 1:  # the feed gains an entry and the folder a file
                server.document("/rss.xml", _feed(base, [("/a", "Ferry returns"), ("/b", "Market opens")]), etag='"v2"')
                _article(inbox, 1)

        status = io.StringIO()
        summary = watch(settings, [server.url("/rss.xml"), str(inbox)], max_cycles=3, on_cycle=between_cycles,
                        settle_seconds=0, out=status)
        polls = server.requests_for("/rss.xml")

    assert [r.error for r in results] == [None, None, None], status.getvalue()
    first, second, third = results
    # documents_read counts files read from disk (feed polls are counted as feeds_*)
    assert (first.files, first.get("documents_read"), first.get("feeds_fetched"), first.get("rows_added:articles")) == (1, 1, 1, 2)
    # only the new file is read; the changed feed brings its new entry, and its old one is stored
    # already: with full text on (the default), an entry seen by the last poll is not read again
    assert (second.files, second.get("documents_read"), second.get("rows_added:articles")) == (1, 1, 2)
    assert second.get("feed_entries_seen") == 1
    # the unchanged feed answers 304 to the validator of the last poll; no file is read again
    assert (third.files, third.get("feeds_not_modified"), third.get("documents_read"), third.get("rows_added:articles")) == (0, 1, 0, 0)
    assert [p.header("If-None-Match") for p in polls] == [None, '"v1"', '"v2"']
    assert summary.counts["rows_added:articles"] == 4
    # The third cycle's only feed answered 304 and no file changed: the launcher polled it itself and
    # started no pipeline, so only the first two cycles committed a run.
    assert len(list((out / "_runs").glob("*.json"))) == 2

    assert _titles(out) == ["Ferry returns", "Market opens", "Story 0", "Story 1"]
    _assert_no_duplicates(out)
    lines = status.getvalue().splitlines()
    assert "feeds 1 polled / 1 not modified / 0 error  files 0" in lines[2]
    assert lines[3] == "watch stopped after 3 cycle(s): 4 new article(s), 0 changed, " + lines[3].split(", 0 changed, ")[1]


def _start_watch(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "watch", *args, "--allow-private-hosts", "--interval", "1s"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_a_watch_killed_mid_cycle_and_restarted_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    for index in range(40):
        _article(inbox, index)
    with LocalHTTPServer() as server:
        base = server.url("")
        server.document("/rss.xml", _feed(base, [("/a", "Ferry returns"), ("/b", "Market opens")]), etag='"v1"')
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n  - url: {server.url('/rss.xml')}\n    name: River News\n")

        job = _start_watch(str(feeds), str(inbox), "--output", str(out), "--quiet")
        deadline = time.monotonic() + 180
        try:
            # Kill while the first cycle's writer is at work: a partition written, the run report not yet.
            while time.monotonic() < deadline and job.poll() is None:
                if any(out.glob("_staging/*/*/date=*/*.parquet")) and not any((out / "_runs").glob("*.json")):
                    break
                time.sleep(0.02)
            assert job.poll() is None, "the watch ended before it could be killed"
            os.killpg(job.pid, signal.SIGKILL)
        finally:
            job.wait(timeout=30)
        assert not any((out / "_runs").glob("*.json")), "killed too late: the first cycle had finished"
        with FileStateStore(file_state_path(out)) as store:
            assert store.signatures() == {}  # nothing counts as ingested before its rows are written

        restarted = _start_watch(str(feeds), str(inbox), "--output", str(out), "--cycles", "2", "--quiet")
        stdout, _ = restarted.communicate(timeout=240)
        polls = server.requests_for("/rss.xml")

    assert restarted.returncode == 0, stdout
    lines = stdout.splitlines()
    assert "files 40" in lines[0]  # the killed cycle is redone whole
    assert "feeds 1 polled / 1 not modified / 0 error  files 0" in lines[1]
    assert lines[-1].startswith("watch stopped after 2 cycle(s)")
    assert polls[-1].header("If-None-Match") == '"v1"'

    expected = sorted([f"Story {index}" for index in range(40)] + ["Ferry returns", "Market opens"])
    assert _titles(out) == expected
    _assert_no_duplicates(out)
    for path in out.rglob("*.parquet"):
        pq.read_table(path)
    assert not list(out.rglob("*.partial"))
    with FileStateStore(file_state_path(out)) as store:
        assert len(store.signatures()) == 40


def test_sigterm_ends_a_watch_cleanly(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    job = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "watch", str(inbox), "--output", str(tmp_path / "out"), "--interval", "1h"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        first = job.stdout.readline()  # the first (idle) cycle's status line: the watch is now sleeping for an hour
        assert first.startswith("cycle 1 ") and "(nothing due)" in first
        job.send_signal(signal.SIGTERM)
        rest, _ = job.communicate(timeout=30)
    finally:
        if job.poll() is None:
            job.kill()
    assert job.returncode == 0
    assert rest.splitlines()[-1] == "watch stopped after 1 cycle(s): 0 new article(s), 0 changed, 0 quote(s), 0 failure(s)"


def test_sigterm_during_a_cycle_stuck_on_a_slow_peer_stops_within_seconds_and_keeps_what_was_read(tmp_path: Path) -> None:
    # Default deadlines (60 s per response, 600 s per cycle): only the stop can end the slow fetch soon.
    # The feeds are on two host names, polled side by side (one request at a time per host).
    out = tmp_path / "out"
    slow_feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>' + b" " * 600 + b"</channel></rss>"
    with LocalHTTPServer() as server:
        fast_url = server.url("/rss.xml").replace("127.0.0.1", "localhost")
        slow_url = server.url("/slow.xml")
        fast_base = fast_url.removesuffix("/rss.xml")
        server.document("/rss.xml", _feed(fast_base, [("/a", "Ferry returns"), ("/b", "Market opens")]), etag='"v1"')
        page = b"<html><body><article><p>The council met on Monday and agreed the ferry budget, officials said.</p></article></body></html>"
        for path in ("/a", "/b"):  # full text is on by default: the fast feed's pages, on its host
            server.route(path, Reply(body=page, headers={"Content-Type": "text/html"}))
        server.route("/slow.xml", Reply(body=slow_feed, drip_seconds=1.0))
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n  - url: {fast_url}\n  - url: {slow_url}\n")

        job = _start_watch(str(feeds), "--output", str(out), "--set", "http.min_host_delay=0")
        try:
            give_up = time.monotonic() + 180
            while time.monotonic() < give_up and job.poll() is None:
                fast = server.requests_for("/rss.xml") + server.requests_for("/a") + server.requests_for("/b")
                if server.requests_for("/slow.xml") and len(fast) == 3 and all(r.done.is_set() for r in fast):
                    break
                time.sleep(0.05)
            assert job.poll() is None, "the watch ended before the signal"
            job.send_signal(signal.SIGTERM)
            stdout, _ = job.communicate(timeout=60)  # without the stop reaching the fetch: ten minutes
        finally:
            if job.poll() is None:
                os.killpg(job.pid, signal.SIGKILL)
                job.wait(timeout=30)

    assert job.returncode == 0, stdout
    assert stdout.splitlines()[-1].startswith("watch stopped after 1 cycle(s): 2 new article(s)")
    assert _titles(out) == ["Ferry returns", "Market opens"]  # what was read is committed
    assert run_query(out, "SELECT count(*) FROM failures")[1] == [(0,)]  # an interrupted poll is no failure
    _assert_no_duplicates(out)
    with FeedStateStore(state_path(out)) as store:
        assert store.get(fast_url).etag == '"v1"'
        assert store.get(slow_url).last_attempt_at is None  # not recorded: polled again at the next start

"""FeedStateStore: round trips, schedule and backoff, seen ids, durability across reopen and SIGKILL."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from pipeline.sources.feed_state import FeedState, FeedStateStore, state_path

FEED = "https://example.org/rss.xml"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
HOUR = 3600.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedStateStore]:
    with FeedStateStore(state_path(tmp_path)) as opened:
        yield opened


def test_state_lives_in_an_underscore_folder_beside_the_dataset(tmp_path: Path) -> None:
    assert state_path(tmp_path / "data") == tmp_path / "data" / "_state" / "feeds.sqlite"


def test_an_unknown_feed_has_empty_state(store: FeedStateStore) -> None:
    assert store.get(FEED) == FeedState(url=FEED)


def test_success_round_trip(store: FeedStateStore) -> None:
    store.record_success(FEED, etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT", entry_ids=["a"], at=T0)

    assert store.get(FEED) == FeedState(
        url=FEED,
        etag='"v1"',
        last_modified="Mon, 02 Mar 2026 10:00:00 GMT",
        last_success_at=T0,
        last_attempt_at=T0,
        consecutive_failures=0,
    )


def test_not_modified_keeps_validators_and_resets_failures(store: FeedStateStore) -> None:
    store.record_success(FEED, etag='"v1"', last_modified=None, entry_ids=[], at=T0)
    store.record_failure(FEED, T0 + timedelta(hours=1))
    store.record_not_modified(FEED, T0 + timedelta(hours=2))

    state = store.get(FEED)

    assert (state.etag, state.consecutive_failures) == ('"v1"', 0)
    assert state.last_success_at == state.last_attempt_at == T0 + timedelta(hours=2)


def test_failures_count_up_and_success_resets_them(store: FeedStateStore) -> None:
    store.record_failure(FEED, T0)
    store.record_failure(FEED, T0 + timedelta(minutes=1))
    assert store.get(FEED).consecutive_failures == 2
    assert store.get(FEED).last_success_at is None

    store.record_success(FEED, etag=None, last_modified=None, entry_ids=[], at=T0 + timedelta(minutes=2))
    assert store.get(FEED).consecutive_failures == 0


def test_a_new_feed_is_due_at_once(store: FeedStateStore) -> None:
    assert store.is_due(FEED, HOUR, T0)


@pytest.mark.parametrize(
    ("failures", "due_after"),
    [(0, timedelta(hours=1)), (1, timedelta(hours=2)), (3, timedelta(hours=8)), (30, timedelta(days=1))],
)
def test_due_after_the_interval_with_backoff_on_failures(
    store: FeedStateStore, failures: int, due_after: timedelta
) -> None:
    store.record_success(FEED, etag=None, last_modified=None, entry_ids=[], at=T0)
    for _ in range(failures):
        store.record_failure(FEED, T0)

    assert not store.is_due(FEED, HOUR, T0 + due_after - timedelta(seconds=1))
    assert store.is_due(FEED, HOUR, T0 + due_after)


def test_backoff_never_shortens_a_long_interval(store: FeedStateStore) -> None:
    two_days = 2 * 24 * HOUR
    store.record_failure(FEED, T0)

    assert store.get(FEED).next_due_at(two_days) == T0 + timedelta(days=2)


def test_unseen_returns_new_ids_in_order(store: FeedStateStore) -> None:
    store.record_success(FEED, etag=None, last_modified=None, entry_ids=["a", "b"], at=T0)

    assert store.unseen(FEED, ["c", "a", "d", "c", "b"]) == ["c", "d"]
    assert store.unseen("https://other.example/feed", ["a"]) == ["a"]  # ids are per feed


def test_seen_ids_are_bounded_and_ids_still_listed_are_kept(tmp_path: Path) -> None:
    with FeedStateStore(tmp_path / "s.sqlite", max_seen_ids=3) as store:
        store.record_success(FEED, etag=None, last_modified=None, entry_ids=["a", "b", "c"], at=T0)
        # "a" is still in the feed; "d" and "e" are new: the oldest id no longer listed ("b" or "c") goes
        store.record_success(FEED, etag=None, last_modified=None, entry_ids=["d", "e", "a"], at=T0)

        assert store.unseen(FEED, ["a", "b", "c", "d", "e"]) == ["b", "c"]


def test_a_reopened_store_keeps_its_state(tmp_path: Path) -> None:
    path = state_path(tmp_path)
    with FeedStateStore(path) as store:
        store.record_success(FEED, etag='"v1"', last_modified=None, entry_ids=["a", "b"], at=T0)
        store.record_failure(FEED, T0 + timedelta(hours=1))

    with FeedStateStore(path) as reopened:
        assert reopened.get(FEED).etag == '"v1"'
        assert reopened.get(FEED).consecutive_failures == 1
        assert reopened.unseen(FEED, ["a", "b", "c"]) == ["c"]


def test_naive_datetimes_are_refused(store: FeedStateStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_failure(FEED, datetime(2026, 3, 2, 10, 0))


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from pipeline.sources.feed_state import FeedStateStore

    store = FeedStateStore(sys.argv[1])
    for n in range(1_000_000):
        store.record_success("feed", etag=f"e{n}", last_modified=None, entry_ids=[f"id{n}"],
                             at=datetime.now(timezone.utc))
        if n == 20:
            print("ready", flush=True)
    """
)


def test_a_sigkilled_writer_leaves_a_consistent_store(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    command = [sys.executable, "-c", WRITER, str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]) as writer:
        try:
            assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        finally:
            writer.send_signal(signal.SIGKILL)  # mid-write, most likely: it writes in a tight loop
            writer.wait(timeout=10)

    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with FeedStateStore(path) as store:
        last = int(store.get("feed").etag.removeprefix("e"))  # type: ignore[union-attr]
        # the etag and the ids were written in one transaction: whichever was last committed, both are there
        assert store.unseen("feed", [f"id{n}" for n in range(last + 2)]) == [f"id{last + 1}"]

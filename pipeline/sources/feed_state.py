"""Durable per-feed polling state beside the dataset: validators, schedule, failures, entry ids seen.

Stored in SQLite (``OUTPUT/_state/feeds.sqlite``) rather than a JSON file because: every update is a
small transaction instead of a rewrite of every feed's few thousand ids; a transaction either lands
whole or not at all, so a SIGKILL at any moment leaves the last committed state (WAL journal,
``synchronous=FULL`` so it also holds across a power cut); and several threads or processes can share
the store (writers serialise on SQLite's lock, readers never block).  The folder starts with "_" so
Hive-style dataset readers (pyarrow, DuckDB, Spark) skip it.  SQLite needs a local file system: an
``gs://`` output keeps its state elsewhere.

Exactly once: call ``record_success`` with an entry's id only after that entry is durably in the
dataset.  A crash in between means the entry is fetched again on restart, and the dataset writer's
idempotent upsert makes that harmless; the reverse order could lose it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Optional, Union

from pipeline.sources.sqlite_state import SqliteState

STATE_DIR = "_state"
STATE_FILE = "feeds.sqlite"
MAX_SEEN_IDS = 5000  # per feed: far more than any feed lists at once, so an id still listed is never forgotten
MAX_BACKOFF = timedelta(days=1)  # a feed failing for days is still tried daily

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_success_at TEXT,
    last_attempt_at TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS seen (
    url TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    seq INTEGER NOT NULL,  -- larger is more recently seen; eviction keeps the largest MAX_SEEN_IDS
    PRIMARY KEY (url, entry_id)
);
CREATE INDEX IF NOT EXISTS seen_by_recency ON seen (url, seq);
"""


@dataclass(frozen=True)
class FeedState:
    url: str
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    last_success_at: Optional[datetime] = None
    last_attempt_at: Optional[datetime] = None
    consecutive_failures: int = 0

    def next_due_at(self, interval_seconds: float) -> Optional[datetime]:
        """When the feed should be polled next; None when it never was (due now).

        Derived, not stored, because the interval belongs to the feed list and may change between runs.
        After failures the wait doubles each time (interval x 2^failures), up to a day or the interval.
        """
        if self.last_attempt_at is None:
            return None
        interval = timedelta(seconds=interval_seconds)
        if self.consecutive_failures:
            wait = interval * 2 ** min(self.consecutive_failures, 20)
            interval = min(wait, max(interval, MAX_BACKOFF))
        return self.last_attempt_at + interval


def state_path(output: Union[str, Path]) -> Path:
    """Where the feed state of the dataset at ``output`` lives."""
    return Path(output) / STATE_DIR / STATE_FILE


class FeedStateStore(SqliteState):
    """Per-feed state in one SQLite file; thread-safe, and safe to share between processes."""

    def __init__(self, path: Union[str, Path], *, max_seen_ids: int = MAX_SEEN_IDS) -> None:
        super().__init__(path, _SCHEMA)
        self._max_seen_ids = max_seen_ids

    def get(self, url: str) -> FeedState:
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified, last_success_at, last_attempt_at, consecutive_failures"
                " FROM feeds WHERE url = ?",
                (url,),
            ).fetchone()
        if row is None:
            return FeedState(url=url)
        etag, last_modified, last_success_at, last_attempt_at, failures = row
        return FeedState(
            url=url,
            etag=etag,
            last_modified=last_modified,
            last_success_at=_from_text(last_success_at),
            last_attempt_at=_from_text(last_attempt_at),
            consecutive_failures=failures,
        )

    def record_success(
        self,
        url: str,
        *,
        etag: Optional[str],
        last_modified: Optional[str],
        entry_ids: Iterable[str],
        at: datetime,
    ) -> None:
        """A 200 whose entries are now in the dataset: new validators, failures reset, ids remembered."""
        stamp = _to_text(at)
        ids = list(dict.fromkeys(entry_ids))  # unique, first occurrence order
        with self._lock, self._transaction():
            self._db.execute(
                "INSERT INTO feeds (url, etag, last_modified, last_success_at, last_attempt_at, consecutive_failures)"
                " VALUES (?, ?, ?, ?, ?, 0)"
                " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
                " last_success_at = excluded.last_success_at, last_attempt_at = excluded.last_attempt_at,"
                " consecutive_failures = 0",
                (url, etag, last_modified, stamp, stamp),
            )
            (top,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM seen WHERE url = ?", (url,)).fetchone()
            # ids seen again move to the front, so ids the feed still lists are the last ones evicted
            self._db.executemany(
                "INSERT INTO seen (url, entry_id, seq) VALUES (?, ?, ?)"
                " ON CONFLICT (url, entry_id) DO UPDATE SET seq = excluded.seq",
                ((url, entry_id, top + len(ids) - index) for index, entry_id in enumerate(ids)),
            )
            self._db.execute(
                "DELETE FROM seen WHERE url = ? AND seq <= COALESCE("
                " (SELECT seq FROM seen WHERE url = ? ORDER BY seq DESC LIMIT 1 OFFSET ?), -1)",
                (url, url, self._max_seen_ids),
            )

    def record_not_modified(self, url: str, at: datetime) -> None:
        """A 304: the poll succeeded and nothing changed; validators and ids stay as they are."""
        stamp = _to_text(at)
        with self._lock, self._transaction():
            self._db.execute(
                "INSERT INTO feeds (url, last_success_at, last_attempt_at, consecutive_failures) VALUES (?, ?, ?, 0)"
                " ON CONFLICT (url) DO UPDATE SET last_success_at = excluded.last_success_at,"
                " last_attempt_at = excluded.last_attempt_at, consecutive_failures = 0",
                (url, stamp, stamp),
            )

    def record_failure(self, url: str, at: datetime) -> None:
        """A failed poll: one more consecutive failure, which lengthens the wait before the next one."""
        stamp = _to_text(at)
        with self._lock, self._transaction():
            self._db.execute(
                "INSERT INTO feeds (url, last_attempt_at, consecutive_failures) VALUES (?, ?, 1)"
                " ON CONFLICT (url) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,"
                " consecutive_failures = consecutive_failures + 1",
                (url, stamp),
            )

    def is_due(self, url: str, interval_seconds: float, now: datetime) -> bool:
        _check_aware(now)
        due_at = self.get(url).next_due_at(interval_seconds)
        return due_at is None or now >= due_at

    def seen_ids(self, url: str) -> frozenset[str]:
        """Every entry id recorded for ``url`` (at most ``max_seen_ids``, the most recent)."""
        with self._lock:
            rows = self._db.execute("SELECT entry_id FROM seen WHERE url = ?", (url,)).fetchall()
        return frozenset(entry_id for (entry_id,) in rows)

    def unseen(self, url: str, entry_ids: Iterable[str]) -> list[str]:
        """The ids of ``entry_ids`` not yet recorded for ``url``, in their order, without duplicates."""
        seen = self.seen_ids(url)
        return [entry_id for entry_id in dict.fromkeys(entry_ids) if entry_id not in seen]


def _to_text(moment: datetime) -> str:
    _check_aware(moment)
    return moment.isoformat()


def _from_text(text: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(text) if text else None


def _check_aware(moment: datetime) -> None:
    # naive datetimes would compare wrongly across machines and DST changes; the pipeline is UTC throughout
    if moment.tzinfo is None:
        raise ValueError(f"expected a timezone-aware datetime, got {moment!r}")

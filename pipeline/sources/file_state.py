"""Which local files a `watch` has already ingested: their signatures, beside the dataset.

A file is identified by its absolute path and recognised as unchanged by (size, mtime_ns): the same
quick check rsync and make rely on, and the only one that costs no read of the file.  Stored in
SQLite (``OUTPUT/_state/files.sqlite``) for the same reasons as the feed state
(``pipeline.sources.feed_state``): a cycle's signatures land in one transaction, whole or not at all,
so a SIGKILL at any moment leaves the last committed state, and only the changed rows are written
rather than a rewrite of every file ever seen.

Exactly once: record a file's signature only after the run that read it has written its rows.  A
crash in between makes the next cycle read the file again, which the dataset writer absorbs (an
article stored with the same content hash is skipped); the reverse order could lose the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Mapping, Optional, Union

from pipeline.sources.feed_state import STATE_DIR
from pipeline.sources.sqlite_state import SqliteState

FILE_STATE = "files.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class FileSignature:
    size: int
    mtime_ns: int


def file_state_path(output: Union[str, Path]) -> Path:
    """Where the file signatures of the dataset at ``output`` live (an "_" folder: readers skip it)."""
    return Path(output) / STATE_DIR / FILE_STATE


def signature_of(path: Union[str, Path]) -> Optional[FileSignature]:
    """The file's current signature, or None when it is gone (deleted between listing and now)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return FileSignature(size=status.st_size, mtime_ns=status.st_mtime_ns)


class FileStateStore(SqliteState):
    """path -> FileSignature in one SQLite file; written only by the watch that holds the dataset lock."""

    def __init__(self, path: Union[str, Path]) -> None:
        super().__init__(path, _SCHEMA)

    def signatures(self) -> dict[str, FileSignature]:
        with self._lock:
            rows = self._db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
        return {path: FileSignature(size, mtime_ns) for path, size, mtime_ns in rows}

    def record(self, ingested: Mapping[str, FileSignature], *, present: Optional[Collection[str]] = None) -> None:
        """Remember ``ingested`` files; with ``present``, forget every other path not in it.

        Forgetting files that left the watched folders keeps the table as small as the folders (an
        inbox whose files are moved away after ingestion would otherwise grow it forever); a file
        that comes back is read again, and the writer skips what it already holds.
        """
        with self._lock, self._transaction():
            self._db.executemany(
                "INSERT INTO files (path, size, mtime_ns) VALUES (?, ?, ?)"
                " ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns",
                ((path, sig.size, sig.mtime_ns) for path, sig in ingested.items()),
            )
            if present is not None:
                keep = set(present) | set(ingested)
                stored = [path for (path,) in self._db.execute("SELECT path FROM files").fetchall()]
                self._db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in stored if p not in keep))

"""The durable state stores' common ground: one SQLite file in WAL mode, written in whole transactions.

SQLite rather than a JSON file: each update is one small transaction instead of a rewrite of the
whole state, several threads or processes can share it, and a kill at any moment leaves the last
committed state (WAL, synchronous=FULL).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TypeVar, Union

_Store = TypeVar("_Store", bound="SqliteState")


class SqliteState:
    """Opens ``path`` with ``schema``; subclasses read under ``self._lock`` and write in ``_transaction()``."""

    def __init__(self, path: Union[str, Path], schema: str) -> None:
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # isolation_level=None: transactions are opened explicitly, so none is left open by accident
        self._db = sqlite3.connect(self._path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # what is recorded stays recorded across a power cut
        self._db.executescript(schema)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self: _Store) -> _Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: a write lands whole or not at all.

        IMMEDIATE takes the write lock up front, so two processes cannot both read-then-write.
        Callers hold ``self._lock``.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

"""The feed and file state (SQLite) of a dataset, wherever the dataset lives.

SQLite needs a local file. For a local dataset the state is ``ROOT/_state/`` itself. For a dataset
in a bucket, the state files are copied from ``ROOT/_state/`` into a private temporary folder when a
job takes the dataset lock, and copied back after every committed run: the lock makes the job the
only writer, so a restart on another machine finds the state of the last committed run.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Optional

from pipeline.storage import objects
from pipeline.storage.location import Location

STATE_DIR = "_state"
_STATE_SUFFIX = ".sqlite"


class StateFolder:
    """``with StateFolder(location) as state:``: ``state.folder`` is the local folder the state files
    live in while the job holds the dataset lock; ``state.push()`` saves them where the dataset is."""

    def __init__(self, location: Location) -> None:
        self._location = location
        self._temporary: Optional[str] = None
        self.folder = Path(location.path(STATE_DIR)) if location.is_local else Path()

    def __enter__(self) -> "StateFolder":
        if self._location.is_local:
            self.folder.mkdir(parents=True, exist_ok=True)
            return self
        self._temporary = tempfile.mkdtemp(prefix="newsbeam-state-")
        self.folder = Path(self._temporary)
        for relative in objects.list_files(self._location, STATE_DIR, suffix=_STATE_SUFFIX):
            data = objects.read_bytes(self._location, relative)
            Path(self._temporary, os.path.basename(relative)).write_bytes(data)
        return self

    def push(self) -> None:
        """Copy the state files back to the bucket (call with every store closed, after a commit)."""
        if self._temporary is None:
            return
        for path in sorted(Path(self._temporary).glob(f"*{_STATE_SUFFIX}")):
            objects.write_bytes(self._location, f"{STATE_DIR}/{path.name}", snapshot(path))

    def __exit__(self, kind: Optional[type], error: Optional[BaseException], trace: Optional[TracebackType]) -> None:
        if self._temporary is None:
            return
        try:
            if error is None:
                self.push()
        finally:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None


def snapshot(path: Path) -> bytes:
    """A consistent copy of a SQLite database, its write-ahead log included, even while it is open."""
    with tempfile.TemporaryDirectory(prefix="newsbeam-snapshot-") as folder:
        copy = Path(folder, path.name)
        source = sqlite3.connect(path)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return copy.read_bytes()

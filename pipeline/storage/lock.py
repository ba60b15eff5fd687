"""One writer per dataset: two jobs committing into one dataset could publish over each other.

On a local disk the lock is ``flock`` on ``ROOT/.lock``: the kernel lets go when the process dies,
however it dies. A bucket has no such thing, so there the lock is an object, ``ROOT/_lock.json``,
made with an exclusive create (a conditional PUT that only one writer can win). It names its holder
and carries a lease that a background thread renews; a lock whose holder is a dead process on this
host, or whose lease ran out (the holder's machine died), is taken over. Taking over is the one
moment two writers could race (both see the same stale lock); it needs a holder to have died and
two jobs to start within the same second.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Optional

from pipeline.storage import objects
from pipeline.storage.location import Location

LOCK_OBJECT = "_lock.json"
LEASE_SECONDS = 300.0  # a holder that stops renewing for this long is taken for dead


class DatasetBusy(RuntimeError):
    """Another newsbeam process is writing the same dataset."""


@contextmanager
def dataset_lock(location: Location, *, lease_seconds: float = LEASE_SECONDS) -> Iterator[None]:
    if location.is_local:
        with _local_lock(location):
            yield
    else:
        with _object_lock(location, lease_seconds=lease_seconds):
            yield


@contextmanager
def _local_lock(location: Location) -> Iterator[None]:
    path = location.path(".lock")
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatasetBusy(f"another newsbeam job is writing {location} (lock {path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _holder(lease_seconds: float) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "acquired_at": now.isoformat(),
        "expires_at": (now + timedelta(seconds=lease_seconds)).isoformat(),
    }


@contextmanager
def _object_lock(location: Location, *, lease_seconds: float) -> Iterator[None]:
    holder = _holder(lease_seconds)
    if not objects.create_exclusively(location, LOCK_OBJECT, json.dumps(holder).encode()):
        current = _read_holder(location)
        if current is not None and not _is_stale(current):
            raise DatasetBusy(
                f"another newsbeam job is writing {location} (host {current.get('host')}, pid {current.get('pid')}, "
                f"since {current.get('acquired_at')}; its lease ends {current.get('expires_at')} unless renewed)"
            )
        objects.delete(location, LOCK_OBJECT)  # stale: its holder is gone
        if not objects.create_exclusively(location, LOCK_OBJECT, json.dumps(holder).encode()):
            raise DatasetBusy(f"another newsbeam job took the lock of {location} at the same moment")
    stop = threading.Event()
    renewer = threading.Thread(target=_renew, args=(location, holder, lease_seconds, stop), daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=5)
        objects.delete(location, LOCK_OBJECT)


def _renew(location: Location, holder: dict[str, Any], lease_seconds: float, stop: threading.Event) -> None:
    while not stop.wait(lease_seconds / 3):
        renewed = {**holder, "expires_at": (datetime.now(timezone.utc) + timedelta(seconds=lease_seconds)).isoformat()}
        try:
            objects.write_bytes(location, LOCK_OBJECT, json.dumps(renewed).encode())
        except OSError:
            pass  # the next renewal tries again; a lease lost for good lets another writer in


def _read_holder(location: Location) -> Optional[dict[str, Any]]:
    try:
        return json.loads(objects.read_bytes(location, LOCK_OBJECT).decode("utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError):
        return {}  # an unreadable lock object is stale


def _is_stale(holder: dict[str, Any]) -> bool:
    if not holder:
        return True
    if holder.get("host") == socket.gethostname() and not _process_alive(int(holder.get("pid", 0))):
        return True
    try:
        return datetime.fromisoformat(holder["expires_at"]) < datetime.now(timezone.utc)
    except (KeyError, ValueError):
        return True


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

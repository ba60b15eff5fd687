"""The few file operations the dataset needs, the same on a local disk and in a bucket.

Paths here are relative to a :class:`Location` and use ``/``. What "atomic" means differs, and the
dataset's design leans only on what both give:

- a whole-object write is atomic on S3 and GCS (a reader sees the old object or the new one); on a
  local disk the same comes from writing a temporary name, fsync, rename, fsync of the folder;
- a rename is atomic on a local disk and a copy then a delete in a bucket; the dataset never relies
  on a rename being atomic, only on each written file being whole;
- an exclusive create (fails when the object exists) is ``O_EXCL`` locally, a conditional PUT in a
  bucket (``pipe_file(..., mode="create")``): the dataset lock on object storage is built on it.
"""

from __future__ import annotations

import os
import posixpath
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Optional, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.storage.location import Location, StorageError

# Files of different shards are independent: threads overlap an object store's latency per
# request, and pyarrow reads, encodes and writes without holding the GIL. A commit of a large run
# touches all 256 shards of an index.
IO_THREADS = 8

Item = TypeVar("Item")
Result = TypeVar("Result")

PARTIAL_SUFFIX = ".partial"


def write_bytes(location: Location, relative: str, data: bytes, *, durable: bool = True) -> None:
    """Write a whole file so that no reader ever sees part of it.

    ``durable=False`` skips the fsyncs on a local disk: for the many files of a commit, which are made
    durable together by one :func:`sync` at the commit's checkpoints (an fsync per file cost most of
    a commit's time). A killed process loses nothing either way; only a power cut needs the sync."""
    if location.is_local:
        _write_local_atomically(location.path(relative), data, durable=durable)
    else:
        location.fs.pipe_file(location.path(relative), data)


def write_parquet(location: Location, relative: str, table: pa.Table, *, compression: str, durable: bool = True) -> int:
    """Write ``table`` as one Parquet file, atomically; returns its size in bytes."""
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer, compression=compression)
    data = buffer.getvalue().to_pybytes()
    write_bytes(location, relative, data, durable=durable)
    return len(data)


def sync(location: Location) -> None:
    """Make every file written below a local location so far durable (one syncfs of its filesystem,
    where the platform has it); a no-op in a bucket, where each write is durable when it returns."""
    if not location.is_local:
        return
    descriptor = os.open(location.root, os.O_RDONLY)
    try:
        if _syncfs is not None:
            _syncfs(descriptor)
        else:
            os.sync()
    finally:
        os.close(descriptor)


def read_parquet(
    location: Location,
    relative: str,
    *,
    schema: Optional[pa.Schema] = None,
    columns: Optional[list[str]] = None,
    filters: Optional[list[tuple[str, str, Any]]] = None,
) -> pa.Table:
    if location.is_local:
        return pq.read_table(location.path(relative), schema=schema, columns=columns, filters=filters)
    with location.fs.open(location.path(relative), "rb") as handle:
        return pq.read_table(handle, schema=schema, columns=columns, filters=filters)


def read_bytes(location: Location, relative: str) -> bytes:
    return location.fs.cat_file(location.path(relative))


def exists(location: Location, relative: str) -> bool:
    return location.fs.exists(location.path(relative))


def list_files(location: Location, relative: str, *, suffix: str = "") -> list[str]:
    """Files below ``relative`` (recursively), relative to the location, sorted; [] when there are none."""
    base = location.path(relative)
    try:
        found = location.fs.find(base, withdirs=False)
    except FileNotFoundError:
        return []
    root = location.root.rstrip("/") + "/"
    names = []
    for path in found:
        path = path if location.is_local else path.lstrip("/")
        inner = path[len(root):] if path.startswith(root) else path
        if inner.endswith(suffix):
            names.append(inner)
    return sorted(names)


def list_folders(location: Location, relative: str) -> list[str]:
    """The names of the folders directly below ``relative`` (``date=2024-05-18``), sorted."""
    base = location.path(relative)
    try:
        entries = location.fs.ls(base, detail=True)
    except FileNotFoundError:
        return []
    return sorted(posixpath.basename(entry["name"].rstrip("/")) for entry in entries if entry["type"] == "directory")


def move(location: Location, source: str, target: str) -> None:
    """Move a file into place (the target's folder is created); a no-op when the source is gone but
    the target is there, so that finishing an interrupted commit can move again."""
    source_path, target_path = location.path(source), location.path(target)
    if location.is_local:
        os.makedirs(posixpath.dirname(target_path), exist_ok=True)
        try:
            os.replace(source_path, target_path)  # durable at the commit's next sync()
        except FileNotFoundError:
            if not os.path.exists(target_path):
                raise
        return
    fs = location.fs
    if not fs.exists(source_path):
        if fs.exists(target_path):
            return
        raise FileNotFoundError(source_path)
    fs.copy(source_path, target_path)
    fs.rm_file(source_path)


def delete(location: Location, relative: str) -> None:
    """Remove a file; a file already gone is not an error."""
    try:
        location.fs.rm_file(location.path(relative))
    except FileNotFoundError:
        pass


def delete_tree(location: Location, relative: str) -> None:
    path = location.path(relative)
    try:
        if location.fs.exists(path):
            location.fs.rm(path, recursive=True)
    except FileNotFoundError:
        pass


def delete_files(location: Location, relatives: Iterable[str]) -> None:
    for relative in relatives:
        delete(location, relative)


def create_exclusively(location: Location, relative: str, data: bytes) -> bool:
    """Create a file only if it does not exist yet; False when it does (someone else made it first)."""
    path = location.path(relative)
    if location.is_local:
        os.makedirs(posixpath.dirname(path), exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return True
    try:
        # One-shot upload with the precondition (If-None-Match: * on S3, ifGenerationMatch=0 on GCS);
        # gcsfs's open("xb") goes through a resumable upload that some GCS servers do not check.
        location.fs.pipe_file(path, data, mode="create")
    except FileExistsError:
        return False
    except OSError as error:
        # A conditional PUT that loses the race is refused with 412 Precondition Failed; some servers
        # answer 409. Both mean: the object exists.
        if _is_precondition_failure(error):
            return False
        raise
    return True


def check_reachable(location: Location) -> None:
    """Fail with one line, before any work, when the bucket is missing or the credentials are refused."""
    if location.is_local:
        return
    fs = location.fs
    bucket = location.bucket or ""
    try:
        fs.ls(bucket, detail=False)  # lists one level: cheap, and needs both the bucket and the right to read it
    except FileNotFoundError:
        raise StorageError(f"{location.url}: bucket {bucket!r} does not exist") from None
    except PermissionError as error:
        raise StorageError(f"{location.url}: access refused ({_first_line(error)})") from None
    except OSError as error:
        raise StorageError(f"{location.url}: cannot reach the bucket ({_first_line(error)})") from None
    except Exception as error:  # noqa: BLE001 - botocore raises its own types for bad credentials or endpoints
        raise StorageError(f"{location.url}: cannot reach the bucket ({type(error).__name__}: {_first_line(error)})") from None


def temporary_name(relative: str) -> str:
    """A hidden sibling name that no reader's ``*.parquet`` glob matches."""
    folder, name = posixpath.split(relative)
    return posixpath.join(folder, f".{name}.{uuid.uuid4().hex}{PARTIAL_SUFFIX}")


def _write_local_atomically(target: str, data: bytes, *, durable: bool = True) -> None:
    folder = posixpath.dirname(target)
    os.makedirs(folder, exist_ok=True)
    temporary = posixpath.join(folder, posixpath.basename(temporary_name(target)))
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temporary, target)
        if durable:
            _fsync_directory(folder)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _fsync_directory(path: str) -> None:
    # A rename is durable only once its directory entry is; without this a power cut could lose it.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _load_syncfs():
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.syncfs
    except (OSError, AttributeError):
        return None


_syncfs = _load_syncfs()


def _is_precondition_failure(error: BaseException) -> bool:
    text = str(error)
    return "PreconditionFailed" in text or "412" in text or "ConditionalRequestConflict" in text


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def in_parallel(work: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """``work`` on each item (a shard, a file), on :data:`IO_THREADS` threads; results in order."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="newsbeam-io") as pool:
        return list(pool.map(work, items))

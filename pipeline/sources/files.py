"""File inputs: path specs to file paths, and one file to a RawDocument.

Local paths are read with the os module (stat before open, so FIFOs and devices are refused);
``s3://`` and ``gs://`` specs go through the bucket's filesystem (pipeline.storage), with the same
limits and the same failures.

Bad input is data: a spec that matches nothing, a file that cannot be read, an empty, oversized or
corrupt gzip file all come back as Failures (stage "read"); nothing here raises.
"""

from __future__ import annotations

import glob
import os
import stat
import zlib
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import PurePath
from typing import BinaryIO, Optional, Union

from pipeline.failures import Reason, make_failure
from pipeline.records import Failure, RawDocument
from pipeline.storage.location import Location, is_object_store

STAGE = "read"

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16
_GLOB_CHARS = frozenset("*?[")
_FORMAT_BY_SUFFIX = {
    ".txt": "text",
    ".md": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
}


class _ReadError(Exception):
    """A file that cannot become a RawDocument, with the reason to record."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def expand_paths(specs: list[str], *, storage_options: Optional[dict] = None) -> tuple[list[str], list[Failure]]:
    """Files, folders (recursively, hidden entries skipped) and globs (with **) to sorted absolute paths
    (``s3://``/``gs://`` URLs for specs in a bucket)."""
    paths: set[str] = set()
    failures: list[Failure] = []
    for spec in specs:
        try:
            if is_object_store(spec):
                found, errors = _expand_object_spec(spec, storage_options or {})
            else:
                found, errors = _expand_spec(spec[len("file://"):] if spec.startswith("file://") else spec)
        except (OSError, ValueError) as error:  # ValueError: a NUL byte in the spec
            failures.append(make_failure(STAGE, Reason.UNREADABLE_PATH, spec, f"cannot list {spec!r}: {error}"))
            continue
        failures.extend(errors)
        found, unnamed = _printable_paths(found)
        failures.extend(unnamed)
        if found or unnamed:
            paths.update(found)
        elif not errors:
            failures.append(make_failure(STAGE, Reason.NO_MATCH, spec, f"{spec!r} matched no file"))
    return sorted(paths), failures


def _printable_paths(paths: list[str]) -> tuple[list[str], list[Failure]]:
    """Paths whose names are valid UTF-8, and a failure for each one that is not.

    A file name is bytes to the OS; Python hands back the undecodable ones with surrogate escapes,
    which no UTF-8 consumer downstream (Beam's string coder, Parquet, JSON) can carry: one such
    name would stop the whole run. It becomes a failures row naming it with replacement characters."""
    printable: list[str] = []
    failures: list[Failure] = []
    for path in paths:
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            failures.append(make_failure(STAGE, Reason.UNREADABLE_PATH, shown, "the file name is not valid UTF-8; rename the file"))
            continue
        printable.append(path)
    return printable, failures


def file_sizes(paths: list[str]) -> list[tuple[str, int]]:
    """(path, bytes) of local files, for dealing them evenly over the NLP shards; a bucket's
    objects count 1 each (sizes there would cost a request per object), as does a file that
    cannot be read now (reading it will say why)."""
    sizes = []
    for path in paths:
        try:
            sizes.append((path, 1 if is_object_store(path) else os.stat(path).st_size))
        except (OSError, ValueError):
            sizes.append((path, 1))
    return sizes


def source_for(path: str, sources: Mapping[str, str]) -> Optional[str]:
    """The source ``input.sources`` names for ``path``: that of the longest folder, file or bucket
    prefix that holds it (paths compared absolute, at a path boundary), None when none does."""
    best: Optional[tuple[int, str]] = None
    for prefix, source in sources.items():
        base = prefix if is_object_store(prefix) else os.path.abspath(os.path.expanduser(prefix))
        base = base.rstrip("/")
        if path == base or path.startswith(base + "/"):
            if best is None or len(base) > best[0]:
                best = (len(base), source)
    return best[1] if best else None


def modification_time(path: str) -> Optional[datetime]:
    """A local file's modification time (UTC); None in a bucket (it would cost a request) or when unknown."""
    if is_object_store(path):
        return None
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc)
    except (OSError, ValueError, OverflowError):
        return None


def read_file(path: str, *, max_bytes: int, storage_options: Optional[dict] = None) -> Union[RawDocument, Failure]:
    """The bytes of ``path`` (gunzipped when they are gzip), bounded by ``max_bytes`` after decompression."""
    try:
        if is_object_store(path):
            data = _read_object_bounded(path, max_bytes=max_bytes, storage_options=storage_options or {})
        else:
            data = _read_bounded(path, max_bytes=max_bytes)
    except _ReadError as error:
        return make_failure(STAGE, error.reason, path, str(error))
    except (OSError, ValueError) as error:
        return make_failure(STAGE, Reason.UNREADABLE_PATH, path, f"cannot read: {error}")
    if not data.strip():
        return make_failure(STAGE, Reason.EMPTY_FILE, path, "the file is empty or holds only whitespace")
    return RawDocument(origin=path, data=data, format_hint=format_hint_for(path))


def format_hint_for(path: str) -> Optional[str]:
    """The format an extension promises ("a.jsonl.gz" -> "jsonl"), or None to sniff the content."""
    pure = PurePath(path)
    if pure.suffix.lower() == ".gz":
        pure = pure.with_suffix("")
    return _FORMAT_BY_SUFFIX.get(pure.suffix.lower())


def _expand_spec(spec: str) -> tuple[list[str], list[Failure]]:
    expanded = os.path.expanduser(spec)
    if any(char in _GLOB_CHARS for char in expanded) and not os.path.lexists(expanded):
        matches = sorted(glob.glob(expanded, recursive=True))
        found: list[str] = []
        errors: list[Failure] = []
        for match in matches:
            more, more_errors = _expand_existing(match)
            found.extend(more)
            errors.extend(more_errors)
        return found, errors
    if not os.path.lexists(expanded):
        return [], [make_failure(STAGE, Reason.UNREADABLE_PATH, spec, f"{spec!r} does not exist")]
    if not os.path.exists(expanded):
        return [], [make_failure(STAGE, Reason.UNREADABLE_PATH, spec, f"{spec!r} is a broken symbolic link")]
    return _expand_existing(expanded)


def _expand_existing(path: str) -> tuple[list[str], list[Failure]]:
    if os.path.isdir(path):
        return _walk_folder(path)
    # Anything else (a file, a broken link, a FIFO) is handed on: read_file says what is wrong with it.
    return [os.path.abspath(path)], []


def _walk_folder(folder: str) -> tuple[list[str], list[Failure]]:
    found: list[str] = []
    errors: list[Failure] = []

    def record(error: OSError) -> None:
        where = error.filename or folder
        errors.append(make_failure(STAGE, Reason.UNREADABLE_PATH, where, f"cannot list folder: {error.strerror}"))

    # Symlinked folders are not followed: a link back up the tree would never end.
    for root, dirs, files in os.walk(folder, onerror=record):
        dirs[:] = sorted(name for name in dirs if not _is_hidden(name))
        found.extend(os.path.abspath(os.path.join(root, name)) for name in sorted(files) if not _is_hidden(name))
    return found, errors


def _expand_object_spec(spec: str, storage_options: dict) -> tuple[list[str], list[Failure]]:
    """A bucket spec: an object, a prefix (every object below it, hidden names skipped) or a glob."""
    location = Location.parse(spec, storage_options)
    fs = location.fs
    if any(char in _GLOB_CHARS for char in location.root):
        candidates = fs.glob(location.root)
    elif fs.isfile(location.root):
        candidates = [location.root]
    else:
        candidates = fs.find(location.root) if fs.isdir(location.root) else []
    if not candidates and not fs.exists(location.root) and not any(char in _GLOB_CHARS for char in location.root):
        return [], [make_failure(STAGE, Reason.UNREADABLE_PATH, spec, f"{spec!r} does not exist")]
    found = []
    for candidate in candidates:
        inner = candidate.lstrip("/")
        relative = inner[len(location.root):].strip("/")
        if any(_is_hidden(part) for part in relative.split("/") if part) or fs.isdir(inner):
            continue
        found.append(f"{location.scheme}://{inner}")
    return found, []


def _read_object_bounded(url: str, *, max_bytes: int, storage_options: dict) -> bytes:
    location = Location.parse(url, storage_options)
    fs = location.fs
    size = fs.info(location.root).get("size") or 0
    with fs.open(location.root, "rb") as stream:
        head = stream.read(len(_GZIP_MAGIC))
        if head == _GZIP_MAGIC:
            return _gunzip_bounded(stream, head, max_bytes=max_bytes)
        if size > max_bytes:
            raise _ReadError(Reason.TOO_LARGE, f"{size} bytes, over the limit of {max_bytes}")
        data = head + stream.read(max_bytes + 1 - len(head))
    if len(data) > max_bytes:
        raise _ReadError(Reason.TOO_LARGE, f"over the limit of {max_bytes} bytes")
    return data


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _read_bounded(path: str, *, max_bytes: int) -> bytes:
    # stat before open: opening a FIFO would block and reading /dev/zero would never end.
    status = os.stat(path)
    if stat.S_ISDIR(status.st_mode):
        raise _ReadError(Reason.UNREADABLE_PATH, "is a folder, not a file")
    if not stat.S_ISREG(status.st_mode):
        raise _ReadError(Reason.UNREADABLE_PATH, "is not a regular file")
    with open(path, "rb") as stream:
        head = stream.read(len(_GZIP_MAGIC))
        if head == _GZIP_MAGIC:
            return _gunzip_bounded(stream, head, max_bytes=max_bytes)
        if status.st_size > max_bytes:
            raise _ReadError(Reason.TOO_LARGE, f"{status.st_size} bytes, over the limit of {max_bytes}")
        data = head + stream.read(max_bytes + 1 - len(head))
    if len(data) > max_bytes:  # the file grew after stat
        raise _ReadError(Reason.TOO_LARGE, f"over the limit of {max_bytes} bytes")
    return data


def _gunzip_bounded(stream: BinaryIO, head: bytes, *, max_bytes: int) -> bytes:
    """Decompress chunk by chunk, never holding more than ``max_bytes`` + one chunk: a gzip bomb stops early."""
    output = bytearray()
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = head
    try:
        while True:
            if not pending:
                pending = stream.read(_CHUNK)
                if not pending:
                    break
            output += decompressor.decompress(pending, max_bytes + 1 - len(output))
            if len(output) > max_bytes:
                raise _ReadError(Reason.TOO_LARGE, f"decompresses to more than the limit of {max_bytes} bytes")
            pending = decompressor.unconsumed_tail
            if decompressor.eof:
                # Concatenated gzip members are one valid file (``cat a.gz b.gz``); trailing zeros are padding.
                rest = decompressor.unused_data + pending
                if not rest.strip(b"\x00"):
                    pending = b""
                    if not stream.read(_CHUNK).strip(b"\x00"):
                        return bytes(output)
                    raise _ReadError(Reason.TRUNCATED_GZIP, "data after the end of the gzip stream")
                decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                pending = rest
    except zlib.error as error:
        raise _ReadError(Reason.TRUNCATED_GZIP, f"corrupt gzip data: {error}") from None
    raise _ReadError(Reason.TRUNCATED_GZIP, "the gzip stream ends before its end marker")

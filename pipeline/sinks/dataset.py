"""The partitioned, idempotent, crash-safe dataset writer, and the index of what a dataset holds.

Layout: ``ROOT/<table>/date=YYYY-MM-DD/data.parquet``, one zstd Parquet file per partition.
Writing a partition merges the new rows into what the partition already holds and replaces the
file atomically (temporary name, fsync, rename), so a reader sees the old file or the new one and
never a half-written one. The temporary name does not end in ``.parquet``, so globs that readers
use (``*/date=*/*.parquet``) never pick it up.

Beam's own Parquet sinks are not used: ``WriteToParquet`` cannot write Hive partitions, and
``fileio.WriteToFiles`` silently drops files whose destination has a ``/`` (see DESIGN.md).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from pipeline.records import TableRow
from pipeline.sinks.schema import (
    COMPRESSION,
    DATA_FILE,
    KEY_COLUMNS,
    PARTITION_COLUMN,
    SCHEMA_VERSION,
    SCHEMAS,
)

MANIFEST = "_newsbeam.json"


class DatasetError(RuntimeError):
    """The output location cannot be used (not writable, another dataset's layout, ...)."""


def partition_dir(root: str | Path, table: str, partition: str) -> Path:
    return Path(root) / table / f"{PARTITION_COLUMN}={partition}"


def prepare_root(root: str | Path) -> Path:
    """Create the dataset root (and its manifest) or fail with a one-line reason."""
    path = Path(root)
    try:
        path.mkdir(parents=True, exist_ok=True)
        manifest = path / MANIFEST
        if manifest.exists():
            stored = json.loads(manifest.read_text(encoding="utf-8"))
            major = str(stored.get("schema_version", "")).split(".")[0]
            if major != SCHEMA_VERSION.split(".")[0]:
                raise DatasetError(
                    f"{path} holds a dataset of schema {stored.get('schema_version')}, "
                    f"this newsbeam writes {SCHEMA_VERSION}"
                )
        else:
            write_bytes_atomically(
                manifest,
                json.dumps({"format": "newsbeam", "schema_version": SCHEMA_VERSION}, indent=2).encode(),
            )
        probe = path / f".write-probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise DatasetError(f"cannot write the dataset at {path}: {reason}") from None
    return path


@dataclass(frozen=True)
class PartitionWrite:
    """What one partition write did, for the run report."""

    table: str
    partition: str
    rows_added: int  # rows whose key the partition did not hold
    rows_replaced: int  # rows that replaced a stored row with the same key
    rows_removed: int  # stored rows cleared by tombstones and not written again
    rows_total: int


def write_partition(root: str | Path, table: str, partition: str, rows: Iterable[TableRow]) -> PartitionWrite:
    """Merge ``rows`` (and tombstones) into one partition of ``table`` and replace its file atomically."""
    schema = SCHEMAS[table]
    key_column = KEY_COLUMNS[table]
    cleared_articles: set[str] = set()
    new_rows: dict[str, dict] = {}
    for table_row in rows:
        if table_row.row is None:
            if table_row.article_id:
                cleared_articles.add(table_row.article_id)
        else:
            new_rows[table_row.key] = table_row.row  # the last of equal keys wins
    directory = partition_dir(root, table, partition)
    target = directory / DATA_FILE
    stored = pq.read_table(target, schema=schema) if target.exists() else schema.empty_table()

    kept = stored
    if stored.num_rows:
        keys = stored.column(key_column).to_pylist()
        owners = stored.column("article_id").to_pylist() if "article_id" in schema.names else [None] * len(keys)
        keep_mask = [
            key not in new_rows and owner not in cleared_articles for key, owner in zip(keys, owners)
        ]
        kept = stored.filter(pa.array(keep_mask, type=pa.bool_()))
    stored_keys = set(stored.column(key_column).to_pylist()) if stored.num_rows else set()
    replaced = len(stored_keys & new_rows.keys())
    removed = stored.num_rows - kept.num_rows - replaced

    fresh = pa.Table.from_pylist([new_rows[key] for key in sorted(new_rows)], schema=schema)
    merged = pa.concat_tables([kept, fresh]).sort_by(key_column)
    if merged.num_rows == 0 and not target.exists():
        return PartitionWrite(table, partition, 0, 0, 0, 0)
    directory.mkdir(parents=True, exist_ok=True)
    _write_table_atomically(merged, target)
    return PartitionWrite(
        table,
        partition,
        rows_added=len(new_rows) - replaced,
        rows_replaced=replaced,
        rows_removed=removed,
        rows_total=merged.num_rows,
    )


@dataclass(frozen=True)
class StoredArticle:
    content_hash: str
    partition: str


@dataclass(frozen=True)
class DatasetIndex:
    """What a dataset already holds, for skipping unchanged input without parsing it with spaCy."""

    articles: dict[str, StoredArticle]
    failure_ids: frozenset[str]

    @classmethod
    def empty(cls) -> "DatasetIndex":
        return cls({}, frozenset())


def load_index(root: str | Path) -> DatasetIndex:
    """Read only the id, hash and partition columns: cheap even for a large dataset."""
    articles_table = _read_columns(root, "articles", ["article_id", "content_hash"])
    articles: dict[str, StoredArticle] = {}
    if articles_table is not None:
        for article_id, content_hash, day in zip(
            articles_table.column("article_id").to_pylist(),
            articles_table.column("content_hash").to_pylist(),
            articles_table.column(PARTITION_COLUMN).to_pylist(),
        ):
            articles[article_id] = StoredArticle(content_hash, str(day))
    failures_table = _read_columns(root, "failures", ["failure_id"])
    failure_ids = frozenset(failures_table.column("failure_id").to_pylist()) if failures_table is not None else frozenset()
    return DatasetIndex(articles, failure_ids)


def open_table(root: str | Path, table: str) -> Optional[pads.Dataset]:
    """A pyarrow dataset over one table with its ``date`` partition column, or None if it has no file yet."""
    directory = Path(root) / table
    files = sorted(str(path) for path in directory.glob(f"{PARTITION_COLUMN}=*/{DATA_FILE}"))
    if not files:
        return None
    partition_field = pa.field(PARTITION_COLUMN, pa.string())
    partitioning = pads.partitioning(pa.schema([partition_field]), flavor="hive")
    return pads.dataset(
        files, schema=SCHEMAS[table].append(partition_field), format="parquet", partitioning=partitioning, partition_base_dir=str(directory)
    )


def _read_columns(root: str | Path, table: str, columns: list[str]) -> Optional[pa.Table]:
    dataset = open_table(root, table)
    if dataset is None:
        return None
    return dataset.to_table(columns=[*columns, PARTITION_COLUMN])


def _write_table_atomically(table: pa.Table, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        pq.write_table(table, temporary, compression=COMPRESSION)
        _fsync_file(temporary)
        os.replace(temporary, target)
        _fsync_directory(target.parent)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_bytes_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    temporary.write_bytes(data)
    _fsync_file(temporary)
    os.replace(temporary, target)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    # A rename is durable only once its directory entry is; without this a power cut could lose it.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_partial_files(root: str | Path) -> int:
    """Delete temporary files a killed job left behind; call only while holding the dataset lock."""
    removed = 0
    for leftover in Path(root).rglob(".*.partial"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed

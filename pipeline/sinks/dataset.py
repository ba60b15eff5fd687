"""The dataset on disk or in a bucket: layout, staged writes, commits, the stored-article index, compaction.

Layout (below the root, a local folder or ``s3://bucket/prefix``)::

    <table>/date=YYYY-MM-DD/part-<run id>.parquet     rows a run added to that partition
    <table>/date=YYYY-MM-DD/part-<run id>-c<n>.parquet many small files merged by compaction
    _index/articles/shard=XX/*.parquet                 article id -> content hash and partition
    _index/failures/shard=XX/*.parquet                 failure ids already recorded
    _index/stories/shard=XX/*.parquet                  article id -> story, MinHash signature, quotations
    _index/story_bands/shard=XX/*.parquet              LSH band key -> article id (shard: the key's low byte)
    _staging/<run id>/...                              what a running job wrote, not yet published
    _commits/<run id>.json                             a commit being published (the commit point)
    _runs/<run id>.json                                each run's report
    _newsbeam.json                                     format, schema and layout version
    <table>/date=1970-01-01/part-<run id>.parquet      a zero-row file per table: the table exists from
    identities/shard=00/part-<run id>.parquet          the first run on (ensure_tables)

Why this shape: a run's cost must follow its own input, not the dataset. A run adds new files and
never rewrites a partition to add rows; the only stored files it reads are the index shards of the
ids it meets (256 shards by the first two hex digits of the id) and, for an article whose text
changed, the files of its old partition that hold its rows (rewritten without them).

Crash safety without a table format: workers write only below ``_staging/<run id>/``, which no
reader looks at (names starting with ``_`` or ``.`` are skipped by pyarrow, Spark and Polars, and
per-table globs never reach them). When the job has finished, the launcher writes the commit
record; from then on the commit is decided, and :func:`publish` (re-run by :func:`recover` at the
start of the next run if the process died) removes replaced rows and moves the staged files into
place, the ``articles`` table after the tables that hang off it and the index last. A job killed
before the record leaves the dataset as it was (its staging is deleted); killed after it, the next
run finishes it. Every file a reader can see is whole at every moment: written under a hidden
temporary name and renamed on a local disk, written in one PUT in a bucket.

Beam's own Parquet sinks are not used: ``WriteToParquet`` cannot write Hive partitions, and
``fileio.WriteToFiles`` silently drops files whose destination has a ``/`` (docs/architecture.md).
"""

from __future__ import annotations

import json
import logging
import posixpath
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Optional, Union

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from pipeline.records import TableRow
from pipeline.sinks.batches import RowBatch, last_per_key, partition_table
from pipeline.sinks.schema import (
    ALL_SCHEMAS,
    COMPRESSION,
    DATA_SUFFIX,
    LAYOUT_VERSION,
    OWNER_COLUMNS,
    PARTITION_COLUMN,
    PARTITION_COLUMNS,
    PUBLISH_ORDER,
    SCHEMA_VERSION,
    SCHEMAS,
    TABLE_DIRS,
)
from pipeline.storage import objects
from pipeline.storage.location import Location, StorageError

log = logging.getLogger(__name__)

MANIFEST = "_newsbeam.json"
STAGING_DIR = "_staging"
COMMITS_DIR = "_commits"
INDEX_SHARD_DIGITS = 2  # 256 shards: at a million articles a shard holds ~4,000 index rows
# Where each table keeps at least one file, empty if need be, so that a plain reader finds the table
# (with its schema) before any row has come: DuckDB's globs, pyarrow.dataset and Polars raise on a
# folder that holds no Parquet file. A real value of the partition column, as every reader must be
# able to type it (pyarrow cannot type a column whose only value is Hive's null partition): for
# dates the Unix epoch, for identities the first shard. Rows that belong there sit beside the file.
SCHEMA_PARTITIONS = {PARTITION_COLUMN: "1970-01-01", "shard": "00"}
# Compaction: a partition with more than this many small files has them merged into one.
COMPACT_AFTER_FILES = 16
SMALL_FILE_BYTES = 64 * 1024 * 1024  # files above this are left alone: merging them would cost more than it saves


class DatasetError(RuntimeError):
    """The output location cannot be used (not writable, another dataset's layout, ...)."""


# ---------------------------------------------------------------- layout


def partition_path(table: str, partition: str) -> str:
    return f"{TABLE_DIRS[table]}/{PARTITION_COLUMNS[table]}={partition}"


def data_file_name(run_id: str, suffix: str = "") -> str:
    return f"part-{run_id}{suffix}{DATA_SUFFIX}"


def staged_path(run_id: str, table: str, partition: str) -> str:
    if PARTITION_COLUMNS[table] == "shard":
        # Index shards are staged side by side in one folder per table, not one folder per shard: a
        # large run stages every one of 256 shards of several indexes, and on a local disk each folder
        # is a mkdir now and an rmdir when the staging goes (seconds of a commit, measured).
        return f"{STAGING_DIR}/{run_id}/{TABLE_DIRS[table]}/shard={partition}{DATA_SUFFIX}"
    return f"{STAGING_DIR}/{run_id}/{partition_path(table, partition)}/{data_file_name(run_id)}"


def final_path(run_id: str, table: str, partition: str) -> str:
    return f"{partition_path(table, partition)}/{data_file_name(run_id)}"


def index_shard(identifier: str) -> str:
    """The index shard of an article or failure id (ids are hex digests, so shards fill evenly)."""
    return identifier[:INDEX_SHARD_DIGITS].lower().rjust(INDEX_SHARD_DIGITS, "0")


def partition_files(location: Location, table: str, partition: str) -> list[str]:
    """The visible data files of one partition (relative paths), oldest run first."""
    folder = partition_path(table, partition)
    return [
        path
        for path in objects.list_files(location, folder, suffix=DATA_SUFFIX)
        if posixpath.dirname(path) == folder and not posixpath.basename(path).startswith((".", "_"))
    ]


def prepare_root(location: Location) -> Location:
    """Check the location, create the root and its manifest, finish what a killed run left; one-line errors."""
    objects.check_reachable(location)
    try:
        if location.is_local:
            location.fs.makedirs(location.root, exist_ok=True)
        manifest = read_manifest(location)
        if manifest is None:
            objects.write_bytes(location, MANIFEST, _manifest_bytes())
        else:
            major = str(manifest.get("schema_version", "")).split(".")[0]
            if major != SCHEMA_VERSION.split(".")[0]:
                raise DatasetError(
                    f"{location} holds a dataset of schema {manifest.get('schema_version')}, "
                    f"this newsbeam writes {SCHEMA_VERSION}"
                )
        probe = f".write-probe-{uuid.uuid4().hex}"
        objects.write_bytes(location, probe, b"")
        objects.delete(location, probe)
    except StorageError:
        raise
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise DatasetError(f"cannot write the dataset at {location}: {reason}") from None
    return location


def read_manifest(location: Location) -> Optional[dict[str, Any]]:
    if not objects.exists(location, MANIFEST):
        return None
    return json.loads(objects.read_bytes(location, MANIFEST).decode("utf-8"))


def may_hold_content_ids(location: Location) -> bool:
    """Whether the dataset was created before schema 1.3, when a whole file with no URL was stored
    under the id of its text rather than of its path."""
    return _created_before(location, (1, 3))


def may_hold_old_url_ids(location: Location) -> bool:
    """Whether the dataset was created before schema 1.4, when an article's id came from its URL
    as the hand-written canonical form of then wrote it (since 1.4, courlan's)."""
    return _created_before(location, (1, 4))


def _created_before(location: Location, version: tuple[int, int]) -> bool:
    # The manifest is written once, when the dataset is created: it says which rules its first rows followed.
    manifest = read_manifest(location)
    if manifest is None:
        return False
    try:
        major, minor = (int(part) for part in str(manifest.get("schema_version", "")).split(".")[:2])
    except ValueError:
        return True
    return (major, minor) < version


def _manifest_bytes() -> bytes:
    manifest = {"format": "newsbeam", "schema_version": SCHEMA_VERSION, "layout_version": LAYOUT_VERSION}
    return json.dumps(manifest, indent=2).encode()


# ---------------------------------------------------------------- staging (in the workers)


@dataclass(frozen=True)
class StagedPartition:
    """What a run prepared for one partition: a staged file of new rows, and the articles whose stored
    rows it replaces there. Small and JSON-friendly: it travels in the run report to the launcher."""

    table: str
    partition: str
    rows: int = 0
    staged: Optional[str] = None  # relative path below _staging/, None when the run adds no row here
    target: Optional[str] = None  # where publishing puts it
    removed_owners: tuple[str, ...] = ()  # article ids whose stored rows in this partition go

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StagedPartition":
        return cls(**{**data, "removed_owners": tuple(data.get("removed_owners", ()))})


def stage_partition(
    location: Location, run_id: str, table: str, partition: str, items: Iterable[Union[TableRow, RowBatch]]
) -> StagedPartition:
    """Write one partition's new rows (loose or in batches) to the run's staging area; collect its
    tombstones. Never touches a visible file. Rows with equal keys: the last wins, except
    statistics, which add up (``pipeline.sinks.batches``)."""
    rows, removed = partition_table(table, items)
    staged = target = None
    if rows.num_rows:
        staged = staged_path(run_id, table, partition)
        target = final_path(run_id, table, partition)
        objects.write_parquet(location, staged, rows, compression=COMPRESSION, durable=False)
    return StagedPartition(table, partition, rows.num_rows, staged, target, tuple(sorted(removed)))


# ---------------------------------------------------------------- commit and publish (in the launcher)


@dataclass
class PublishReport:
    files_published: int = 0
    files_rewritten: int = 0
    rows_removed: int = 0
    files_compacted: int = 0
    identities_written: int = 0
    identity_seconds: float = 0.0  # of the commit, spent merging and deciding identities
    story_seconds: float = 0.0  # of the commit, spent deciding stories and quotations
    by_table: dict[str, int] = field(default_factory=dict)  # rows published per table


def commit(
    location: Location, run_id: str, staged: list[StagedPartition], *, compact_after_files: int = COMPACT_AFTER_FILES
) -> PublishReport:
    """Make a finished run's staged partitions part of the dataset. The commit record is written
    first: once it exists the run counts as done, and a crash in what follows is finished by
    :func:`recover`."""
    from pipeline.sinks import identities, stories

    # Stories and quotation ids are decided before the record: they are written into the staged files
    # it publishes (nothing visible changes until then), with the staged index rows they add.
    story_started = time.monotonic()
    staged = [*staged, *stories.link_run(location, run_id, staged)]
    story_seconds = time.monotonic() - story_started
    # What the replaced articles' stored versions gave the identities' statistics, read before their
    # rows go, so that finishing this commit again after a crash takes it back exactly once.
    replaced = {item.partition: set(item.removed_owners) for item in staged if item.table == "entities" and item.removed_owners}
    removals = identities.stage_removals(location, run_id, identities.removed_contributions(location, replaced)) if replaced else None
    record = {
        "run_id": run_id,
        "committed_at": datetime.now(timezone.utc).isoformat(),
        "partitions": [asdict(item) for item in staged if item.staged or item.removed_owners],
        "identity_removals": removals,
        "compact_after_files": compact_after_files,
    }
    record_path = f"{COMMITS_DIR}/{run_id}.json"
    objects.sync(location)  # what the record points at is on disk before the record is
    objects.write_bytes(location, record_path, json.dumps(record, indent=1).encode())
    report = publish(location, record)
    report.story_seconds = story_seconds
    objects.delete(location, record_path)
    objects.delete_tree(location, f"{STAGING_DIR}/{run_id}")
    ensure_tables(location, run_id=run_id)
    return report


def ensure_tables(location: Location, *, run_id: Optional[str] = None) -> int:
    """Give each table that has no file in its schema partition a zero-row file with the table's
    schema there, so that every reader reads every table from the first run on (as zero rows, with
    the contract's columns). One listing of one small folder per table, whatever the dataset holds.
    Rows are never in such a file, so each row is still seen exactly once. Returns the files written."""
    run_id = run_id or new_run_id()
    written = 0
    for table, schema in SCHEMAS.items():
        partition = SCHEMA_PARTITIONS[PARTITION_COLUMNS[table]]
        if partition_files(location, table, partition):
            continue
        target = f"{partition_path(table, partition)}/{data_file_name(run_id)}"
        objects.write_parquet(location, target, schema.empty_table(), compression=COMPRESSION)
        written += 1
    return written


def publish(location: Location, record: dict[str, Any]) -> PublishReport:
    """Apply one commit record; safe to apply again after a crash part-way (every step is idempotent)."""
    run_id = record["run_id"]
    partitions = [StagedPartition.from_dict(item) for item in record["partitions"]]
    report = PublishReport()
    # 1. Rows that this run replaces go first: a reader meanwhile misses a changed article, never sees
    #    two versions of it.
    for item in partitions:
        if item.removed_owners:
            rewritten, removed = remove_owners(location, item.table, item.partition, set(item.removed_owners), keep_run=run_id)
            report.files_rewritten += rewritten
            report.rows_removed += removed
    # 2. New files, in dependency order.
    order = {table: position for position, table in enumerate(PUBLISH_ORDER)}
    for item in sorted(partitions, key=lambda item: (order.get(item.table, len(order)), item.partition)):
        if item.staged and item.target and item.table in order:
            objects.move(location, item.staged, item.target)
            report.files_published += 1
            report.by_table[item.table] = report.by_table.get(item.table, 0) + item.rows
    # 3. Identities: the run's statistics merged in, and the decisions they change.
    from pipeline.sinks import identities

    deltas = [item.staged for item in partitions if item.table == "identity_deltas" and item.staged]
    identity_started = time.monotonic()
    report.identities_written = identities.update_identities(location, run_id, deltas, record.get("identity_removals"))
    report.identity_seconds = time.monotonic() - identity_started
    # 4. Partitions that gathered many small files are merged.
    touched = sorted({(item.table, item.partition) for item in partitions if item.table in order})
    for table, partition in touched:
        report.files_compacted += compact_partition(
            location, table, partition, run_id=run_id, after_files=record.get("compact_after_files", COMPACT_AFTER_FILES)
        )
    objects.sync(location)  # all of it durable before the record that would redo it goes
    return report


def recover(location: Location) -> int:
    """Finish commits a killed run left half-published; drop staging of runs that never committed.
    Call only while holding the dataset lock. Returns the number of commits finished."""
    finished = 0
    for path in objects.list_files(location, COMMITS_DIR, suffix=".json"):
        record = json.loads(objects.read_bytes(location, path).decode("utf-8"))
        log.info("newsbeam: finishing the commit of run %s, which was interrupted", record["run_id"])
        publish(location, record)
        objects.delete(location, path)
        finished += 1
    for run_folder in objects.list_folders(location, STAGING_DIR):
        objects.delete_tree(location, f"{STAGING_DIR}/{run_folder}")
    return finished


def remove_partial_files(location: Location) -> int:
    """Delete the hidden temporary files a killed process left behind on a local disk (readers never
    see them). A walk of the whole dataset, so it is left to ``newsbeam compact``, not every run."""
    leftovers = objects.list_files(location, "", suffix=objects.PARTIAL_SUFFIX) if location.is_local else []
    objects.delete_files(location, leftovers)
    return len(leftovers)


def remove_owners(location: Location, table: str, partition: str, owners: set[str], *, keep_run: str) -> tuple[int, int]:
    """Rewrite the files of one partition that hold rows of ``owners`` without them. The files the
    committing run itself added are kept as they are (they hold the new versions)."""
    owner_column = OWNER_COLUMNS.get(table)
    if owner_column is None or not owners:
        return 0, 0
    schema = ALL_SCHEMAS[table]
    wanted = pa.array(sorted(owners), type=pa.string())
    rewritten = removed = 0
    for path in partition_files(location, table, partition):
        if posixpath.basename(path).startswith(f"part-{keep_run}"):
            continue
        column = objects.read_parquet(location, path, columns=[owner_column]).column(owner_column)
        hits = pc.is_in(column, value_set=wanted)
        count = pc.sum(hits).as_py() or 0
        if not count:
            continue
        stored = objects.read_parquet(location, path, schema=schema)
        kept = stored.filter(pc.invert(pc.is_in(stored.column(owner_column), value_set=wanted)))
        if kept.num_rows:
            objects.write_parquet(location, path, kept, compression=COMPRESSION, durable=False)
        else:
            objects.delete(location, path)
        rewritten += 1
        removed += count
    return rewritten, removed


def compact_partition(
    location: Location,
    table: str,
    partition: str,
    *,
    run_id: str,
    after_files: int = COMPACT_AFTER_FILES,
    small_bytes: int = SMALL_FILE_BYTES,
) -> int:
    """Merge the small files of a partition into one once there are more than ``after_files`` of them.

    Rows with the same key keep the newest copy (a merge finished after a crash may meet a row twice).
    The merged file is written whole before the small ones are deleted, so a reader may see a row twice
    for that moment, never miss one. Returns how many files were merged."""
    files = partition_files(location, table, partition)
    if len(files) <= after_files:
        return 0
    sizes = {entry["name"]: entry["size"] for entry in location.fs.ls(location.path(partition_path(table, partition)), detail=True)}
    small = [path for path in files if sizes.get(location.path(path), 0) < small_bytes]
    if len(small) <= after_files:
        return 0
    merged = merge_files(location, table, small)
    target = f"{partition_path(table, partition)}/{data_file_name(run_id, f'-c{uuid.uuid4().hex[:8]}')}"
    objects.write_parquet(location, target, merged, compression=COMPRESSION, durable=False)
    objects.sync(location)  # the merged file is durable before the files it replaces are deleted
    objects.delete_files(location, small)
    log.info("newsbeam: compacted %s %s=%s: %d files into one", table, PARTITION_COLUMNS[table], partition, len(small))
    return len(small)


def merge_files(location: Location, table: str, paths: list[str]) -> pa.Table:
    """Rows of several files of one table, one per key (the copy in the file listed last wins)."""
    schema = ALL_SCHEMAS[table]
    tables = [objects.read_parquet(location, path, schema=schema) for path in paths]
    combined = pa.concat_tables(tables) if tables else schema.empty_table()
    return last_per_key(table, combined)


def compact(location: Location, *, run_id: str, after_files: int = 1) -> int:
    """``newsbeam compact``: merge the small files of every partition of every table holding more than
    ``after_files`` of them, and sweep temporary leftovers. Returns the number of files merged."""
    remove_partial_files(location)
    merged = 0
    for table in ALL_SCHEMAS:
        column = PARTITION_COLUMNS[table]
        for folder in objects.list_folders(location, TABLE_DIRS[table]):
            if folder.startswith(f"{column}="):
                merged += compact_partition(location, table, folder.split("=", 1)[1], run_id=run_id, after_files=after_files)
    return merged


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class StoredArticle:
    content_hash: str
    partition: str


def read_article_index(location: Location, shard: str, ids: Optional[Iterable[str]] = None) -> dict[str, StoredArticle]:
    """The index rows of one shard (only those of ``ids`` when given)."""
    wanted = set(ids) if ids is not None else None
    stored: dict[str, StoredArticle] = {}
    for path in partition_files(location, "article_index", shard):
        table = objects.read_parquet(location, path, schema=ALL_SCHEMAS["article_index"])
        for article_id, content_hash, partition in zip(
            table.column("article_id").to_pylist(), table.column("content_hash").to_pylist(), table.column("partition").to_pylist()
        ):
            if wanted is None or article_id in wanted:
                stored[article_id] = StoredArticle(content_hash, partition)
    return stored


def read_failure_index(location: Location, shard: str) -> set[str]:
    ids: set[str] = set()
    for path in partition_files(location, "failure_index", shard):
        ids.update(objects.read_parquet(location, path, columns=["failure_id"]).column("failure_id").to_pylist())
    return ids


def open_table(location: Location, table: str) -> Optional[pads.Dataset]:
    """A pyarrow dataset over one table with its ``date`` partition column, or None if it has no file yet."""
    folder = TABLE_DIRS[table]
    files = [
        location.path(path)
        for path in objects.list_files(location, folder, suffix=DATA_SUFFIX)
        if not posixpath.basename(path).startswith((".", "_"))
    ]
    if not files:
        return None
    column = PARTITION_COLUMNS[table]
    partition_field = pa.field(column, pa.string())
    partitioning = pads.partitioning(pa.schema([partition_field]), flavor="hive")
    return pads.dataset(
        files,
        schema=ALL_SCHEMAS[table].append(partition_field),
        format="parquet",
        partitioning=partitioning,
        partition_base_dir=location.path(folder),
        filesystem=None if location.is_local else location.fs,
    )


def write_rows(location: Location, rows: Iterable[TableRow], *, run_id: Optional[str] = None) -> PublishReport:
    """Stage and commit rows in this process: what the pipeline does, for tools, tests and benchmarks."""
    run_id = run_id or new_run_id()
    groups: dict[tuple[str, str], list[TableRow]] = {}
    for row in rows:
        groups.setdefault((row.table, row.partition), []).append(row)
    staged = [stage_partition(location, run_id, table, partition, group) for (table, partition), group in sorted(groups.items())]
    return commit(location, run_id, staged)


def new_run_id(now: Optional[datetime] = None) -> str:
    """Sortable by start time (to the microsecond), unique by its random tail."""
    moment = now or datetime.now(timezone.utc)
    return f"{moment:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"

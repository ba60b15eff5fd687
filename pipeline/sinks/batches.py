"""Rows on their way to the staging writer, collected per table partition into Arrow batches.

Every article gives about forty rows. Sent one by one to the step that stages them, each row is
encoded by the worker that made it, decoded and grouped by the runner, and decoded once more by
the staging worker, which then builds one Arrow table from all of a partition's dicts: a worker
holding every row of a partition as Python objects at the end of the job (on the BBC corpus as
one part, 771 -> 914 MB, a 2,084 MB peak in all), and NLP workers whose memory grew with every
article they sent. So rows are collected where they are made, one shard of the NLP stage at a time
(:func:`batch_rows`), and cross the shuffle as one columnar :class:`RowBatch` per partition and
shard; the staging step only concatenates, orders and writes them (:func:`partition_table`).
Measured (docs/performance.md): the same wall time, NLP workers flat at ~730 MB, and the corpus
as one part at 1.7 GB.

Partitions that get only a few rows from a shard (the index tables, 256 shards by id) stay loose
rows: an Arrow table with its schema costs more to ship than a handful of small dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Union

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.records import TableRow
from pipeline.sinks.schema import ALL_SCHEMAS, KEY_COLUMNS

# A partition with fewer rows than this in a shard's flush goes as loose rows.
MIN_BATCH_ROWS = 16
# Rows a shard collects before it sends what it has: bounds a worker's memory on a shard of
# thousands of articles (a large JSON Lines dump spread by id), ~1,000 BBC articles' worth.
MAX_BUFFERED_ROWS = 40_000


@dataclass(frozen=True)
class RowBatch:
    """Rows of one table partition from one shard, as an Arrow table in the table's schema."""

    table: str
    partition: str
    rows: pa.Table


def merge_function(table: str) -> Optional[Callable[[Optional[dict], dict], dict]]:
    """How two rows with one key combine in ``table``: statistics add up; elsewhere the last wins (None)."""
    if table == "identity_deltas":
        from pipeline.sinks.identities import combine_delta_rows  # identities imports the dataset layout

        return combine_delta_rows
    return None


class PartitionRows:
    """The new rows of one table partition by key, and the articles whose stored rows it drops."""

    def __init__(self, table: str):
        self.table = table
        self._merge = merge_function(table)
        self.fresh: dict[Any, dict] = {}
        self.removed: set[str] = set()

    def add(self, table_row: TableRow) -> None:
        if table_row.row is None:
            if table_row.article_id:
                self.removed.add(table_row.article_id)
        else:
            self.add_row(table_row.key, table_row.row)

    def add_row(self, key: Any, row: dict) -> None:
        if self._merge is not None:
            self.fresh[key] = self._merge(self.fresh.get(key), row)
        else:
            self.fresh[key] = row  # the last of equal keys wins

    def to_table(self) -> pa.Table:
        return pa.Table.from_pylist([self.fresh[key] for key in sorted(self.fresh)], schema=ALL_SCHEMAS[self.table])


def batch_rows(elements: Iterable[Any], *, max_rows: int = MAX_BUFFERED_ROWS) -> Iterator[Any]:
    """A stream of TableRows and anything else -> RowBatches per table partition, plus whatever
    rows are better sent loose (tombstones, partitions with few rows); other elements pass at once."""
    buffers: dict[tuple[str, str], PartitionRows] = {}
    buffered = 0
    for element in elements:
        if not isinstance(element, TableRow) or element.row is None:
            yield element  # tombstones are rare and small: they stay rows
            continue
        buffers.setdefault((element.table, element.partition), PartitionRows(element.table)).add(element)
        buffered += 1
        if buffered >= max_rows:
            yield from _flush(buffers)
            buffers, buffered = {}, 0
    yield from _flush(buffers)


def _flush(buffers: dict[tuple[str, str], PartitionRows]) -> Iterator[Union[RowBatch, TableRow]]:
    for (table, partition), rows in buffers.items():
        if len(rows.fresh) >= MIN_BATCH_ROWS:
            yield RowBatch(table, partition, rows.to_table())
        else:
            for key, row in rows.fresh.items():
                yield TableRow(table, partition, key, row)


def partition_table(table: str, items: Iterable[Union[TableRow, RowBatch]]) -> tuple[pa.Table, set[str]]:
    """One partition's rows and batches -> its staged table (one row per key, ordered by key) and
    the articles whose stored rows there it replaces."""
    loose = PartitionRows(table)
    batches: list[pa.Table] = []
    for item in items:
        if isinstance(item, RowBatch):
            batches.append(item.rows)
        else:
            loose.add(item)
    if loose.fresh or not batches:
        batches.append(loose.to_table())
    combined = pa.concat_tables(batches) if len(batches) > 1 else batches[0]
    if merge_function(table) is not None:  # summed statistics: few rows (one per name key and shard)
        merged = PartitionRows(table)
        key = KEY_COLUMNS[table]
        for row in combined.to_pylist():
            merged.add_row(row[key], row)
        return merged.to_table(), loose.removed
    return last_per_key(table, combined), loose.removed


def last_per_key(table: str, rows: pa.Table) -> pa.Table:
    """``rows`` of ``table`` ordered by key, one per key: the copy that comes last in ``rows`` wins."""
    key = KEY_COLUMNS[table]
    key_columns = [key] if isinstance(key, str) else list(key)
    if rows.num_rows > 1 and _may_repeat_keys(rows, key_columns):
        numbered = rows.append_column("_row", pa.array(range(rows.num_rows), type=pa.int64()))
        rows = rows.take(numbered.group_by(key_columns).aggregate([("_row", "max")]).column("_row_max"))
    return rows.sort_by([(column, "ascending") for column in key_columns])


def _may_repeat_keys(rows: pa.Table, key_columns: list[str]) -> bool:
    # One key column: counted exactly, and cheaply (rows of distinct articles rarely repeat a key).
    if len(key_columns) == 1:
        return pc.count_distinct(rows.column(key_columns[0])).as_py() < rows.num_rows
    return True

"""The partitioned writer: merge, replace, tombstones, atomic files, and what real readers see."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow.dataset as pads
import pytest

from pipeline.records import TableRow
from pipeline.sinks.dataset import (
    DatasetError,
    load_index,
    open_table,
    partition_dir,
    prepare_root,
    remove_partial_files,
    write_partition,
)
from pipeline.sinks.rows import article_rows, failure_row, partition_of, tombstone
from pipeline.failures import Reason, make_failure
from tests.factories import annotate_by_hand, make_article


def _write_annotated(root: Path, *annotated) -> None:
    by_partition: dict[tuple[str, str], list[TableRow]] = {}
    for item in annotated:
        for row in article_rows(item):
            by_partition.setdefault((row.table, row.partition), []).append(row)
    for (table, partition), rows in by_partition.items():
        write_partition(root, table, partition, rows)


def _ids(root: Path, table: str, column: str) -> list[str]:
    dataset = open_table(root, table)
    return sorted(dataset.to_table(columns=[column]).column(column).to_pylist()) if dataset else []


def test_rows_land_in_hive_partitions_that_duckdb_and_pyarrow_read(tmp_path: Path) -> None:
    article = make_article('Ana Lima said: "We open on Monday."')
    _write_annotated(tmp_path, annotate_by_hand(article, quote="We open on Monday."))

    assert (partition_dir(tmp_path, "articles", "2026-03-02") / "data.parquet").exists()
    table = pads.dataset(tmp_path / "quotes", format="parquet", partitioning="hive").to_table()
    assert table.column("date").to_pylist() == ["2026-03-02"]
    rows = duckdb.sql(
        f"SELECT speaker, date FROM read_parquet('{tmp_path}/quotes/*/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert [(speaker, str(day)) for speaker, day in rows] == [("Ana Lima", "2026-03-02")]


def test_writing_the_same_rows_twice_changes_nothing(tmp_path: Path) -> None:
    annotated = annotate_by_hand(make_article('Ana Lima said: "Yes."'), quote="Yes.")
    _write_annotated(tmp_path, annotated)
    first = {table: _ids(tmp_path, table, key) for table, key in [("articles", "article_id"), ("quotes", "quote_id")]}
    _write_annotated(tmp_path, annotated)
    second = {table: _ids(tmp_path, table, key) for table, key in [("articles", "article_id"), ("quotes", "quote_id")]}
    assert first == second
    assert len(first["quotes"]) == 1


def test_a_changed_article_replaces_its_rows_even_where_the_new_version_has_none(tmp_path: Path) -> None:
    old = make_article('Ana Lima said: "Old words."')
    _write_annotated(tmp_path, annotate_by_hand(old, quote="Old words."))
    new = make_article("Ana Lima declined to comment.")  # same URL, so same id; no quote now
    assert new.article_id == old.article_id
    _write_annotated(tmp_path, annotate_by_hand(new))

    assert _ids(tmp_path, "quotes", "quote_id") == []
    bodies = open_table(tmp_path, "articles").to_table(columns=["body"]).column("body").to_pylist()
    assert bodies == ["Ana Lima declined to comment."]


def test_other_articles_in_the_partition_are_kept(tmp_path: Path) -> None:
    first = make_article('Ana Lima said: "One."', url="https://x.example/1")
    second = make_article('Ana Lima said: "Two."', url="https://x.example/2")
    _write_annotated(tmp_path, annotate_by_hand(first, quote="One."))
    _write_annotated(tmp_path, annotate_by_hand(second, quote="Two."))
    assert len(_ids(tmp_path, "articles", "article_id")) == 2
    assert len(_ids(tmp_path, "quotes", "quote_id")) == 2


def test_a_tombstone_clears_an_article_from_its_old_partition(tmp_path: Path) -> None:
    article = make_article('Ana Lima said: "Moved."')
    _write_annotated(tmp_path, annotate_by_hand(article, quote="Moved."))
    old_partition = partition_of(article)
    result = write_partition(tmp_path, "quotes", old_partition, [tombstone("quotes", old_partition, article.article_id)])
    assert result.rows_removed == 1 and result.rows_total == 0
    assert _ids(tmp_path, "quotes", "quote_id") == []


def test_no_temporary_file_is_left_and_leftovers_are_cleaned(tmp_path: Path) -> None:
    _write_annotated(tmp_path, annotate_by_hand(make_article()))
    assert list(tmp_path.rglob("*.partial")) == []
    leftover = partition_dir(tmp_path, "articles", "2026-03-02") / ".data.parquet.dead.partial"
    leftover.write_bytes(b"half a file")
    assert remove_partial_files(tmp_path) == 1
    assert not leftover.exists()


def test_the_index_knows_hashes_partitions_and_failures(tmp_path: Path) -> None:
    article = make_article(published_at=datetime(2025, 12, 31, 23, 59, tzinfo=timezone.utc))
    _write_annotated(tmp_path, annotate_by_hand(article))
    failure = make_failure("parse", Reason.EMPTY_FILE, "/tmp/empty.txt", "empty")
    row = failure_row(failure)
    write_partition(tmp_path, "failures", row.partition, [row])

    index = load_index(tmp_path)
    stored = index.articles[article.article_id]
    assert (stored.content_hash, stored.partition) == (article.content_hash, "2025-12-31")
    assert failure.failure_id in index.failure_ids


def test_an_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DatasetError, match="cannot write the dataset"):
        prepare_root(blocker / "dataset")

"""The dataset on disk: staged writes, commits, replacement, recovery, compaction, and what real readers see."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow.dataset as pads
import pytest

from pipeline.failures import Reason, make_failure
from pipeline.sinks import dataset as ds
from pipeline.sinks.rows import article_rows, failure_index_row, failure_row
from pipeline.storage.location import Location, StorageError
from tests.factories import NOW, annotate_by_hand, ingest_by_hand, make_article


@pytest.fixture
def location(tmp_path: Path) -> Location:
    return ds.prepare_root(Location.parse(str(tmp_path / "data")))


def _ids(location: Location, table: str, column: str) -> list[str]:
    dataset = ds.open_table(location, table)
    return sorted(dataset.to_table(columns=[column]).column(column).to_pylist()) if dataset else []


def _files(location: Location) -> dict[str, float]:
    root = Path(location.root)
    return {str(path.relative_to(root)): path.stat().st_mtime_ns for path in root.rglob("*.parquet")}


def test_rows_land_in_hive_partitions_that_duckdb_and_pyarrow_read(location: Location) -> None:
    article = make_article('Ana Lima said: "We open on Monday."')
    ingest_by_hand(location, annotate_by_hand(article, quote="We open on Monday."), run_id="r1")

    assert (Path(location.root) / "articles" / "date=2026-03-02" / "part-r1.parquet").exists()
    table = pads.dataset(Path(location.root) / "quotes", format="parquet", partitioning="hive").to_table()
    assert table.column("date").to_pylist() == ["2026-03-02"]
    rows = duckdb.sql(
        f"SELECT speaker, date FROM read_parquet('{location.root}/quotes/*/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert [(speaker, str(day)) for speaker, day in rows] == [("Ana Lima", "2026-03-02")]
    # The dataset's own index and bookkeeping are invisible to a reader of the root.
    assert not list(Path(location.root).glob("*/date=*/.*"))


def test_ingesting_the_same_article_twice_writes_nothing_the_second_time(location: Location) -> None:
    annotated = annotate_by_hand(make_article('Ana Lima said: "Yes."'), quote="Yes.")
    ingest_by_hand(location, annotated)
    before = _files(location)
    report = ingest_by_hand(location, annotated)
    assert report.files_published == 0
    assert _files(location) == before
    assert len(_ids(location, "quotes", "quote_id")) == 1


def test_adding_an_article_adds_files_and_rewrites_none(location: Location) -> None:
    ingest_by_hand(location, annotate_by_hand(make_article('Ana Lima said: "One."', url="https://x.example/1"), quote="One."))
    before = _files(location)
    report = ingest_by_hand(location, annotate_by_hand(make_article('Ana Lima said: "Two."', url="https://x.example/2"), quote="Two."))
    after = _files(location)
    assert report.files_rewritten == 0
    # Every stored file of the dated tables and the index is untouched (identities are updated per
    # key by design: a name both articles mention has one row).
    dated = {name: stamp for name, stamp in before.items() if not name.startswith(("identities/", "_index/identity"))}
    assert {name: after[name] for name in dated} == dated
    assert len(after) > len(before)
    assert len(_ids(location, "articles", "article_id")) == 2
    assert len(_ids(location, "quotes", "quote_id")) == 2


def test_a_changed_article_replaces_its_rows_even_where_the_new_version_has_none(location: Location) -> None:
    old = make_article('Ana Lima said: "Old words."')
    other = make_article('Ana Lima said: "Other."', url="https://x.example/other")
    ingest_by_hand(location, annotate_by_hand(old, quote="Old words."), annotate_by_hand(other, quote="Other."))
    new = make_article("Ana Lima declined to comment.")  # same URL, so same id; no quote now
    assert new.article_id == old.article_id
    report = ingest_by_hand(location, annotate_by_hand(new))

    assert report.rows_removed >= 3  # its article, entity, quote and index rows
    assert len(_ids(location, "quotes", "quote_id")) == 1  # the other article's quote stays
    bodies = ds.open_table(location, "articles").to_table(columns=["body"]).column("body").to_pylist()
    assert sorted(bodies) == sorted(["Ana Lima declined to comment.", 'Ana Lima said: "Other."'])
    stored = ds.read_article_index(location, ds.index_shard(new.article_id))
    assert stored[new.article_id].content_hash == new.content_hash
    assert sum(1 for key in stored if key == new.article_id) == 1


def test_an_article_whose_date_moved_leaves_its_old_partition(location: Location) -> None:
    article = make_article('Ana Lima said: "Moved."')
    ingest_by_hand(location, annotate_by_hand(article, quote="Moved."))
    moved = make_article('Ana Lima said: "Moved again."', published_at=NOW + timedelta(days=3))
    ingest_by_hand(location, annotate_by_hand(moved, quote="Moved again."))
    days = ds.open_table(location, "quotes").to_table(columns=["date"]).column("date").to_pylist()
    assert days == ["2026-03-05"]
    assert ds.read_article_index(location, ds.index_shard(article.article_id))[article.article_id].partition == "2026-03-05"


def test_a_run_killed_before_its_commit_leaves_the_dataset_as_it_was(location: Location) -> None:
    ingest_by_hand(location, annotate_by_hand(make_article(url="https://x.example/kept")))
    before = _files(location)
    rows = list(article_rows(annotate_by_hand(make_article(url="https://x.example/lost"))))
    for table, partition in {(row.table, row.partition) for row in rows}:
        ds.stage_partition(location, "dead-run", table, partition, [row for row in rows if (row.table, row.partition) == (table, partition)])
    assert _files(location) != before  # staged files exist...
    assert len(_ids(location, "articles", "article_id")) == 1  # ...but no reader sees them
    assert ds.recover(location) == 0
    assert _files(location) == before


def test_a_commit_killed_half_way_is_finished_by_the_next_run(location: Location, tmp_path: Path) -> None:
    clean = ds.prepare_root(Location.parse(str(tmp_path / "clean")))
    first = annotate_by_hand(make_article('Ana Lima said: "Before."'), quote="Before.")
    second = annotate_by_hand(make_article('Ana Lima said: "After."'), quote="After.")  # same id: a change
    for target in (location, clean):
        ingest_by_hand(target, first, run_id="r1")
    ingest_by_hand(clean, second, run_id="r2")

    # The same second run, stopped after its commit record and one published file.
    rows = [*ds_tombstones(first.article.article_id, "2026-03-02"), *article_rows(second)]
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row.table, row.partition), []).append(row)
    staged = [ds.stage_partition(location, "r2", table, partition, group) for (table, partition), group in sorted(groups.items())]
    record = {"run_id": "r2", "partitions": [item.__dict__ | {"removed_owners": list(item.removed_owners)} for item in staged]}
    (Path(location.root) / "_commits").mkdir(exist_ok=True)
    (Path(location.root) / "_commits" / "r2.json").write_text(json.dumps(record))
    entities = next(item for item in staged if item.table == "entities")
    Path(location.path(entities.target)).parent.mkdir(parents=True, exist_ok=True)
    Path(location.path(entities.staged)).rename(location.path(entities.target))

    assert ds.recover(location) == 1
    for table, key in [("articles", "article_id"), ("entities", "entity_id"), ("quotes", "quote_id")]:
        assert _ids(location, table, key) == _ids(clean, table, key)
    texts = ds.open_table(location, "quotes").to_table(columns=["text"]).column("text").to_pylist()
    assert texts == ["After."]
    assert not (Path(location.root) / "_staging").exists() or not any((Path(location.root) / "_staging").iterdir())


def ds_tombstones(article_id: str, partition: str):
    from pipeline.sinks.rows import tombstones_for_replaced_article

    return list(tombstones_for_replaced_article(article_id, partition))


def test_many_small_files_are_compacted_and_readers_see_each_row_once(location: Location) -> None:
    articles = [make_article(f'Ana Lima said: "Number {n}."', url=f"https://x.example/{n}") for n in range(6)]
    for article in articles:
        ingest_by_hand(location, annotate_by_hand(article, quote=article.body[15:-1]))
    partition_folder = Path(location.root) / "quotes" / "date=2026-03-02"
    assert len(list(partition_folder.glob("*.parquet"))) == 6
    merged = ds.compact(location, run_id="compaction", after_files=3)
    assert merged >= 6
    assert len(list(partition_folder.glob("*.parquet"))) == 1
    assert len(_ids(location, "quotes", "quote_id")) == 6
    assert len(set(_ids(location, "articles", "article_id"))) == len(_ids(location, "articles", "article_id")) == 6
    # A change after compaction still replaces the article's rows in the merged file.
    changed = make_article('Ana Lima said: "Number 0, revised."', url="https://x.example/0")
    ingest_by_hand(location, annotate_by_hand(changed, quote="Number 0, revised."))
    texts = sorted(ds.open_table(location, "quotes").to_table(columns=["text"]).column("text").to_pylist())
    assert "Number 0." not in texts and "Number 0, revised." in texts and len(texts) == 6


def test_the_index_answers_for_the_ids_asked_and_records_failures(location: Location) -> None:
    article = make_article(published_at=datetime(2025, 12, 31, 23, 59, tzinfo=timezone.utc))
    ingest_by_hand(location, annotate_by_hand(article))
    failure = make_failure("parse", Reason.EMPTY_FILE, "/tmp/empty.txt", "empty")
    ds.write_rows(location, [failure_row(failure), failure_index_row(failure)])

    shard = ds.index_shard(article.article_id)
    stored = ds.read_article_index(location, shard, ids=[article.article_id])
    assert (stored[article.article_id].content_hash, stored[article.article_id].partition) == (article.content_hash, "2025-12-31")
    assert ds.read_article_index(location, shard, ids=["not-an-id"]) == {}
    assert failure.failure_id in ds.read_failure_index(location, ds.index_shard(failure.failure_id))


def test_an_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ds.DatasetError, match="cannot write the dataset"):
        ds.prepare_root(Location.parse(str(blocker / "dataset")))


@pytest.mark.parametrize("spec", ["ftp://host/data", "hdfs://cluster/x", "s3://", "gs:///"])
def test_a_location_newsbeam_cannot_use_is_refused_not_taken_for_a_folder(spec: str) -> None:
    with pytest.raises(StorageError):
        Location.parse(spec)


def test_a_dataset_of_another_major_schema_is_refused(location: Location) -> None:
    (Path(location.root) / ds.MANIFEST).write_text(json.dumps({"format": "newsbeam", "schema_version": "9.0"}))
    with pytest.raises(ds.DatasetError, match="schema 9.0"):
        ds.prepare_root(location)


def test_a_staged_partition_survives_its_trip_through_the_report_as_json() -> None:
    item = ds.StagedPartition("quotes", "2026-03-02", 2, "a", "b", ("x", "y"))
    assert ds.StagedPartition.from_dict(json.loads(json.dumps(item.__dict__))) == item


def test_publishing_puts_an_article_after_its_rows_and_the_index_last(location: Location, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.storage import objects

    moved: list[str] = []
    real_move = objects.move

    def recording_move(where: Location, source: str, target: str) -> None:
        moved.append(target.split("/")[0] if not target.startswith("_index") else "/".join(target.split("/")[:2]))
        real_move(where, source, target)

    monkeypatch.setattr(objects, "move", recording_move)
    failure = make_failure("parse", Reason.EMPTY_FILE, "/tmp/empty.txt", "empty", occurred_at=NOW)
    rows = [*article_rows(annotate_by_hand(make_article('Ana Lima said: "Order."'), quote="Order.")),
            failure_row(failure), failure_index_row(failure)]
    ds.write_rows(location, rows)
    assert moved.index("articles") > max(moved.index("entities"), moved.index("quotes"), moved.index("failures"))
    assert moved[-1] == "_index/articles" and moved.index("_index/failures") > moved.index("articles")


def test_polars_reads_each_article_once_with_its_date(location: Location) -> None:
    polars = pytest.importorskip("polars")
    for number in range(3):
        ingest_by_hand(location, annotate_by_hand(make_article(f"Ana Lima said: \"N{number}.\"", url=f"https://x.example/p{number}")))
    changed = make_article('Ana Lima said: "N0, changed."', url="https://x.example/p0")
    ingest_by_hand(location, annotate_by_hand(changed))
    frame = polars.read_parquet(f"{location.root}/articles/*/*.parquet", hive_partitioning=True)
    assert frame.height == 3 and frame["article_id"].n_unique() == 3
    assert sorted(str(day) for day in frame["date"].unique().to_list()) == ["2026-03-02"]

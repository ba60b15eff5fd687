"""Rows batched per table partition in a shard stage to what the same rows give one by one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import TableRow
from pipeline.sinks.batches import MIN_BATCH_ROWS, PartitionRows, RowBatch, batch_rows, last_per_key, partition_table
from pipeline.sinks.rows import article_rows
from pipeline.sinks.schema import ALL_SCHEMAS
from tests.factories import annotate_by_hand, make_article

SPEAKERS = ["Ana Lima", "Rui Costa", "Eva Silva"]


def _rows(count: int) -> list[TableRow]:
    rows: list[TableRow] = []
    for n in range(count):
        speaker = SPEAKERS[n % len(SPEAKERS)]
        article = make_article(f'{speaker} said: "Point {n}." More words.', url=f"https://x.example/{n}")
        rows.extend(article_rows(annotate_by_hand(article, speaker=speaker, quote=f"Point {n}.")))
    return rows


def _by_partition(items: list) -> dict[tuple[str, str], list]:
    groups: dict[tuple[str, str], list] = {}
    for item in items:
        if isinstance(item, (TableRow, RowBatch)):
            groups.setdefault((item.table, item.partition), []).append(item)
    return groups


@settings(max_examples=20, deadline=None)
@given(count=st.integers(min_value=0, max_value=60), max_rows=st.integers(min_value=1, max_value=400))
def test_batched_rows_stage_as_the_loose_rows(count: int, max_rows: int) -> None:
    rows = _rows(count)
    loose = _by_partition(rows)
    batched = _by_partition(list(batch_rows(iter(rows), max_rows=max_rows)))
    assert batched.keys() == loose.keys()
    for (table, partition), items in loose.items():
        expected, _ = partition_table(table, items)
        got, _ = partition_table(table, batched[(table, partition)])
        assert got.equals(expected)
        assert got.schema.equals(ALL_SCHEMAS[table])


def test_statistics_of_one_key_add_up_across_batches_and_loose_rows() -> None:
    rows = [row for row in _rows(60) if row.table == "identity_deltas"]
    items = list(batch_rows(iter(rows), max_rows=40))  # several flushes; three keys, so loose rows
    assert all(isinstance(item, TableRow) for item in items)
    table, removed = partition_table("identity_deltas", [RowBatch("identity_deltas", "all", PartitionRows("identity_deltas").to_table()), *items])
    counts = dict(zip(table.column("name_key").to_pylist(), table.column("article_count").to_pylist()))
    assert counts == {"person:ana lima": 20, "person:eva silva": 20, "person:rui costa": 20}
    assert removed == set()


def test_a_partition_with_few_rows_goes_loose_and_tombstones_pass_at_once() -> None:
    rows = _rows(MIN_BATCH_ROWS)
    tombstone = TableRow("articles", "2026-01-01", key="", row=None, article_id="gone")
    items = list(batch_rows(iter([tombstone, *rows])))
    assert items[0] is tombstone
    batches = {(item.table, item.partition) for item in items if isinstance(item, RowBatch)}
    assert ("articles", "2026-03-02") in batches  # MIN_BATCH_ROWS articles on one day
    assert not any(item.table == "article_index" for item in items if isinstance(item, RowBatch))  # one per shard
    _, removed = partition_table("articles", [tombstone, *[i for i in items if getattr(i, "table", "") == "articles"][1:]])
    assert removed == {"gone"}


def test_one_row_per_key_ordered_by_key_the_last_copy_winning() -> None:
    import pyarrow as pa

    failures = pa.table({"failure_id": ["c", "a", "c", "b"]}, schema=ALL_SCHEMAS["failure_index"])
    assert last_per_key("failure_index", failures).column("failure_id").to_pylist() == ["a", "b", "c"]
    signatures = pa.Table.from_pylist(
        [{"article_id": "b", "shingles": 1}, {"article_id": "a", "shingles": 2}, {"article_id": "b", "shingles": 3}],
        schema=ALL_SCHEMAS["story_signatures"],
    )
    kept = last_per_key("story_signatures", signatures).to_pylist()
    assert [(row["article_id"], row["shingles"]) for row in kept] == [("a", 2), ("b", 3)]
    bands = pa.table({"band": [2, 1, 2], "article_id": ["x", "y", "x"]}, schema=ALL_SCHEMAS["story_bands"])
    assert last_per_key("story_bands", bands).to_pylist() == [{"band": 1, "article_id": "y"}, {"band": 2, "article_id": "x"}]

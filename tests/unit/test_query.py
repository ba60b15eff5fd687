"""`newsbeam query`: DuckDB views over a dataset, with the partition column, in three formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from pipeline.query import QueryError, connect, format_rows, list_tables, run_query
from pipeline.sinks.dataset import prepare_root
from pipeline.storage.location import Location
from tests.factories import annotate_by_hand, ingest_by_hand, make_article


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    location = prepare_root(Location.parse(str(tmp_path)))
    for index, body in enumerate(['Ana Lima said: "One."', 'Ana Lima said: "Two."']):
        annotated = annotate_by_hand(make_article(body, url=f"https://x.example/{index}"), quote=body[16:20])
        ingest_by_hand(location, annotated)  # one run each: the views read a partition of several files
    return tmp_path


def test_views_answer_sql_with_the_partition_column(dataset: Path) -> None:
    columns, rows = run_query(dataset, "SELECT speaker, count(*) AS n, min(date) AS day FROM quotes GROUP BY 1")
    assert columns == ["speaker", "n", "day"]
    assert [(speaker, n, str(day)) for speaker, n, day in rows] == [("Ana Lima", 2, "2026-03-02")]


def test_a_table_with_no_files_is_an_empty_view(dataset: Path) -> None:
    columns, rows = run_query(dataset, "SELECT reason, count(*) FROM failures GROUP BY 1")
    assert rows == [] and columns[0] == "reason"


def test_bad_sql_and_a_missing_dataset_are_query_errors(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(QueryError):
        run_query(dataset, "SELECT nonsense FROM quotes")
    with pytest.raises(QueryError, match="no dataset"):
        run_query(tmp_path / "nowhere", "SELECT 1")


def test_formats_round_trip(dataset: Path) -> None:
    columns, rows = run_query(dataset, "SELECT article_id, authors, published_at FROM articles ORDER BY 1")
    parsed_csv = list(csv.DictReader(io.StringIO(format_rows(columns, rows, fmt="csv"))))
    parsed_json = json.loads(format_rows(columns, rows, fmt="json"))
    assert [row["article_id"] for row in parsed_csv] == [row["article_id"] for row in parsed_json] == [r[0] for r in rows]
    assert parsed_json[0]["published_at"].startswith("2026-03-02T12:00:00")
    table = format_rows(columns, rows)
    assert table.rstrip().endswith("(2 rows)")


def test_speakers_and_people_answer_who_with_one_row_per_identity(dataset: Path) -> None:
    columns, rows = run_query(dataset, "SELECT speaker, quotes, articles, outlets FROM speakers")
    assert rows == [("Ana Lima", 2, 2, 0)]  # the test articles have no source
    _, people = run_query(dataset, "SELECT name, label, articles FROM people")
    assert people == [("Ana Lima", "PERSON", 2)]
    _, keys = run_query(dataset, "SELECT name_key, canonical_id = identity_id FROM identities")
    assert keys == [("person:ana lima", True)]


def test_a_dataset_written_before_the_identity_columns_still_answers(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "quotes" / "date=2024-05-18"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"quote_id": ["q1"], "article_id": ["a1"], "text": ["Yes."], "speaker": ["Ana Lima"]}),
                   folder / "data.parquet")  # layout 1: one data.parquet, fewer columns
    _, rows = run_query(tmp_path, "SELECT speaker, count(*) FROM quotes GROUP BY 1")
    assert rows == [("Ana Lima", 1)]


def test_float32_values_print_as_written_not_widened(dataset: Path) -> None:
    """`confidence` is float32: widened to float64 it would print 0.9 as 0.8999999761581421."""
    columns, rows = run_query(dataset, "SELECT 0.9::FLOAT AS single, 0.9::DOUBLE AS double, NULL::FLOAT AS missing, "
                                       "min(confidence) AS confidence FROM quotes")
    single, double, missing, confidence = rows[0]
    assert (single, double, missing) == (0.9, 0.9, None)
    assert repr(confidence) == repr(float(f"{confidence:.7g}"))  # no float32 widening tail
    assert "0.8999999" not in format_rows(columns, rows) and "0.8999999" not in format_rows(columns, rows, fmt="json")


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1 AS x) TO '{root}/articles/date=2026-03-02/part-x.parquet'",  # overwrite the dataset
        "CREATE TABLE t AS SELECT 1",
        "ATTACH '{root}/other.db'",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "SELECT 1; COPY (SELECT 1) TO '{root}/x.csv'",
    ],
)
def test_query_refuses_anything_but_reading(dataset: Path, sql: str) -> None:
    before = sorted(path.relative_to(dataset) for path in dataset.rglob("*"))
    with pytest.raises(QueryError, match="only reads"):
        run_query(dataset, sql.format(root=dataset))
    assert sorted(path.relative_to(dataset) for path in dataset.rglob("*")) == before


def test_query_reads_the_dataset_and_no_other_file(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.csv"
    outside.write_text("a\n1\n")
    with pytest.raises(QueryError, match="Permission"):
        run_query(dataset, f"SELECT * FROM read_csv('{outside}')")
    columns, rows = run_query(dataset, "SHOW TABLES")
    assert {"articles", "quotes", "speakers"} <= {row[0] for row in rows}


def test_list_tables_names_every_table_and_view_with_its_columns_and_types(dataset: Path) -> None:
    from pipeline.sinks.schema import SCHEMAS

    tables = list_tables(dataset)
    names = [name for name, _, _ in tables]
    assert names[: len(SCHEMAS)] == list(SCHEMAS)  # the tables first, in the contract's order
    assert {"identity_of", "people", "speaker_quotes", "speakers"} <= set(names)
    kinds = {name: kind for name, kind, _ in tables}
    assert kinds["quotes"] == "table" and kinds["speakers"] == "view"
    columns = {name: dict(cols) for name, _, cols in tables}
    # the contract's columns and the partition column, with DuckDB's types
    assert list(columns["articles"]) == [*SCHEMAS["articles"].names, "date"]
    assert columns["articles"]["date"] == "DATE" and columns["articles"]["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert columns["quotes"]["confidence"] == "FLOAT"
    assert columns["failures"]["reason"] == "VARCHAR"  # a table with no file yet is listed all the same
    assert columns["speakers"]["quotes"] == "BIGINT"
    assert not [name for name in names if name.startswith("_")]  # not the empty tables' helpers


def test_query_tables_on_the_command_line_and_sql_is_then_not_needed(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    assert main(["query", "--data", str(dataset), "--tables"]) == 0
    out = capsys.readouterr().out
    blocks = {block.splitlines()[0]: block.splitlines()[1:] for block in out.strip().split("\n\n")}
    assert "speakers (view)" in blocks and "quotes (table)" in blocks
    assert any(line.split() == ["speaker_identity_id", "VARCHAR"] for line in blocks["quotes (table)"])

    assert main(["query", "--data", str(dataset), "--tables", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"name": "speakers", "kind": "view", "column": "speaker", "type": "VARCHAR"} in rows

    for argv in (["query", "--data", str(dataset)], ["query", "--data", str(dataset), "--tables", "SELECT 1"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
        assert "SQL or --tables" in capsys.readouterr().err


def test_a_date_window_narrows_every_dated_table_and_the_views_built_on_them(tmp_path: Path) -> None:
    location = prepare_root(Location.parse(str(tmp_path)))
    for day in (1, 2, 3):
        body = f'Ana Lima said: "Day {day}."'
        article = make_article(body, url=f"https://x.example/{day}", published_at=datetime(2026, 3, day, 9, tzinfo=timezone.utc))
        ingest_by_hand(location, annotate_by_hand(article, quote=f"Day {day}."))
    everything = connect(tmp_path)
    window = connect(tmp_path, since=date(2026, 3, 2), until=date(2026, 3, 2))
    opened = connect(tmp_path, since=date(2026, 3, 2))
    count = lambda connection, sql: connection.execute(sql).fetchone()[0]  # noqa: E731
    assert [count(c, "SELECT count(*) FROM articles") for c in (everything, window, opened)] == [3, 1, 2]
    assert count(window, "SELECT min(date)::VARCHAR FROM quotes") == "2026-03-02"
    assert count(window, "SELECT quotes FROM speakers") == 1 and count(everything, "SELECT quotes FROM speakers") == 3
    assert count(window, "SELECT articles FROM people") == 1
    assert count(window, "SELECT count(*) FROM identities") == count(everything, "SELECT count(*) FROM identities")  # not dated

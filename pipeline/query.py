"""SQL over a dataset in embedded DuckDB: one view per table, the ``date`` partition column included."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from pipeline.sinks.schema import DATA_SUFFIX, PARTITION_COLUMN, PARTITION_COLUMNS, SCHEMAS, TABLE_DIRS
from pipeline.storage import objects
from pipeline.storage.location import Location, StorageError


class QueryError(ValueError):
    """The SQL failed or the dataset cannot be read; the message is one line for the user."""


def connect(data: str | Path, *, storage_options: dict[str, Any] | None = None,
            since: date | None = None, until: date | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table (``articles``, ``entities``, ``quotes``,
    ``failures``, ``identities``) and the derived views ``identity_of``, ``people``,
    ``speaker_quotes``, ``speakers``, ``stories`` and ``quotations``.

    ``since`` and ``until`` (inclusive) narrow the dated tables to those ``date`` partitions, so that
    every view built on them (``speakers``, ``people``, ...) answers for that window alone; DuckDB
    prunes the other partitions' files. ``identities`` is not dated and stays whole.

    A dataset in a bucket is read through its fsspec filesystem, registered with DuckDB: DuckDB's
    own httpfs extension would be downloaded at run time."""
    try:
        location = Location.parse(str(data), storage_options)
    except StorageError as error:
        raise QueryError(str(error)) from None
    if location.is_local and not Path(location.root).is_dir():
        raise QueryError(f"no dataset at {data}")
    connection = duckdb.connect()
    if not location.is_local:
        try:
            objects.check_reachable(location)
        except StorageError as error:
            raise QueryError(str(error)) from None
        connection.register_filesystem(location.fs)
    for table, schema in SCHEMAS.items():
        folder = TABLE_DIRS[table]
        column = PARTITION_COLUMNS[table]
        column_type = "DATE" if column == PARTITION_COLUMN else "VARCHAR"
        window = _date_window(since, until) if column == PARTITION_COLUMN else ""
        if any(not name.rsplit("/", 1)[-1].startswith((".", "_")) for name in objects.list_files(location, folder, suffix=DATA_SUFFIX)):
            pattern = location.url_of(folder, f"{column}=*", f"*{DATA_SUFFIX}")
            connection.execute(
                f"CREATE VIEW {table} AS SELECT * FROM read_parquet({_sql_string(pattern)}, hive_partitioning = true, "
                f"hive_types = {{'{column}': {column_type}}}, union_by_name = true){window}"
            )
        else:  # an empty table still answers queries, with the contract's columns
            connection.register(f"_empty_{table}", schema.empty_table())
            connection.execute(f"CREATE VIEW {table} AS SELECT *, NULL::{column_type} AS {column} FROM _empty_{table}{window}")
    for view, variants in DERIVED_VIEWS.items():
        for sql in variants:
            try:
                connection.execute(f"CREATE VIEW {view} AS {sql}")
                break
            except duckdb.Error:
                continue  # a dataset written before a column existed: the next variant, or no such view
    _sandbox(connection, location)
    return connection


def _date_window(since: date | None, until: date | None) -> str:
    """The WHERE clause keeping the ``date`` partitions from ``since`` to ``until``, both included."""
    bounds = [f"{PARTITION_COLUMN} {operator} DATE '{day.isoformat()}'"
              for operator, day in ((">=", since), ("<=", until)) if day is not None]
    return f" WHERE {' AND '.join(bounds)}" if bounds else ""


def _sandbox(connection: duckdb.DuckDBPyConnection, location: Location) -> None:
    """From here on the connection reads the dataset and nothing else: no other file, no ATTACH, no
    extension install, and no setting can be changed back. Writing is refused by statement type
    (:func:`check_read_only`), as the dataset folder itself stays reachable for the views."""
    root = location.url_of().rstrip("/") + "/"
    connection.execute(f"SET allowed_directories = [{_sql_string(root)}]")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")


def _sql_string(text: str) -> str:
    """``text`` as an escaped SQL string literal: DDL and SET cannot take parameters."""
    return "'" + text.replace("'", "''") + "'"


# Statements that only read: SELECT (with SHOW, DESCRIBE and SUMMARIZE, which DuckDB parses as
# SELECT) and EXPLAIN.
READ_ONLY_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})


def check_read_only(sql: str) -> None:
    """Refuse SQL that would do anything but read (COPY, CREATE, INSERT, ATTACH, SET, PRAGMA, ...)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None
    for statement in statements:
        if statement.type not in READ_ONLY_STATEMENTS:
            kind = str(statement.type).rsplit(".", 1)[-1]
            raise QueryError(f"newsbeam query only reads: {kind} statements are refused (use SELECT, SHOW, DESCRIBE, EXPLAIN)")


# Views over the tables that answer the questions the dataset is for, one row per real person or
# organisation: identities grouped by canonical_id, named by the canonical key's fullest form.
_SPEAKER_QUOTES = """
        SELECT q.quote_id, q.article_id, q.date, o.canonical_id AS identity_id, o.name AS speaker, o.label,
               q.text, q.kind, q.confidence
        FROM quotes q
        JOIN identity_of o ON o.identity_id = q.speaker_identity_id
        {where}
"""

DERIVED_VIEWS: dict[str, tuple[str, ...]] = {
    # every name key with the identity it belongs to
    "identity_of": ("""
        SELECT i.identity_id, i.name_key, i.name AS name_as_written, i.canonical_id,
               coalesce(c.name, i.name) AS name, coalesce(c.label, i.label) AS label
        FROM identities i LEFT JOIN identities c ON c.identity_id = i.canonical_id
    """,),
    # one row per real person, organisation or place (articles counted once, whichever names they use)
    "people": ("""
        SELECT o.canonical_id AS identity_id, any_value(o.name) AS name, any_value(o.label) AS label,
               count(DISTINCT e.article_id) AS articles, sum(e.mention_count) AS mentions,
               list(DISTINCT e.name ORDER BY e.name) AS names,
               min(i.first_seen) AS first_seen, max(i.last_seen) AS last_seen
        FROM entities e
        JOIN identity_of o ON o.identity_id = e.identity_id
        JOIN identities i ON i.identity_id = e.identity_id
        GROUP BY o.canonical_id
    """,),
    # one row per quote of what a known person or organisation said (not what they thought or
    # planned, where the quotes say so), with the identity of its speaker
    "speaker_quotes": (
        _SPEAKER_QUOTES.format(where="WHERE coalesce(q.cue_class, 'speech') = 'speech'"),
        _SPEAKER_QUOTES.format(where=""),  # quotes written before cue_class existed
    ),
    # one row per speaker identity: who is quoted most, in how many articles and outlets
    "speakers": ("""
        SELECT s.identity_id, any_value(s.speaker) AS speaker, any_value(s.label) AS label,
               count(*) AS quotes, count(DISTINCT s.article_id) AS articles,
               count(DISTINCT a.source) AS outlets, min(a.published_at) AS first_quoted,
               max(a.published_at) AS last_quoted
        FROM speaker_quotes s
        LEFT JOIN articles a ON a.article_id = s.article_id
        GROUP BY s.identity_id
    """,),
    # one row per story: near-duplicate articles (copies in other outlets, updates) counted once
    "stories": ("""
        SELECT story_id, count(*) AS articles, count(*) - 1 AS copies, count(DISTINCT source) AS outlets,
               list(DISTINCT source ORDER BY source) FILTER (WHERE source IS NOT NULL) AS sources,
               first(title ORDER BY coalesce(published_at, ingested_at), article_id) AS title,
               first(article_id ORDER BY coalesce(published_at, ingested_at), article_id) AS first_article_id,
               min(coalesce(published_at, ingested_at)) AS first_seen,
               max(coalesce(published_at, ingested_at)) AS last_seen
        FROM articles
        WHERE story_id IS NOT NULL
        GROUP BY story_id
    """,),
    # one row per quotation (the same words across articles, exactly or nearly), with its speaker by
    # vote over the occurrences that name one; what was said most, and by whom
    "quotations": ("""
        WITH occurrences AS (
            SELECT q.quotation_id, q.article_id, q.text, q.speaker_identity_id, a.source, a.story_id,
                   coalesce(a.published_at, a.ingested_at) AS seen_at
            FROM quotes q LEFT JOIN articles a ON a.article_id = q.article_id
            WHERE q.quotation_id IS NOT NULL AND coalesce(q.cue_class, 'speech') = 'speech'
        ), votes AS (
            SELECT c.quotation_id, o.canonical_id AS identity_id, any_value(o.name) AS speaker, count(*) AS votes,
                   row_number() OVER (PARTITION BY c.quotation_id ORDER BY count(*) DESC, o.canonical_id) AS rank
            FROM occurrences c JOIN identity_of o ON o.identity_id = c.speaker_identity_id
            GROUP BY c.quotation_id, o.canonical_id
        )
        SELECT c.quotation_id, first(c.text ORDER BY c.seen_at, c.article_id) AS text,
               any_value(v.identity_id) AS speaker_identity_id, any_value(v.speaker) AS speaker,
               any_value(v.votes) AS speaker_votes, count(c.speaker_identity_id) AS attributed,
               count(*) AS occurrences, count(DISTINCT c.article_id) AS articles,
               count(DISTINCT c.source) AS outlets, count(DISTINCT c.story_id) AS stories,
               min(c.seen_at) AS first_seen, max(c.seen_at) AS last_seen
        FROM occurrences c LEFT JOIN votes v ON v.quotation_id = c.quotation_id AND v.rank = 1
        GROUP BY c.quotation_id
    """,),
}


def run_query(data: str | Path, sql: str, *, storage_options: dict[str, Any] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    check_read_only(sql)
    connection = connect(data, storage_options=storage_options)
    try:
        relation = connection.execute(sql)
        description = relation.description or []
        columns = [column[0] for column in description]
        rows = relation.fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None
    single = {index for index, column in enumerate(description) if str(column[1]) == "FLOAT"}
    if single:
        rows = [tuple(_shortest_float32(value) if index in single else value for index, value in enumerate(row)) for row in rows]
    return columns, rows


def list_tables(data: str | Path, *, storage_options: dict[str, Any] | None = None) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """What a query can read: each table, then each derived view, as (name, "table" or "view",
    [(column, DuckDB type), ...]). A derived view an older dataset cannot answer is left out."""
    connection = connect(data, storage_options=storage_options)
    try:
        rows = connection.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY table_name, ordinal_position"
        ).fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from None
    columns: dict[str, list[tuple[str, str]]] = {}
    for name, column, column_type in rows:
        columns.setdefault(name, []).append((column, column_type))
    # SCHEMAS' and DERIVED_VIEWS' order, not the alphabet: the tables first, each view after what it reads
    return [(name, kind, columns[name])
            for names, kind in ((SCHEMAS, "table"), (DERIVED_VIEWS, "view")) for name in names if name in columns]


def format_tables(tables: list[tuple[str, str, list[tuple[str, str]]]], *, fmt: str = "table") -> str:
    """``list_tables`` for the terminal (one block per table), or as csv/json rows of
    (name, kind, column, type)."""
    if fmt != "table":
        return format_rows(["name", "kind", "column", "type"],
                           [(name, kind, column, column_type) for name, kind, columns in tables for column, column_type in columns],
                           fmt=fmt)
    blocks = []
    for name, kind, columns in tables:
        width = max(len(column) for column, _ in columns)
        blocks.append("\n".join([f"{name} ({kind})", *(f"  {column.ljust(width)}  {column_type}" for column, column_type in columns)]))
    return "\n\n".join(blocks) + "\n"


def _shortest_float32(value: Any) -> Any:
    """A FLOAT (float32) column's value as its shortest decimal: DuckDB hands it to Python widened to
    float64, which prints 0.9 as 0.8999999761581421."""
    return None if value is None else float(np.format_float_positional(np.float32(value)))


def format_rows(columns: list[str], rows: list[tuple[Any, ...]], *, fmt: str = "table", max_width: int = 60) -> str:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(value) for value in row] for row in rows])
        return buffer.getvalue()
    if fmt == "json":
        records = [{column: _jsonable(value) for column, value in zip(columns, row)} for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return _format_table(columns, rows, max_width=max_width)


def _format_table(columns: list[str], rows: list[tuple[Any, ...]], *, max_width: int) -> str:
    cells = [[_clip(_plain(value), max_width) for value in row] for row in rows]
    widths = [max([len(column), *(len(row[i]) for row in cells)]) for i, column in enumerate(columns)]
    rule = "+-" + "-+-".join("-" * width for width in widths) + "-+"
    lines = [rule, "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |", rule]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells]
    lines += [rule, f"({len(rows)} row{'s' if len(rows) != 1 else ''})"]
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(_jsonable(value), ensure_ascii=False)
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"

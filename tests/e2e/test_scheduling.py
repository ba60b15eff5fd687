"""`newsbeam run` under a scheduler: exit status, --json, the run report, tables readable from the
first run on, progress on a terminal and log lines elsewhere; real subprocess runs, real files."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as pads
import pytest

from pipeline.sinks.schema import PARTITION_COLUMNS, SCHEMAS
from tests.conftest import REPO_ROOT, run_newsbeam
from tests.http_server import LocalHTTPServer

pytestmark = pytest.mark.slow


def _good_article(folder: Path, name: str = "good.txt", number: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Harbour news {number}\nDate: 2026-03-02\nURL: https://news.example.org/{number}\n\n"
                    f'"The ferry runs again on line {number}," Mayor Ana Lima said on Monday in Porto.\n', encoding="utf-8")
    return path


def _query(data: Path, sql: str) -> list[dict]:
    result = run_newsbeam("query", "--data", str(data), "--format", "json", sql)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _assert_every_reader_reads_every_table(out: Path) -> dict[str, int]:
    """Each table through DuckDB's hive glob, pyarrow.dataset and Polars, with the contract's columns;
    returns its row count (the same for every reader)."""
    rows: dict[str, int] = {}
    for table, schema in SCHEMAS.items():
        column = PARTITION_COLUMNS[table]
        expected = [*schema.names, column]
        relation = duckdb.sql(f"SELECT * FROM read_parquet('{out}/{table}/*/*.parquet', hive_partitioning=true)")
        assert relation.columns == expected, table
        arrow = pads.dataset(out / table, format="parquet", partitioning="hive").to_table()
        assert arrow.column_names == expected, table
        frame = pl.scan_parquet(f"{out}/{table}/**/*.parquet", hive_partitioning=True).collect()
        assert sorted(frame.columns) == sorted(expected), table
        counts = {len(relation.fetchall()), arrow.num_rows, frame.height}
        assert len(counts) == 1, f"{table}: readers disagree: {counts}"
        rows[table] = counts.pop()
    return rows


def test_a_run_without_failures_leaves_every_table_readable_and_json_matches_the_dataset(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    _good_article(inputs, "a.txt", 0)
    _good_article(inputs, "b.txt", 1)
    result = run_newsbeam("run", "in", "--output", str(out), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # one JSON object, nothing else on stdout

    rows = _assert_every_reader_reads_every_table(out)
    assert rows["failures"] == 0 and rows["articles"] == 2
    assert _query(out, "SELECT count(*) AS n FROM failures") == [{"n": 0}]
    (sql,) = _query(out, "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM entities) AS entities, "
                         "(SELECT count(*) FROM quotes) AS quotes, (SELECT count(*) FROM failures) AS failures")
    counts = summary["counts"]
    assert (counts["articles_written"], counts["entities"], counts["quotes"], counts["failures"]) == (
        sql["articles"], sql["entities"], sql["quotes"], sql["failures"])
    assert (summary["status"], summary["inputs"], summary["output"], summary["failures_by_reason"]) == ("ok", ["in"], str(out), {})
    assert counts["documents_read"] == counts["files_opened"] == 2 and sql["quotes"] >= 2

    # The run report says the same, with the inputs as given.
    report = json.loads((out / "_runs" / f"{summary['run_id']}.json").read_text())
    assert (report["status"], report["inputs"], report["counts"]) == ("ok", ["in"], counts)
    assert report["duration_s"] >= report["seconds_by_step"]["job"] > 0


def test_bad_documents_are_exit_0_and_the_failures_in_json_match_the_table(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    _good_article(inputs)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (inputs / "lines.jsonl").write_text('{not json\n')
    result = run_newsbeam("run", str(inputs), "--output", str(out), "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    by_reason = {row["reason"]: row["n"] for row in _query(out, "SELECT reason, count(*) AS n FROM failures GROUP BY reason")}
    assert summary["failures_by_reason"] == by_reason == {"empty_file": 1, "binary_file": 1, "malformed_json": 1}
    assert summary["status"] == "ok" and summary["counts"]["failures"] == 3


def test_an_empty_folder_is_an_empty_run_with_every_table_readable(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    out = tmp_path / "out"
    result = run_newsbeam("run", str(tmp_path / "inbox"), "--output", str(out), "--json", "--quiet")
    # Nothing was there to open: not a failure to read, so exit 0 (an inbox may well be empty tonight).
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "ok"
    rows = _assert_every_reader_reads_every_table(out)
    assert rows == {"articles": 0, "entities": 0, "quotes": 0, "failures": 1, "identities": 0}
    assert _query(out, "SELECT count(*) AS n FROM speakers") == [{"n": 0}]


def test_a_run_in_which_no_input_could_be_opened_or_fetched_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with LocalHTTPServer() as server:  # no routes: every path answers 404
        result = run_newsbeam(
            "run", server.url("/gone.xml"), server.url("/also-gone.xml"), "--output", str(out), "--json", "--quiet",
            "--allow-private-hosts", "--set", "http.max_retries=0", "--set", "http.min_host_delay=0",
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newsbeam: error: nothing could be read: no input could be opened or fetched (recorded in failures)"]
    summary = json.loads(result.stdout)
    assert (summary["status"], summary["unopened_inputs"], summary["counts"]["feeds_failed"]) == ("nothing_read", [], 2)
    assert _query(out, "SELECT reason, count(*) AS n FROM failures GROUP BY reason") == [{"reason": "http_error", "n": 2}]
    report = json.loads((out / "_runs" / f"{summary['run_id']}.json").read_text())
    assert report["status"] == "nothing_read"


def test_a_job_that_cannot_run_still_prints_one_json_object(tmp_path: Path) -> None:
    result = run_newsbeam("run", "--output", str(tmp_path / "out"), "--set", "nlp.batch_size=zero", "--json")
    assert result.returncode == 2
    failed = json.loads(result.stdout)
    assert failed["status"] == "error" and "nlp.batch_size" in failed["error"]


def test_workers_print_plain_progress_lines_and_no_beam_chatter(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    _good_article(inputs, "a.txt", 0)
    _good_article(inputs, "b.txt", 1)
    result = run_newsbeam("run", str(inputs), "--output", str(out), "--workers", "2", "--set", "input.files_per_run=1")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    # stderr is a pipe here: newsbeam's own log lines, each of them, and nothing of Beam's or its workers'.
    assert all(re.match(r"\d\d:\d\d:\d\d INFO newsbeam: ", line) for line in lines), result.stderr
    assert "newsbeam: part 1 of 2" in lines[0]
    assert any(line.endswith("part 2 of 2 done: 2 articles read so far, 2 new, 0 failures") for line in lines), lines
    assert "2 new" in result.stdout

    quiet = run_newsbeam("run", str(inputs), "--output", str(out), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_a_terminal_gets_a_live_progress_line_and_the_summary(tmp_path: Path) -> None:
    """stderr on a pseudo-terminal, as a user at a shell has it: rich draws the progress line there."""
    inputs = tmp_path / "in"
    _good_article(inputs)
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TERM": "xterm-256color", "COLUMNS": "160"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--output", str(tmp_path / "out")],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=terminal, env=env, text=True,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate(timeout=600)
    os.close(controller)
    assert process.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "newsbeam run  part 1 of 1" in text and "reading 1 file(s) and 0 feed(s)" in text
    assert "\x1b[" in text  # drawn with terminal control sequences, not printed as log lines
    assert "1 new" in stdout

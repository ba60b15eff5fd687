"""A job killed with SIGKILL at any moment leaves only complete files, and the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.query import run_query
from tests.conftest import REPO_ROOT, run_newsbeam

pytestmark = pytest.mark.slow

SPEAKERS = ["Ana Lima", "Jonas Weber", "Priya Natarajan", "Colm Brennan", "Elena Petrova"]


def _write_articles(folder: Path, count: int) -> None:
    folder.mkdir()
    for index in range(count):
        speaker = SPEAKERS[index % len(SPEAKERS)]
        day = 1 + index % 28  # many date partitions, so the writer has many files to replace
        (folder / f"story-{index:03d}.txt").write_text(
            f"Title: Story {index}\nDate: 2026-02-{day:02d}\nURL: https://news.example.org/story/{index}\n\n"
            f'"The harbour plan number {index} is ready," {speaker} said on Monday. '
            f"{speaker.split()[1]} added that the council would vote on it in the spring, "
            f"and warned that costs could rise.\n"
        )


def _quotes_by_article(out: Path) -> dict[str, set]:
    grouped: dict[str, set] = {}
    for article_id, quote_id in run_query(out, "SELECT article_id, quote_id FROM quotes")[1]:
        grouped.setdefault(article_id, set()).add(quote_id)
    return grouped


def _ids(out: Path) -> dict[str, set]:
    return {
        table: {row[0] for row in run_query(out, f"SELECT {key} FROM {table}")[1]}
        for table, key in (("articles", "article_id"), ("entities", "entity_id"), ("quotes", "quote_id"))
    }


def test_a_killed_run_leaves_complete_files_and_the_next_run_completes_it(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _write_articles(inputs, 120)
    killed_out = tmp_path / "killed"
    job = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--output", str(killed_out), "--quiet"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    try:
        # Kill while the writer is at work: some partitions staged or published, the run report not yet.
        while time.monotonic() < deadline and job.poll() is None:
            if any(killed_out.glob("_staging/*/entities/date=*/*.parquet")) or any(killed_out.glob("entities/date=*/*.parquet")):
                break
            time.sleep(0.02)
        assert job.poll() is None, "the job finished before it could be killed"
        os.killpg(job.pid, signal.SIGKILL)
    finally:
        job.wait(timeout=30)

    for path in killed_out.rglob("*.parquet"):
        pq.read_table(path)  # every file a reader can see is a complete Parquet file
    assert not list(killed_out.glob("_runs/*.json")), "killed too late: the run had finished"
    partial = _ids(killed_out)
    partial_quotes = _quotes_by_article(killed_out) if partial["quotes"] else {}

    clean_out = tmp_path / "clean"
    clean = run_newsbeam("run", str(inputs), "--output", str(clean_out), "--quiet")
    assert clean.returncode == 0, clean.stderr
    clean_quotes = _quotes_by_article(clean_out)
    # Articles are written last: an article visible after the kill has all its quotes stored too.
    for article_id in partial["articles"]:
        assert partial_quotes.get(article_id) == clean_quotes.get(article_id)

    resumed = run_newsbeam("run", str(inputs), "--output", str(killed_out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert not list(killed_out.rglob("*.partial"))
    assert _ids(killed_out) == _ids(clean_out)
    assert len(_ids(clean_out)["articles"]) == 120

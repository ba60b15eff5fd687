"""A full disk while writing: one line and exit status 2, the dataset left readable, and the next run
(with space again) ends with each article exactly once, as a clean run would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_newsbeam

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 256 KiB tmpfs; skipped where this process may not mount one (not root, no CAP_SYS_ADMIN)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _article_ids(dataset: Path) -> list[str]:
    return sorted(row[0] for row in duckdb.sql(
        f"SELECT article_id FROM read_parquet('{dataset}/articles/*/*.parquet', hive_partitioning=true)").fetchall())


def test_a_full_disk_is_one_line_and_the_next_run_completes(shared_dir: Path, small_disk: Path, tmp_path: Path) -> None:
    bbc = shared_dir / "eval" / "bbc-news" / "bbc" / "business"
    if not bbc.is_dir():
        pytest.skip(f"BBC corpus not found under {bbc}")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in sorted(bbc.glob("*.txt"))[:60]:
        shutil.copy(path, inputs / path.name)

    full = run_newsbeam("run", str(inputs), "--output", str(small_disk / "out"), "--quiet")
    assert full.returncode == 2, full.stderr[-2000:]
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], full.stderr[-2000:]

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = run_newsbeam("run", str(inputs), "--output", str(small_disk / "out"), "--quiet")
    assert again.returncode == 0, again.stderr[-2000:]
    clean = run_newsbeam("run", str(inputs), "--output", str(tmp_path / "clean"), "--quiet")
    assert clean.returncode == 0, clean.stderr[-2000:]
    assert _article_ids(small_disk / "out") == _article_ids(tmp_path / "clean")
    assert len(_article_ids(tmp_path / "clean")) == 60

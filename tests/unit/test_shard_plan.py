"""Dealing input files over the NLP shards so that any deal of shards to workers is even."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

from pipeline.nlp.annotate import MAX_PLANNED_FILE_BYTES, plan_shards, shard_of
from pipeline.records import Article
from pipeline.sources.files import file_sizes


def _article(article_id: str, origin: str) -> Article:
    return Article(article_id=article_id, body="Text.", origin=origin,
                   ingested_at=datetime(2026, 1, 1, tzinfo=timezone.utc), content_hash=article_id)


def test_shards_hold_about_the_same_bytes_whatever_the_file_sizes():
    rng = random.Random(7)
    sizes = [(f"/in/{number}.txt", rng.randint(500, 30_000)) for number in range(600)]
    planned = plan_shards(sizes, 24)
    loads = [0] * 24
    for path, size in sizes:
        loads[planned[path]] += size
    # Largest first to the lightest shard: no shard is off by more than the largest file.
    assert max(loads) - min(loads) <= max(size for _, size in sizes)
    # So any 12 of the 24 shards (one worker's half) hold within 3 % of half the bytes.
    for _ in range(50):
        half = sum(rng.sample(loads, 12))
        assert abs(half / sum(loads) - 0.5) < 0.03


def test_the_plan_does_not_depend_on_the_order_files_were_listed():
    sizes = [(f"/in/{number}.txt", 1000 + number % 7) for number in range(100)]
    assert plan_shards(sizes, 8) == plan_shards(list(reversed(sizes)), 8)


def test_a_large_file_is_left_to_spreading_by_article_id():
    sizes = [("/in/dump.jsonl", MAX_PLANNED_FILE_BYTES + 1), ("/in/a.txt", 100)]
    planned = plan_shards(sizes, 24)
    assert "/in/dump.jsonl" not in planned
    by_id = {shard_of(_article(f"{number:08x}00000000", "/in/dump.jsonl"), 24, planned) for number in range(0, 2**20, 4099)}
    assert len(by_id) > 1  # the dump's articles go to many shards, not to one


def test_an_article_goes_to_its_files_planned_shard():
    planned = {"/in/a.txt": 5}
    assert shard_of(_article("ffffffffffffffff", "/in/a.txt"), 24, planned) == 5
    assert shard_of(_article("0000000a00000000", "/in/b.txt"), 24, planned) == 10  # by id


def test_file_sizes_reads_local_sizes_and_counts_what_it_cannot(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(b"x" * 123)
    assert file_sizes([str(tmp_path / "a.txt"), str(tmp_path / "gone.txt"), "s3://bucket/key.txt"]) == [
        (str(tmp_path / "a.txt"), 123), (str(tmp_path / "gone.txt"), 1), ("s3://bucket/key.txt", 1)]

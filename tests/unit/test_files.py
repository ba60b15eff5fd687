from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from pipeline.failures import Reason
from pipeline.records import Failure, RawDocument
from pipeline.sources.files import expand_paths, format_hint_for, read_file


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "c.md").write_text("c")
    (tmp_path / "sub" / "deeper" / "d.txt").write_text("d")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("hidden")
    (tmp_path / ".DS_Store").write_text("hidden")
    (tmp_path / "empty").mkdir()
    return tmp_path


def test_folder_is_walked_recursively_sorted_without_hidden_entries(tree: Path) -> None:
    paths, failures = expand_paths([str(tree)])
    assert failures == []
    assert paths == [str(tree / name) for name in ("a.json", "b.txt", "sub/c.md", "sub/deeper/d.txt")]


def test_recursive_glob_and_duplicates_give_each_path_once(tree: Path) -> None:
    paths, failures = expand_paths([str(tree / "**" / "*.txt"), str(tree / "b.txt"), str(tree / "sub")])
    assert failures == []
    assert paths == sorted({str(tree / "b.txt"), str(tree / "sub/deeper/d.txt"), str(tree / "sub/c.md")})


def test_relative_specs_become_absolute(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    paths, _ = expand_paths(["b.txt"])
    assert paths == [str(tree / "b.txt")]


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("nothing-*.txt", Reason.NO_MATCH),
        ("empty", Reason.NO_MATCH),
        ("missing.txt", Reason.UNREADABLE_PATH),
        ("broken-link.txt", Reason.UNREADABLE_PATH),
    ],
)
def test_specs_that_give_no_file_are_failures(tree: Path, spec: str, reason: Reason) -> None:
    os.symlink(tree / "nowhere", tree / "broken-link.txt")
    paths, failures = expand_paths([str(tree / spec), str(tree / "b.txt")])
    assert paths == [str(tree / "b.txt")]
    assert [(failure.stage, failure.reason) for failure in failures] == [("read", reason.value)]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("a.txt", "text"), ("a.MD", "text"), ("a.json", "json"), ("a.jsonl.gz", "jsonl"), ("a.ndjson", "jsonl"),
        ("a.htm", "html"), ("a.html.gz", "html"), ("a.rss", "feed"), ("a.atom", "feed"), ("a.rdf", "feed"),
        ("a.xml", "feed"), ("a.gz", None), ("a.pdf", None), ("README", None),
    ],
)
def test_format_hint_comes_from_the_extension(name: str, hint: str | None) -> None:
    assert format_hint_for(name) == hint


def test_plain_file_is_read_with_its_hint(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(b"Some text")
    assert read_file(str(path), max_bytes=100) == RawDocument(origin=str(path), data=b"Some text", format_hint="text")


@pytest.mark.parametrize("name", ["story.txt.gz", "story-without-extension"])
def test_gzip_is_recognised_by_its_magic_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"first ") + gzip.compress(b"second"))  # two members: one valid file
    result = read_file(str(path), max_bytes=100)
    assert isinstance(result, RawDocument)
    assert result.data == b"first second"


def _failure_reason(path: Path, *, max_bytes: int = 1000) -> str:
    result = read_file(str(path), max_bytes=max_bytes)
    assert isinstance(result, Failure), result
    assert result.stage == "read"
    return result.reason


@pytest.mark.parametrize("cut", [-10, -4, 15, 3])
def test_truncated_gzip_is_a_failure(tmp_path: Path, cut: int) -> None:
    whole = gzip.compress(b"news " * 200)
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(whole[:cut])
    assert _failure_reason(path) == Reason.TRUNCATED_GZIP


def test_corrupt_gzip_is_a_failure(tmp_path: Path) -> None:
    whole = gzip.compress(b"news " * 200)
    path = tmp_path / "corrupt.gz"
    path.write_bytes(whole[:12] + b"\xff" * 8 + whole[20:])
    assert _failure_reason(path) == Reason.TRUNCATED_GZIP


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(b"\0" * 50_000_000))  # about 50 KB on disk
    assert _failure_reason(path, max_bytes=1_000_000) == Reason.TOO_LARGE


def test_file_over_the_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 1001)
    assert _failure_reason(path, max_bytes=1000) == Reason.TOO_LARGE
    assert isinstance(read_file(str(path), max_bytes=1001), RawDocument)


@pytest.mark.parametrize("content", [b"", b"  \n\t ", gzip.compress(b"")])
def test_empty_file_is_a_failure(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert _failure_reason(path) == Reason.EMPTY_FILE


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    assert _failure_reason(tmp_path / "missing.txt") == Reason.UNREADABLE_PATH


def test_folder_is_unreadable_as_a_file(tmp_path: Path) -> None:
    assert _failure_reason(tmp_path) == Reason.UNREADABLE_PATH


def test_broken_symlink_is_unreadable(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    os.symlink(tmp_path / "gone.txt", link)
    assert _failure_reason(link) == Reason.UNREADABLE_PATH


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert _failure_reason(fifo) == Reason.UNREADABLE_PATH


def test_a_file_name_that_is_not_utf8_is_a_failure_and_the_others_are_read(tmp_path) -> None:
    import os

    from pipeline.sources.files import expand_paths

    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"bad\xff.txt"), "wb") as handle:
        handle.write(b"Bob said hi.")
    (folder / "good.txt").write_text("Ana Lima said hi.")
    paths, failures = expand_paths([str(folder)])
    assert paths == [str(folder / "good.txt")]
    assert [(failure.reason, failure.origin) for failure in failures] == [("unreadable_path", f"{folder}/bad\ufffd.txt")]
    failures[0].origin.encode("utf-8")  # what the failures row carries is valid UTF-8


def test_the_longest_folder_that_holds_a_file_names_its_source(tmp_path: Path) -> None:
    from pipeline.sources.files import source_for

    sources = {str(tmp_path / "in"): "Wire", str(tmp_path / "in" / "bbc"): "BBC News", "s3://bucket/gazette": "Gazette"}
    assert source_for(str(tmp_path / "in" / "bbc" / "a.txt"), sources) == "BBC News"
    assert source_for(str(tmp_path / "in" / "ap" / "b.txt"), sources) == "Wire"
    assert source_for(str(tmp_path / "in" / "bbc2" / "c.txt"), sources) == "Wire"  # a path boundary, not a prefix
    assert source_for(str(tmp_path / "elsewhere.txt"), sources) is None
    assert source_for("s3://bucket/gazette/2026/d.txt", sources) == "Gazette"


def test_a_relative_folder_in_the_settings_matches_the_absolute_paths_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.sources.files import source_for

    monkeypatch.chdir(tmp_path)
    assert source_for(str(tmp_path / "incoming" / "a.txt"), {"incoming/": "Local Desk"}) == "Local Desk"


@pytest.mark.parametrize(("undated", "text", "expected_source", "expected_day"), [
    ("modified", "Council meets\n\nThe council met.", "modified", "2020-05-17"),
    ("ingested", "Council meets\n\nThe council met.", "ingested", "2026-03-02"),
    ("modified", "Date: 2024-01-09\n\nThe council met.", "published", "2024-01-09"),  # its own date wins
])
def test_an_undated_file_is_filed_under_the_date_the_settings_choose(
    tmp_path: Path, undated: str, text: str, expected_source: str, expected_day: str,
) -> None:
    from datetime import datetime, timezone

    from pipeline.config import load_settings
    from pipeline.records import Article
    from pipeline.sinks.rows import partition_of
    from pipeline.stages import read_and_parse

    path = tmp_path / "council.txt"
    path.write_text(text, encoding="utf-8")
    modified = datetime(2020, 5, 17, 8, 30, tzinfo=timezone.utc).timestamp()
    os.utime(path, (modified, modified))
    settings = load_settings(None, [], values={"input.undated": undated, "input.sources": {str(tmp_path): "Town Crier"}}).input
    [article] = [item for item in read_and_parse(str(path), settings, datetime(2026, 3, 2, 12, tzinfo=timezone.utc))
                 if isinstance(item, Article)]
    assert (article.date_source, partition_of(article), article.source) == (expected_source, expected_day, "Town Crier")

"""The counter catalogue (pipeline/counters.py): stages name counters only through it, and what a
real run counts is all in it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline import counters
from pipeline.counters import Count

PACKAGE = Path(__file__).resolve().parents[2] / "pipeline"
FAMILIES = (counters.FAILURE_PREFIX, counters.NOT_ANNOTATED_PREFIX, counters.ROWS_WRITTEN_PREFIX,
            counters.ROWS_ADDED_PREFIX, counters.ROWS_REPLACED_PREFIX)


def _literal_tallies(source: str) -> list[int]:
    """Lines that build a Tally from a string literal or an f-string."""
    return [
        node.lineno for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Tally" and node.args
        and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
    ]


def test_no_stage_names_a_counter_with_a_literal():
    found = {str(path.relative_to(PACKAGE)): lines for path in PACKAGE.rglob("*.py")
             if (lines := _literal_tallies(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_scan_would_see_a_literal():
    assert _literal_tallies('yield Tally("unchanged")\nyield Tally(f"failure:{r}")\nyield Tally(Count.CHANGED)') == [1, 2]


def test_families_read_back_what_their_functions_write():
    counts = {counters.failure("empty_file"): 2, counters.failure("http_error"): 0, counters.not_annotated("de"): 1,
              Count.QUOTES: 5}
    assert counters.failures_by_reason(counts) == {"empty_file": 2}
    assert counters.family(counts, counters.NOT_ANNOTATED_PREFIX) == {"de": 1}
    assert counters.failure_total(counts) == 2


@pytest.mark.slow
def test_every_counter_of_a_real_run_is_in_the_catalogue(tmp_path: Path):
    from pipeline.config import load_settings
    from pipeline.run import run

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_text('Harbour\n\nMayor Dana Whitfield spoke. "We open soon," Whitfield said.\n')
    (folder / "empty.txt").write_text("")
    (folder / "data.bin").write_bytes(bytes(range(256)) * 4)
    summary = run(load_settings(None, [], values={"output": str(tmp_path / "out")}), [str(folder)])
    unknown = [name for name in summary.counts
               if name not in counters.names() and not name.startswith(FAMILIES)]
    assert unknown == []
    assert summary.get(Count.ARTICLES_READ) == 1 and summary.get(Count.QUOTES) == 1
    assert sum(summary.failures_by_reason.values()) == 2

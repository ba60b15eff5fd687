"""Quality gate: story and quotation clustering on the BBC story set must not fall below the pinned scores.

The floors sit a little below what was measured when they were pinned (docs/stories.md) and above
the issue's targets (story precision 0.98, recall 0.95; quotation precision 0.98): room for a
MinHash estimate or a parse that differs in the last digits, not for a regression. Raise them when
clustering improves, never lower them to let a regression through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation.corpora import DEFAULT_MODEL
from pipeline.evaluation.stories import DEFAULT_QUOTE_SAMPLE, evaluate_stories
from pipeline.evaluation.story_quotes import evaluate_quotations
from pipeline.evaluation.story_set import DEFAULT_SAMPLE, DEFAULT_SEED, build_story_set, read_bbc

# measured 0.998, 0.996 pairwise; 0.995, 0.998 B-cubed
STORY_FLOORS = {"precision": 0.99, "recall": 0.985, "bcubed precision": 0.985, "bcubed recall": 0.99}
# Every edit on its own keeps at least this share of copies in their base's story (measured 0.993-1.000).
EDIT_RECALL_FLOOR = 0.97
# measured 0.994 precision, 0.993 recall
QUOTATION_FLOORS = {"precision": 0.985, "recall": 0.985}
# No quotation holds two named speakers (measured 3 before a quotation took the speaker of its first
# named occurrence, all joined through a copy that had lost the attribution; 0 since).
DIFFERENT_SPEAKER_JOINS_MAX = 0


@pytest.fixture(scope="module")
def corpus(shared_dir: Path):
    folder = shared_dir / "eval" / "bbc-news"
    if not (folder / "bbc" / "business").is_dir():
        pytest.skip(f"BBC news not found at {folder}")
    return read_bbc(folder)


@pytest.fixture(scope="module")
def stories(corpus):
    return evaluate_stories(build_story_set(corpus, sample=DEFAULT_SAMPLE, seed=DEFAULT_SEED))


@pytest.fixture(scope="module")
def quotations(corpus):
    return evaluate_quotations(corpus, sample=DEFAULT_QUOTE_SAMPLE, seed=DEFAULT_SEED, model=DEFAULT_MODEL)


@pytest.mark.slow
def test_story_clustering_stays_above_the_floors(stories):
    measured = {"precision": stories.pairwise.precision, "recall": stories.pairwise.recall,
                "bcubed precision": stories.bcubed.precision, "bcubed recall": stories.bcubed.recall}
    assert all(measured[name] >= floor for name, floor in STORY_FLOORS.items()), measured


@pytest.mark.slow
def test_every_edit_is_found_and_the_corpus_duplicates_too(stories):
    recall = {edit: found / total for edit, (found, total) in stories.edit_recall.items()}
    assert all(value >= EDIT_RECALL_FLOOR for value in recall.values()), recall
    for kind in ("exact", "near"):
        found, total = stories.corpus_found[kind]
        assert total and found == total, (kind, found, total)


@pytest.mark.slow
def test_quotation_clustering_stays_above_the_floors_and_never_joins_other_speakers(quotations):
    assert quotations.precision >= QUOTATION_FLOORS["precision"], quotations.wrong
    assert quotations.recall >= QUOTATION_FLOORS["recall"], quotations.missed
    assert quotations.different_speaker_joins <= DIFFERENT_SPEAKER_JOINS_MAX, quotations.speakers
    # A join of two named speakers that gold keeps apart is never let through.
    assert quotations.different_speaker_joins == quotations.different_speaker_joins_same_gold, quotations.speakers
    assert quotations.negative_quotes >= 15 and quotations.negative_joins == 0

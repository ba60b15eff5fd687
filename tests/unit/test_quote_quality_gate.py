"""Quality gate: the quote extractor on PolNeAR dev must not fall below the pinned scores.

The floors sit about 0.01 below what the extractor measured when they were pinned (docs/quotes.md),
room for a parse that differs in the last digits on another CPU, not for a regression; raise them
when the extractor improves, never lower them to let a regression through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation.quotes import DEFAULT_MODEL, load_articles, predict, score

# (subset, overlap threshold) -> floor for (who-said-what F1, F1), as the corpus flag defines
# direct+mixed ("" and “” marks only).
FLOORS = {
    ("direct+mixed", 0.3): (0.797, 0.85),  # measured 0.809, 0.862
    ("direct+mixed", 0.8): (0.77, 0.805),  # measured 0.780, 0.817
    ("all", 0.3): (0.685, 0.735),  # measured 0.697, 0.744
    ("all", 0.8): (0.65, 0.685),  # measured 0.662, 0.695
}
# The same with ''-quoted gold content (the NYT's marks) counted as direct+mixed too.
FLOORS_TWO_APOSTROPHES = {
    ("direct+mixed", 0.3): (0.85, 0.905),  # measured 0.863, 0.919
    ("direct+mixed", 0.8): (0.815, 0.855),  # measured 0.827, 0.867
}


@pytest.fixture(scope="module")
def dev(shared_dir: Path):
    path = shared_dir / "eval" / "polnear" / "derived" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"PolNeAR dev not found at {path}")
    articles = load_articles(path)
    predictions = list(predict((article.text for article in articles), model=DEFAULT_MODEL))
    return path, predictions


@pytest.mark.slow
@pytest.mark.parametrize(("key", "floor"), FLOORS.items(), ids=lambda value: str(value))
def test_dev_scores_stay_above_the_floors(dev, key, floor):
    path, predictions = dev
    result = score(load_articles(path), predictions)[key]
    assert result.who_said_what_f1 >= floor[0] and result.f1 >= floor[1], result


@pytest.mark.slow
@pytest.mark.parametrize(("key", "floor"), FLOORS_TWO_APOSTROPHES.items(), ids=lambda value: str(value))
def test_dev_scores_with_two_apostrophe_marks_stay_above_the_floors(dev, key, floor):
    path, predictions = dev
    result = score(load_articles(path, two_apostrophes=True), predictions)[key]
    assert result.who_said_what_f1 >= floor[0] and result.f1 >= floor[1], result

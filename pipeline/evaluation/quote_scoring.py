"""Scoring predicted quotes against gold attributions: plain functions, no I/O.

Overlap is measured on characters after each fragment is trimmed of quote marks, spaces and edge
punctuation, so that a prediction without the marks and a gold span with them compare equal.
Matching is per article, one-to-one, best overlap first.  A speaker is right when the predicted
speaker mention overlaps the gold source (or both are missing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.evaluation.metrics import f1, ratio

Interval = tuple[int, int]  # [start, end) character offsets

_TRIM = " \t\n\r\u00a0\"'“”‘’«»„.,;:!?…()[]{}-–—"


@dataclass(frozen=True)
class Attribution:
    """A quote reduced to what scoring needs: content fragments and the speaker's span."""

    content: tuple[Interval, ...]
    speaker: Interval | None  # predicted: the speaker mention; gold: None when there is no source
    gold_sources: tuple[Interval, ...] = ()  # gold only: every fragment of the Source


@dataclass(frozen=True)
class Counts:
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    speaker_right: int = 0  # matched with the right speaker

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.predicted + other.predicted, self.gold + other.gold,
            self.matched + other.matched, self.speaker_right + other.speaker_right,
        )


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    speaker_accuracy: float  # of the matched quotes, the share with the right speaker
    who_said_what_f1: float  # F1 where a match counts only with the right speaker


def trim(text: str, interval: Interval) -> Interval:
    """``interval`` without leading/trailing quote marks, spaces and punctuation (may become empty)."""
    start, end = interval
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def covered(gold: Sequence[Interval], predicted: Sequence[Interval]) -> int:
    """Characters of ``gold`` that ``predicted`` covers (each list of disjoint intervals)."""
    total = 0
    for gold_start, gold_end in gold:
        for start, end in predicted:
            total += max(0, min(gold_end, end) - max(gold_start, start))
    return total


def overlap(text: str, gold: Sequence[Interval], predicted: Sequence[Interval]) -> float:
    """Share of the gold content's characters (after trimming) that the prediction covers."""
    gold_trimmed = [span for span in (trim(text, interval) for interval in gold) if span[1] > span[0]]
    size = sum(end - start for start, end in gold_trimmed)
    if size == 0:
        return 0.0
    predicted_trimmed = [trim(text, interval) for interval in predicted]
    return covered(gold_trimmed, predicted_trimmed) / size


def speaker_matches(predicted: Interval | None, gold_sources: Sequence[Interval]) -> bool:
    """Right when the predicted speaker span overlaps a gold source fragment, or both are empty."""
    if predicted is None or predicted[1] <= predicted[0]:
        return not gold_sources
    return any(min(end, predicted[1]) > max(start, predicted[0]) for start, end in gold_sources)


def match(
    text: str, gold: Sequence[Attribution], predicted: Sequence[Attribution], *, threshold: float
) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs with overlap >= threshold, best overlap first."""
    pairs = []
    for g, gold_item in enumerate(gold):
        for p, predicted_item in enumerate(predicted):
            share = overlap(text, gold_item.content, predicted_item.content)
            if share > 0 and share >= threshold:
                pairs.append((share, g, p))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    matched = []
    for _, g, p in pairs:
        if g not in used_gold and p not in used_predicted:
            used_gold.add(g)
            used_predicted.add(p)
            matched.append((g, p))
    return matched


def count(
    text: str, gold: Sequence[Attribution], predicted: Sequence[Attribution], *, threshold: float,
    speaker_right: Callable[[int, int], bool] | None = None,
) -> Counts:
    """Counts for one article.

    ``speaker_right(gold index, predicted index)`` replaces the span test for a matched pair: a gold
    set that names its speakers (the French one) checks the resolved name instead of the mention."""
    pairs = match(text, gold, predicted, threshold=threshold)
    if speaker_right is None:
        right = sum(speaker_matches(predicted[p].speaker, gold[g].gold_sources) for g, p in pairs)
    else:
        right = sum(speaker_right(g, p) for g, p in pairs)
    return Counts(predicted=len(predicted), gold=len(gold), matched=len(pairs), speaker_right=right)


def scores(counts: Counts) -> Scores:
    """Precision, recall, F1, speaker accuracy and who-said-what F1 from summed counts."""
    precision = ratio(counts.matched, counts.predicted)
    recall = ratio(counts.matched, counts.gold)
    ws_precision = ratio(counts.speaker_right, counts.predicted)
    ws_recall = ratio(counts.speaker_right, counts.gold)
    return Scores(
        precision=precision,
        recall=recall,
        f1=f1(precision, recall),
        speaker_accuracy=ratio(counts.speaker_right, counts.matched),
        who_said_what_f1=f1(ws_precision, ws_recall),
    )

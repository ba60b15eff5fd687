"""Precision, recall and F1 arithmetic shared by the quote and the entity evaluations."""

from __future__ import annotations


def ratio(part: int, whole: int) -> float:
    """``part / whole``, 0.0 when there is nothing to divide by (no predictions, no gold)."""
    return part / whole if whole else 0.0


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall, 0.0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

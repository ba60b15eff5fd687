"""Precision, recall and F1 arithmetic shared by the evaluations, and pair counting over clusterings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Set as AbstractSet
from dataclasses import dataclass


@dataclass(frozen=True)
class PRF:
    """Precision, recall and their F1, as the evaluations report them."""

    precision: float
    recall: float
    f1: float


def ratio(part: float, whole: float) -> float:
    """``part / whole``, 0.0 when there is nothing to divide by (no predictions, no gold)."""
    return part / whole if whole else 0.0


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall, 0.0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def same_cluster_pairs(
    gold: Mapping[str, str], predicted: Mapping[str, str], *, ignore: AbstractSet[frozenset[str]] = frozenset(),
) -> tuple[int, int, int]:
    """(pairs in one gold cluster and one predicted cluster, predicted pairs, gold pairs) over the
    items of ``gold`` (each item id -> its cluster id; ``predicted`` must label every one of them).

    ``ignore`` holds pairs of *gold* cluster ids whose items may or may not be joined: a pair of
    items across them counts neither as a gold pair nor as a wrong predicted one (a revision of a
    story that is arguably the same story). Counted from the cluster sizes, so a huge predicted
    cluster costs no quadratic enumeration.
    """
    cells = Counter((predicted[item], cluster) for item, cluster in gold.items())
    predicted_sizes = Counter(predicted[item] for item in gold)
    gold_sizes = Counter(gold.values())
    both = sum(_pairs(n) for n in cells.values())
    predicted_pairs = sum(_pairs(n) for n in predicted_sizes.values())
    if ignore:
        by_predicted: dict[str, dict[str, int]] = {}
        for (system, cluster), n in cells.items():
            by_predicted.setdefault(system, {})[cluster] = n
        for clusters in by_predicted.values():
            for pair in ignore:
                first, second = tuple(pair)
                predicted_pairs -= clusters.get(first, 0) * clusters.get(second, 0)
    return both, predicted_pairs, sum(_pairs(n) for n in gold_sizes.values())


def bcubed(gold: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float]:
    """B-cubed (precision, recall): per item, the share of its predicted cluster that is in its gold
    cluster, and the share of its gold cluster that is in its predicted cluster, averaged."""
    cells = Counter((predicted[item], cluster) for item, cluster in gold.items())
    predicted_sizes = Counter(predicted[item] for item in gold)
    gold_sizes = Counter(gold.values())
    total = len(gold)
    precision = ratio(sum(n * n / predicted_sizes[s] for (s, _), n in cells.items()), total)
    recall = ratio(sum(n * n / gold_sizes[g] for (_, g), n in cells.items()), total)
    return precision, recall


def _pairs(n: int) -> int:
    return n * (n - 1) // 2

"""Score near-duplicate story detection and quotation clustering: ``newsbeam eval-stories``.

The story set (:mod:`pipeline.evaluation.story_set`) holds every BBC article, with copies of a
sample of them made the way outlets make copies; each article's body, in arrival order, goes
through :func:`pipeline.stories.similarity.cluster_stories`. Reported: pairwise precision, recall
and F1 over pairs of articles in one story, B-cubed, the recall of each edit (share of copies put in
their base's story), the corpus's own duplicates found, and the wrong joins by kind. The quotation
measure (:mod:`pipeline.evaluation.story_quotes`) runs the extractor on a smaller sample.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.evaluation.corpora import BBC_NEWS, DEFAULT_MODEL, EvaluationDataMissing, corpus_path
from pipeline.evaluation.metrics import PRF, bcubed, f1, ratio, same_cluster_pairs
from pipeline.evaluation.story_set import DEFAULT_SAMPLE, DEFAULT_SEED, StorySet, build_story_set, read_bbc

DEFAULT_QUOTE_SAMPLE = 40
# The targets (#15).
TARGETS = {"story precision": 0.98, "story recall": 0.95, "quotation precision": 0.98}
_SHOWN_ERRORS = 10


@dataclass(frozen=True)
class StoryScores:
    articles: int
    stories: int  # gold stories
    pairwise: PRF
    bcubed: PRF
    gold_pairs: int
    predicted_pairs: int
    edit_recall: dict[str, tuple[int, int]]  # edit -> (copies in their base's story, copies)
    corpus_found: dict[str, tuple[int, int]]  # "exact" | "near" | "revision" -> (pairs joined, pairs)
    wrong_joins: dict[str, int]  # kind of pair ("copy/distinct", ...) -> wrongly joined pairs
    missed: list[str] = field(default_factory=list)  # some copies not in their base's story
    joined: list[str] = field(default_factory=list)  # some wrongly joined pairs


def prf(both: int, predicted: int, gold: int) -> PRF:
    precision, recall = ratio(both, predicted), ratio(both, gold)
    return PRF(precision, recall, f1(precision, recall))


def score_stories(story_set: StorySet, predicted: Mapping[str, str]) -> StoryScores:
    """The scores of ``predicted`` (article id -> story id) on ``story_set``."""
    gold = story_set.gold()
    ignored = frozenset(frozenset(_gold_stories(gold, pair)) for pair in story_set.revisions)
    both, predicted_pairs, gold_pairs = same_cluster_pairs(gold, predicted, ignore=ignored)
    b_precision, b_recall = bcubed(gold, predicted)

    edits: dict[str, list[int]] = {}
    missed = []
    for article in story_set.articles:
        if article.story != article.article_id and article.edit not in ("corpus-duplicate", "distinct"):
            label = article.edit if "+" not in article.edit else "combination"
            found = predicted[article.article_id] == predicted[article.story]
            counts = edits.setdefault(label, [0, 0])
            counts[0] += found
            counts[1] += 1
            if not found:
                missed.append(f"{article.article_id} ({article.edit})")
    corpus: dict[str, list[int]] = {}
    for a, b, kind in story_set.corpus_pairs:
        _tally(corpus, kind, predicted[a] == predicted[b])
    for a, b in story_set.revisions:
        _tally(corpus, "revision", predicted[a] == predicted[b])
    wrong, joined = _wrong_joins(story_set, predicted, ignored)
    return StoryScores(
        articles=len(gold),
        stories=len(set(gold.values())),
        pairwise=prf(both, predicted_pairs, gold_pairs),
        bcubed=PRF(b_precision, b_recall, f1(b_precision, b_recall)),
        gold_pairs=gold_pairs,
        predicted_pairs=predicted_pairs,
        edit_recall={label: (found, total) for label, (found, total) in sorted(edits.items())},
        corpus_found={kind: (found, total) for kind, (found, total) in sorted(corpus.items())},
        wrong_joins=dict(sorted(wrong.items())),
        missed=missed,
        joined=joined,
    )


def _gold_stories(gold: Mapping[str, str], pair: tuple[str, str]) -> tuple[str, str]:
    return gold[pair[0]], gold[pair[1]]


def _tally(counts: dict[str, list[int]], key: str, hit: bool) -> None:
    pair = counts.setdefault(key, [0, 0])
    pair[0] += hit
    pair[1] += 1


def _wrong_joins(story_set: StorySet, predicted: Mapping[str, str],
                 ignored: frozenset[frozenset[str]]) -> tuple[Counter[str], list[str]]:
    """Pairs in one predicted story but not one gold story, counted by the kinds of the two articles
    (a copy of a base, a base itself, a distinct or corpus-duplicate article)."""
    members: dict[str, list] = {}
    for article in story_set.articles:
        members.setdefault(predicted[article.article_id], []).append(article)
    wrong: Counter[str] = Counter()
    story_pairs: Counter[tuple[str, str]] = Counter()
    for cluster in members.values():
        for index, a in enumerate(cluster):
            for b in cluster[index + 1:]:
                if a.story == b.story or frozenset((a.story, b.story)) in ignored:
                    continue
                donated = story_set.donors.get(a.article_id) == b.article_id or story_set.donors.get(b.article_id) == a.article_id
                kind = "update/its donor" if donated else "/".join(sorted((_kind(a.edit), _kind(b.edit))))
                wrong[kind] += 1
                first, second = sorted((a.story, b.story))
                story_pairs[(first, second)] += 1
    # One line per pair of gold stories: a base wrongly joined drags its copies along.
    shown = [f"{first} + {second}: {count} pair(s)" for (first, second), count in story_pairs.most_common(_SHOWN_ERRORS)]
    return wrong, shown


def _kind(edit: str) -> str:
    return edit if edit in ("base", "distinct", "corpus-duplicate") else "copy"


def evaluate_stories(story_set: StorySet) -> StoryScores:
    """Run the story clustering over the set's bodies in arrival order and score it."""
    from pipeline.stories.similarity import cluster_stories

    predicted = cluster_stories([(article.article_id, article.body) for article in story_set.articles])
    return score_stories(story_set, predicted)


# -- output --------------------------------------------------------------------------------------

def format_stories(result: StoryScores) -> str:
    p, b = result.pairwise, result.bcubed
    rows = [
        f"articles {result.articles}, gold stories {result.stories}, gold pairs {result.gold_pairs}, "
        f"predicted pairs {result.predicted_pairs}",
        f"{'':<18} {'P':>6} {'R':>6} {'F1':>6}",
        f"{'pairwise':<18} {p.precision:>6.3f} {p.recall:>6.3f} {p.f1:>6.3f}   "
        f"(targets P >= {TARGETS['story precision']}, R >= {TARGETS['story recall']})",
        f"{'B-cubed':<18} {b.precision:>6.3f} {b.recall:>6.3f} {b.f1:>6.3f}",
        "recall by edit (copy in its base's story):",
    ]
    rows += [f"  {label:<16} {found:>4}/{total:<4} {ratio(found, total):.3f}" for label, (found, total) in result.edit_recall.items()]
    rows.append("corpus duplicates joined:")
    rows += [f"  {kind:<16} {found:>4}/{total:<4} {ratio(found, total):.3f}" + ("  (not scored)" if kind == "revision" else "")
             for kind, (found, total) in result.corpus_found.items()]
    rows.append("wrong joins: " + (", ".join(f"{kind} {count}" for kind, count in result.wrong_joins.items()) or "none"))
    rows += [f"  {pair}" for pair in result.joined]
    if result.missed:
        rows.append(f"missed copies ({len(result.missed)}): " + ", ".join(result.missed[:_SHOWN_ERRORS])
                    + (" ..." if len(result.missed) > _SHOWN_ERRORS else ""))
    return "\n".join(rows)


def _rounded(value: object) -> object:
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    return round(value, 4) if isinstance(value, float) else value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbeam eval-stories", description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, help=f"the bbc-news folder (default: $NEWSBEAM_EVAL_DATA/{BBC_NEWS})")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="base articles copied (default: %(default)s)")
    parser.add_argument("--quote-sample", type=int, default=DEFAULT_QUOTE_SAMPLE,
                        help="base articles whose copies the quotation measure extracts; 0 skips it (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="draws the bases, edits and arrival order")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy pipeline name or path (quotation measure)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        folder = corpus_path(BBC_NEWS, args.bbc)
    except EvaluationDataMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    corpus = read_bbc(folder)
    if not corpus:
        print(f"error: no BBC articles under {folder}", file=sys.stderr)
        return 2
    try:
        import pipeline.stories.similarity  # noqa: F401 - say it plainly when the module is absent
    except ImportError as error:
        print(f"error: no story clustering to score: {error}", file=sys.stderr)
        return 2
    story_set = build_story_set(corpus, sample=args.sample, seed=args.seed)
    stories = evaluate_stories(story_set)
    quotations = None
    if args.quote_sample > 0:
        from pipeline.evaluation.story_quotes import evaluate_quotations
        from pipeline.nlp.model import ModelNotFound

        try:
            quotations = evaluate_quotations(corpus, sample=args.quote_sample, seed=args.seed, model=args.model,
                                             story_sample=args.sample)
        except ModelNotFound as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if args.json:
        document = {"sample": args.sample, "seed": args.seed, "targets": TARGETS, "stories": _rounded(asdict(stories))}
        if quotations is not None:
            document["quotations"] = _rounded(asdict(quotations))
        print(json.dumps(document, indent=2))
        return 0
    print(f"BBC story set: {args.sample} bases copied, seed {args.seed}")
    print(format_stories(stories))
    if quotations is not None:
        from pipeline.evaluation.story_quotes import format_quotations

        print(f"\nquotations: {args.quote_sample} bases and their copies, model {args.model}")
        print(format_quotations(quotations))
    return 0


if __name__ == "__main__":
    sys.exit(main())

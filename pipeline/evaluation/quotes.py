"""Evaluate the quote extractor on PolNeAR: ``newsbeam eval-quotes --split dev``.

Runs the shipped extractor (spaCy through ``nlp.pipe``, then entities and quotes) over the primary
annotation of each article and prints, for direct+mixed quotes and for all attributions, at
overlap thresholds 0.3 and 0.8: precision, recall, F1, speaker accuracy and who-said-what F1.
Scoring is in :mod:`pipeline.evaluation.quote_scoring`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.evaluation.corpora import DEFAULT_MODEL, POLNEAR, EvaluationDataMissing, corpus_path
from pipeline.evaluation.quote_scoring import Attribution, Counts, Scores, count, scores
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.model import ModelNotFound, load_model
from pipeline.nlp.quotes import extract_quotes
from pipeline.records import Quote

THRESHOLDS = (0.3, 0.8)
SUBSETS = ("direct+mixed", "all")
_QUOTED_KINDS = frozenset({"direct", "mixed"})


@dataclass(frozen=True)
class GoldArticle:
    doc_id: str
    text: str
    attributions: tuple[Attribution, ...]
    quoted: tuple[bool, ...]  # per attribution: the content has double quote marks (direct or mixed)


def load_articles(path: Path, *, limit: int | None = None, two_apostrophes: bool = False) -> list[GoldArticle]:
    """The primary annotation of each article in a derived PolNeAR ``.jsonl`` file.

    ``two_apostrophes`` also counts content quoted with '' as direct or mixed: the corpus flag
    looks only for “, ” and ", but the NYT articles quote with '' (1,200 attributions in train,
    86 in dev), which the extractor rightly reads as quote marks.
    """
    articles = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if not record.get("primary"):
                continue
            gold = [_gold_attribution(item, two_apostrophes) for item in record["attributions"] if item["content"]]
            articles.append(GoldArticle(
                doc_id=record["doc_id"],
                text=record["text"],
                attributions=tuple(attribution for attribution, _ in gold),
                quoted=tuple(quoted for _, quoted in gold),
            ))
            if limit is not None and len(articles) >= limit:
                break
    return articles


def _gold_attribution(item: dict, two_apostrophes: bool) -> tuple[Attribution, bool]:
    sources = tuple((span["start"], span["end"]) for span in item["source"])
    attribution = Attribution(
        content=tuple((span["start"], span["end"]) for span in item["content"]),
        speaker=sources[0] if sources else None,
        gold_sources=sources,
    )
    quoted = bool(item["content_has_double_quote_marks"])
    if two_apostrophes:
        quoted = quoted or any("''" in span["text"] for span in item["content"])
    return attribution, quoted


def predict(texts: Iterable[str], *, model: str, batch_size: int = 16) -> Iterator[tuple[Quote, ...]]:
    """The extractor's quotes for each text, in order."""
    nlp = load_model(model)
    for number, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
        article_id = f"eval-{number}"
        yield extract_quotes(doc, extract_entities(doc, article_id), article_id)


def as_attribution(quote: Quote) -> Attribution:
    speaker = None
    if quote.speaker_start is not None and quote.speaker_end is not None:
        speaker = (quote.speaker_start, quote.speaker_end)
    return Attribution(content=tuple((span.start, span.end) for span in quote.spans), speaker=speaker)


def article_counts(article: GoldArticle, quotes: Sequence[Quote]) -> dict[tuple[str, float], Counts]:
    """Counts of one article for each (subset, threshold)."""
    predicted_all = [as_attribution(quote) for quote in quotes]
    predicted_quoted = [as_attribution(quote) for quote in quotes if quote.kind in _QUOTED_KINDS]
    gold_quoted = [item for item, quoted in zip(article.attributions, article.quoted) if quoted]
    pairs = {"direct+mixed": (gold_quoted, predicted_quoted), "all": (list(article.attributions), predicted_all)}
    return {
        (subset, threshold): count(article.text, gold, predicted, threshold=threshold)
        for subset, (gold, predicted) in pairs.items()
        for threshold in THRESHOLDS
    }


def evaluate(articles: Sequence[GoldArticle], *, model: str) -> dict[tuple[str, float], Scores]:
    """Run the extractor over the articles and score it."""
    return score(articles, predict((article.text for article in articles), model=model))


def score(articles: Sequence[GoldArticle], predictions: Iterable[Sequence[Quote]]) -> dict[tuple[str, float], Scores]:
    """Scores per (subset, threshold) of the predicted quotes of each article, in order."""
    totals = {(subset, threshold): Counts() for subset in SUBSETS for threshold in THRESHOLDS}
    for article, quotes in zip(articles, predictions):
        for key, counts in article_counts(article, quotes).items():
            totals[key] = totals[key] + counts
    return {key: scores(counts) for key, counts in totals.items()}


def format_table(results: dict[tuple[str, float], Scores]) -> str:
    header = f"{'subset':<13} {'overlap':>7} {'P':>6} {'R':>6} {'F1':>6} {'spk acc':>7} {'who-said-what F1':>16}"
    rows = [header, "-" * len(header)]
    for (subset, threshold), result in results.items():
        rows.append(
            f"{subset:<13} {threshold:>7.1f} {result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f} "
            f"{result.speaker_accuracy:>7.3f} {result.who_said_what_f1:>16.3f}"
        )
    return "\n".join(rows)


def as_json(results: dict[tuple[str, float], Scores], *, split: str, articles: int, two_apostrophes: bool) -> str:
    nested: dict[str, dict[str, dict[str, float]]] = {}
    for (subset, threshold), result in results.items():
        nested.setdefault(subset, {})[str(threshold)] = {key: round(value, 4) for key, value in asdict(result).items()}
    summary = {"split": split, "articles": articles, "two_apostrophes": two_apostrophes, "scores": nested}
    return json.dumps(summary, indent=2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbeam eval-quotes", description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    parser.add_argument("--data", type=Path, help=f"folder with the derived {{train,dev}}.jsonl (default: $NEWSBEAM_EVAL_DATA/{POLNEAR})")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy pipeline name or path")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N articles")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument(
        "--two-apostrophes", action="store_true",
        help="count gold content quoted with '' (NYT) as direct+mixed too; the corpus flag does not",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        path = corpus_path(POLNEAR, args.data) / f"{args.split}.jsonl"
    except EvaluationDataMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not path.is_file():
        print(f"error: no PolNeAR data at {path}", file=sys.stderr)
        return 2
    articles = load_articles(path, limit=args.limit, two_apostrophes=args.two_apostrophes)
    try:
        results = evaluate(articles, model=args.model)
    except ModelNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(as_json(results, split=args.split, articles=len(articles), two_apostrophes=args.two_apostrophes))
    else:
        marks = ", gold direct+mixed includes ''-quoted content" if args.two_apostrophes else ""
        print(f"PolNeAR {args.split}: {len(articles)} articles, model {args.model}{marks}")
        print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

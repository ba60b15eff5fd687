"""Speaker checks on real articles: ``python -m pipeline.evaluation.speakers --gold tests/fixtures/pronoun_gold.tsv``.

Two measures of the quotes' ``speaker`` column, which must hold a resolved name or nothing:

- how many quotes have a pronoun or relative ("I", "it", "they", "who", "which") as ``speaker``,
  on BBC politics (read as newsbeam reads the files) and on PolNeAR's articles (target 0);
- how often a quote whose speaker is written as a pronoun resolves to the right person, against
  the hand-labelled BBC set ``tests/fixtures/pronoun_gold.tsv`` (file, quote start, quote end,
  right name or "none"; offsets into the article body newsbeam reads).  Where the entity
  recogniser splits one person into two entities ("Lady Boothroyd", "Betty Boothroyd") the right
  names are listed with "|" between them: either is that person.

Nothing here is a test; ``tests/unit/test_speakers.py`` runs the second measure against a floor.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipeline.config import load_settings
from pipeline.evaluation.corpora import BBC_NEWS, DEFAULT_MODEL, POLNEAR, EvaluationDataMissing, corpus_path
from pipeline.evaluation.quotes import load_articles
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.lang import lexicon_for
from pipeline.nlp.model import load_model
from pipeline.nlp.quotes import extract_quotes
from pipeline.nlp.quotes.speakers import is_pronoun
from pipeline.parse import parse_document
from pipeline.records import Article, Quote
from pipeline.sources.files import read_file

# How a speaker written as a pronoun looks (the set the hand-labelled resolution sample was drawn from).
PERSONAL_PRONOUNS = frozenset({"he", "him", "she", "her", "they", "them", "we", "us"})
SAMPLE_SIZE, SAMPLE_SEED = 150, 10
NO_SPEAKER = "none"


@dataclass(frozen=True)
class GoldQuote:
    file: str  # relative to the bbc-news folder
    start: int  # first character of the quote's first span, in the article body
    end: int  # last character (exclusive) of its last span
    speakers: frozenset[str | None]  # the right names of one person, or {None} when no named person is right


def bbc_politics(folder: Path) -> list[str]:
    """The politics files, relative to the bbc-news folder, in order."""
    return [str(path.relative_to(folder)) for path in sorted((folder / "bbc" / "politics").glob("*.txt"))]


def read_bodies(folder: Path, files: Iterable[str]) -> Iterator[tuple[str, Article]]:
    """(file, article) for each file, read and parsed as the pipeline reads it (one article a file)."""
    settings = load_settings().input
    now = datetime.now(timezone.utc)
    for name in files:
        raw = read_file(str(folder / name), max_bytes=settings.max_file_bytes)
        for result in parse_document(raw, settings, ingested_at=now):
            if isinstance(result, Article):
                yield name, result


def quotes_of(texts: Sequence[str], *, model: str = DEFAULT_MODEL, batch_size: int = 16) -> list[tuple[Quote, ...]]:
    """The extractor's quotes for each text, as the pipeline finds them."""
    nlp = load_model(model)
    found = []
    for number, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
        article_id = f"check-{number}"
        found.append(extract_quotes(doc, extract_entities(doc, article_id), article_id))
    return found


def pronoun_speakers(quotes: Iterable[Quote]) -> int:
    """Quotes whose ``speaker`` is a pronoun or relative rather than a name."""
    return sum(quote.speaker is not None and is_pronoun(quote.speaker, lexicon_for("en")) for quote in quotes)


def extent(quote: Quote) -> tuple[int, int]:
    return quote.spans[0].start, quote.spans[-1].end


def pronoun_sample(found: Sequence[tuple[str, tuple[Quote, ...]]], *, count: int = SAMPLE_SIZE,
                   seed: int = SAMPLE_SEED) -> list[tuple[str, Quote]]:
    """(file, quote) for ``count`` quotes, drawn with ``seed``, whose speaker is written as a
    personal pronoun and resolved to someone: what the gold set labels (drawn from the extractor
    before the speaker rules of docs/quotes.md, so a newer extractor draws other quotes)."""
    pool = [
        (name, quote) for name, quotes in found for quote in quotes
        if (quote.speaker_mention or "").lower() in PERSONAL_PRONOUNS and quote.speaker_entity_id is not None
    ]
    return sorted(random.Random(seed).sample(pool, min(count, len(pool))), key=lambda item: (item[0], extent(item[1])))


def load_gold(path: Path) -> list[GoldQuote]:
    with path.open(encoding="utf-8", newline="") as rows:
        return [
            GoldQuote(row["file"], int(row["start"]), int(row["end"]), _names(row["speaker"]))
            for row in csv.DictReader(rows, delimiter="\t")
        ]


def resolution_accuracy(gold: Sequence[GoldQuote], found: dict[str, tuple[Quote, ...]]) -> float:
    """Share of gold quotes whose speaker is right: the quote at the same offsets has that name, or
    (gold "none") has no name or is no longer a quote at all."""
    right = 0
    for item in gold:
        quote = next((quote for quote in found.get(item.file, ()) if extent(quote) == (item.start, item.end)), None)
        speaker = quote.speaker if quote is not None else None
        right += speaker in item.speakers
    return right / len(gold) if gold else 0.0


def _names(cell: str) -> frozenset[str | None]:
    return frozenset(None if name == NO_SPEAKER else name for name in cell.split("|"))


def gold_accuracy(folder: Path, gold_path: Path, *, model: str = DEFAULT_MODEL) -> float:
    gold = load_gold(gold_path)
    files = sorted({item.file for item in gold})
    articles = list(read_bodies(folder, files))
    quotes = quotes_of([article.body for _, article in articles], model=model)
    return resolution_accuracy(gold, {name: found for (name, _), found in zip(articles, quotes)})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, help=f"the bbc-news folder (default: $NEWSBEAM_EVAL_DATA/{BBC_NEWS})")
    parser.add_argument("--polnear", type=Path,
                        help=f"a derived PolNeAR .jsonl file (default: $NEWSBEAM_EVAL_DATA/{POLNEAR}/dev.jsonl)")
    parser.add_argument("--gold", type=Path, help="the hand-labelled pronoun set (the tests keep it in tests/fixtures/)")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--sample", action="store_true",
                        help="print the pronoun-speaker quotes to label (file, start, end, predicted name) and stop")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.bbc = corpus_path(BBC_NEWS, args.bbc)
        args.polnear = corpus_path(f"{POLNEAR}/dev.jsonl", args.polnear)
    except EvaluationDataMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not (args.bbc / "bbc" / "politics").is_dir() or not args.polnear.is_file():
        print(f"error: no BBC politics under {args.bbc} or no PolNeAR file at {args.polnear}", file=sys.stderr)
        return 2
    articles = list(read_bodies(args.bbc, bbc_politics(args.bbc)))
    bbc = quotes_of([article.body for _, article in articles], model=args.model)
    if args.sample:
        for name, quote in pronoun_sample([(name, quotes) for (name, _), quotes in zip(articles, bbc)]):
            print(name, *extent(quote), quote.speaker, sep="\t")
        return 0
    polnear = quotes_of([article.text for article in load_articles(args.polnear)], model=args.model)
    for name, found in (("BBC politics", bbc), (f"PolNeAR {args.polnear.stem}", polnear)):
        quotes = [quote for article in found for quote in article]
        print(f"{name}: {pronoun_speakers(quotes)} of {len(quotes)} quotes have a pronoun or relative as speaker")
    if args.gold is not None and args.gold.is_file():
        print(f"pronoun resolution accuracy on {args.gold.name}: {gold_accuracy(args.bbc, args.gold, model=args.model):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

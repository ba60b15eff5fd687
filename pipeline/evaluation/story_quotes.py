"""Quotation clustering on copies of one story: does each quote of a copy join the base's quote?

For a sample of the story set's bases (:mod:`pipeline.evaluation.story_set`), the shipped extractor
runs over the base and each of its copies (the model loaded once). Each story's quotes go, in the
story's arrival order, through :func:`pipeline.stories.quotations.cluster_quotations`, as the commit
does for articles it puts in one story; quotation ids of different stories are compared as they
are (an exact quotation id is dataset-wide).

Gold, defined from how the copies were built (every paragraph of a copy knows the base paragraph it
came from):

- each quote of a base is a quotation of its own;
- a quote of a copy is the same quotation as the base quote, among those in the base paragraphs its
  own paragraphs came from, whose content words it overlaps most, when that overlap is 0.5 or more
  (overlap: shared content words over the smaller quote's content words, stop words left out);
- ties on that overlap (a one-word quote lies wholly inside several) go to the candidate with the
  higher Jaccard overlap, the one closest in size;
- a quote wholly in an outlet's own text (a note or boilerplate line the extractor reads as a
  quote) is one quotation with every quote of the same words (case and punctuation folded);
- any other quote (in an update's new paragraphs, or one the extractor reads so differently in the
  copy that it overlaps no base quote of its paragraphs by half) is a quotation of its own.

Gold ignores the extracted speaker on purpose: a copy's quote is the same words by the same person
even where the extractor resolves its speaker differently. Cross-story negatives: short articles
in which different named people say the same phrase; gold keeps every one apart, and they go
through clustering together, as if one story (the harshest case).

Reported: pairwise precision and recall over pairs of quotes, and the joined pairs whose two speakers
are both named and have different surnames (target: none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from pipeline.evaluation.corpora import DEFAULT_MODEL
from pipeline.evaluation.metrics import f1, ratio, same_cluster_pairs
from pipeline.evaluation.story_set import DEFAULT_SAMPLE, DEFAULT_SEED, Article, Paragraph, Source, build_story_set

GOLD_OVERLAP = 0.5
_WORD = re.compile(r"\w+")
_SHOWN = 10

# (phrase, ((speaker, how the sentence names them), ...)): the same words said by different people.
NEGATIVE_PHRASES = (
    "We are very disappointed with the result.",
    "This is a great day for everyone involved.",
    "We will look very carefully at all the options.",
    "It was a difficult decision.",
    "Thank you very much.",
    "We have done nothing wrong.",
)
NEGATIVE_SPEAKERS = (
    ("Peter Walsh", "the chief executive of Northern Rail"),
    ("Margaret Hughes", "the health minister"),
    ("David Okafor", "the Leeds United manager"),
)


@dataclass(frozen=True)
class FoundQuote:
    quote_id: str
    article_id: str
    text: str
    speaker: Optional[str]
    sources: frozenset[tuple[str, int]]  # the corpus paragraphs its spans fall in (outlet text: none)


@dataclass(frozen=True)
class QuotationScores:
    stories: int
    articles: int
    quotes: int
    precision: float
    recall: float
    f1: float
    gold_pairs: int
    predicted_pairs: int
    different_speaker_joins: int  # target 0
    different_speaker_joins_same_gold: int  # of those, pairs gold calls one quotation (the speaker read differently)
    gold_pairs_different_speakers: int  # gold pairs the extractor gave two different named speakers
    negative_quotes: int  # quotes found in the cross-story negatives
    negative_joins: int  # pairs of them joined (all are different people)
    speakers: list[str] = field(default_factory=list)  # some joined pairs with different speakers
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def content_words(text: str) -> frozenset[str]:
    """The quote's words less stop words; all its words when it has only stop words ("them")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = frozenset(_WORD.findall(text.casefold()))
    return frozenset(word for word in words if word not in STOP_WORDS) or words


def word_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return ratio(len(a & b), min(len(a), len(b)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return ratio(len(a & b), len(a | b))


def surname(speaker: Optional[str]) -> str:
    """The folded last word of a speaker's name; "" when there is none. Independent of the module
    under test, so that the different-speaker count does not share its definition."""
    words = _WORD.findall((speaker or "").casefold())
    return words[-1] if words else ""


def negative_articles() -> list[Article]:
    """One short article per (phrase, speaker), quoting the phrase with the speaker named."""
    articles = []
    for p, phrase in enumerate(NEGATIVE_PHRASES):
        for s, (name, role) in enumerate(NEGATIVE_SPEAKERS):
            article_id = f"negative/{p}-{s}"
            lead = (f'{name}, {role}, said: "{phrase}"' if (p + s) % 2 == 0
                    else f'"{phrase[:-1]}," {name}, {role}, told reporters.')
            rest = "The remarks came on Tuesday after a meeting that lasted most of the afternoon. Further talks are planned."
            articles.append(Article(article_id, article_id, "negative", "negative", "",
                                    (Paragraph(lead, None), Paragraph(rest, None))))
    return articles


def extract_found(articles: Sequence[Article], *, model: str = DEFAULT_MODEL, batch_size: int = 16) -> dict[str, list[FoundQuote]]:
    """The extractor's quotes of each article, with the corpus paragraphs they fall in."""
    from pipeline.nlp.entities import extract_entities
    from pipeline.nlp.model import load_model
    from pipeline.nlp.quotes import extract_quotes

    nlp = load_model(model)
    found: dict[str, list[FoundQuote]] = {}
    for article, doc in zip(articles, nlp.pipe((article.body for article in articles), batch_size=batch_size)):
        starts = _paragraph_starts(article.paragraphs)
        quotes = extract_quotes(doc, extract_entities(doc, article.article_id), article.article_id)
        found[article.article_id] = [
            FoundQuote(
                quote_id=f"{article.article_id}#{number}",
                article_id=article.article_id,
                text=quote.text,
                speaker=quote.speaker,
                sources=frozenset(
                    source for span in quote.spans
                    for source in _sources_between(article.paragraphs, starts, span.start, span.end) if source is not None
                ),
            )
            for number, quote in enumerate(quotes)
        ]
    return found


def _paragraph_starts(paragraphs: Sequence[Paragraph]) -> list[int]:
    starts, offset = [], 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph.text) + 2  # the body joins paragraphs with a blank line
    return starts


def _sources_between(paragraphs: Sequence[Paragraph], starts: Sequence[int], start: int, end: int) -> list[Source]:
    return [paragraph.source for paragraph, first in zip(paragraphs, starts)
            if first < end and start < first + len(paragraph.text)]


def gold_quotations(base: str, story: Sequence[str], found: Mapping[str, list[FoundQuote]]) -> dict[str, str]:
    """Gold quotation per quote of one story (the base article ``base`` and its copies)."""
    base_quotes = found[base]
    gold = {quote.quote_id: quote.quote_id for quote in base_quotes}
    words = {quote.quote_id: content_words(quote.text) for quote in base_quotes}
    for article_id in story:
        if article_id == base:
            continue
        for quote in found[article_id]:
            mine = content_words(quote.text)
            if not quote.sources:
                # All in the outlet's own text (a note the extractor reads as a quote): the same
                # words there are one quotation, whichever copies carry them.
                gold[quote.quote_id] = "outlet:" + " ".join(_WORD.findall(quote.text.casefold()))
                continue
            # Ties on overlap (a one-word quote is wholly inside several) go to the closest in size.
            candidates = [(word_overlap(mine, words[other.quote_id]), jaccard(mine, words[other.quote_id]), -index, other.quote_id)
                          for index, other in enumerate(base_quotes) if other.sources & quote.sources]
            best = max(candidates, default=None)
            gold[quote.quote_id] = best[3] if best is not None and best[0] >= GOLD_OVERLAP else quote.quote_id
    return gold


def _different_speakers(a: FoundQuote, b: FoundQuote) -> bool:
    return bool(surname(a.speaker)) and bool(surname(b.speaker)) and surname(a.speaker) != surname(b.speaker)


def score_quotations(groups: Sequence[Sequence[str]], found: Mapping[str, list[FoundQuote]],
                     gold: Mapping[str, str], predicted: Mapping[str, str], *, negatives: Sequence[str] = ()) -> QuotationScores:
    """Pairwise scores of ``predicted`` (quote id -> quotation id; a quote it leaves out is a
    quotation of its own) against ``gold``, with the different-speaker joins."""
    quotes = {quote.quote_id: quote for group in groups for article_id in group for quote in found[article_id]}
    system = {quote_id: predicted.get(quote_id, f"unclustered:{quote_id}") for quote_id in quotes}
    both, predicted_pairs, gold_pairs = same_cluster_pairs({quote_id: gold[quote_id] for quote_id in quotes}, system)
    members: dict[str, list[FoundQuote]] = {}
    for quote_id, quotation in system.items():
        members.setdefault(quotation, []).append(quotes[quote_id])
    different = different_gold = 0
    speakers: list[str] = []
    wrong: list[str] = []
    negative_ids = {quote.quote_id for article_id in negatives for quote in found[article_id]}
    negative_joins = 0
    for cluster in members.values():
        for index, a in enumerate(cluster):
            for b in cluster[index + 1:]:
                if _different_speakers(a, b):
                    different += 1
                    different_gold += gold[a.quote_id] == gold[b.quote_id]
                    if len(speakers) < _SHOWN:
                        speakers.append(f"{a.quote_id} [{a.speaker}] {a.text[:60]!r} + {b.quote_id} [{b.speaker}] {b.text[:60]!r}")
                if a.quote_id in negative_ids and b.quote_id in negative_ids:
                    negative_joins += 1
                if gold[a.quote_id] != gold[b.quote_id] and len(wrong) < _SHOWN:
                    wrong.append(f"{a.quote_id} [{a.speaker}] {a.text[:60]!r} + {b.quote_id} [{b.speaker}] {b.text[:60]!r}")
    missed = []
    by_gold: dict[str, list[FoundQuote]] = {}
    for quote_id, quotation in gold.items():
        if quote_id in quotes:
            by_gold.setdefault(quotation, []).append(quotes[quote_id])
    unjoinable = sum(_different_speakers(a, b) for cluster in by_gold.values()
                     for index, a in enumerate(cluster) for b in cluster[index + 1:])
    for cluster in by_gold.values():
        for quote in cluster[1:]:
            if system[quote.quote_id] != system[cluster[0].quote_id] and len(missed) < _SHOWN:
                missed.append(f"{cluster[0].quote_id} [{cluster[0].speaker}] {cluster[0].text[:60]!r} / "
                              f"{quote.quote_id} [{quote.speaker}] {quote.text[:60]!r}")
    precision, recall = ratio(both, predicted_pairs), ratio(both, gold_pairs)
    return QuotationScores(
        stories=len(groups), articles=sum(len(group) for group in groups), quotes=len(quotes),
        precision=precision, recall=recall, f1=f1(precision, recall),
        gold_pairs=gold_pairs, predicted_pairs=predicted_pairs, different_speaker_joins=different,
        different_speaker_joins_same_gold=different_gold, gold_pairs_different_speakers=unjoinable,
        negative_quotes=len(negative_ids), negative_joins=negative_joins, speakers=speakers, wrong=wrong, missed=missed,
    )


def evaluate_quotations(corpus: Mapping[str, Article], *, sample: int = 40, seed: int = DEFAULT_SEED,
                        model: str = DEFAULT_MODEL, story_sample: int = DEFAULT_SAMPLE) -> QuotationScores:
    """Extract, cluster per story and score the first ``sample`` bases of the story set of
    ``story_sample`` bases drawn with ``seed`` (the bases are drawn round robin over the
    categories, so any prefix mixes them)."""
    from pipeline.stories.quotations import cluster_quotations

    story_set = build_story_set(corpus, sample=max(sample, story_sample), seed=seed)
    chosen = set(story_set.bases[:sample])
    stories: dict[str, list[Article]] = {}
    for article in story_set.articles:  # arrival order
        if article.story in chosen:
            stories.setdefault(article.story, []).append(article)
    negatives = negative_articles()
    everything = [article for story in stories.values() for article in story] + negatives
    found = extract_found(everything, model=model)

    gold: dict[str, str] = {}
    predicted: dict[str, str] = {}
    groups: list[list[str]] = []
    for base, story in stories.items():
        ids = [article.article_id for article in story]
        groups.append(ids)
        gold.update(gold_quotations(base, ids, found))
        predicted.update(cluster_quotations([(q.quote_id, q.text, q.speaker) for i in ids for q in found[i]]))
    negative_ids = [article.article_id for article in negatives]
    groups.append(negative_ids)
    gold.update({quote.quote_id: quote.quote_id for i in negative_ids for quote in found[i]})
    predicted.update(cluster_quotations([(q.quote_id, q.text, q.speaker) for i in negative_ids for q in found[i]]))
    return score_quotations(groups, found, gold, predicted, negatives=negative_ids)


def format_quotations(result: QuotationScores) -> str:
    rows = [
        f"stories {result.stories} (the last: the cross-story negatives), articles {result.articles}, quotes {result.quotes}, "
        f"gold pairs {result.gold_pairs}, predicted pairs {result.predicted_pairs}",
        f"pairwise P {result.precision:.3f}  R {result.recall:.3f}  F1 {result.f1:.3f}   (target P >= 0.98)",
        f"joined pairs with different named speakers: {result.different_speaker_joins}   (target 0; "
        f"{result.different_speaker_joins_same_gold} of them one quotation in gold, the speaker read differently in a copy)",
        f"gold pairs whose two quotes the extractor gave different named speakers: {result.gold_pairs_different_speakers}",
        f"cross-story negatives: {result.negative_quotes} quotes found, {result.negative_joins} pairs joined",
    ]
    if result.speakers:
        rows.append("joined with different speakers:")
        rows += [f"  {line}" for line in result.speakers]
    if result.wrong:
        rows.append("wrong joins:")
        rows += [f"  {line}" for line in result.wrong]
    if result.missed:
        rows.append("missed (first few):")
        rows += [f"  {line}" for line in result.missed]
    return "\n".join(rows)

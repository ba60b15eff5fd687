"""Quotes of one article: who said what, with the cue and the speaker resolved to an entity.

Conventions of the output (see docs/quotes.md):

- ``Quote.spans`` are character spans into ``doc.text``.  For a direct quote they cover the text
  between the outer quote marks, without the marks (one span per fragment of a split quote and
  per paragraph of a multi-paragraph quote); for mixed and indirect quotes they cover the
  reported clause, quote marks of an embedded fragment included.
- ``Quote.text`` is the text of the spans joined with a single space.
- ``Quote.speaker`` is the canonical name of the entity the speaker resolves to, or None; the
  words the text uses ("he", "a spokesman") are ``Quote.speaker_mention``.
- ``Quote.confidence`` is the product of how sure the extraction is and how sure the speaker is.
- The article's own voice is nobody's quote: an "I", "we" or "you" speaker outside quotation
  marks gives no quote, unless a speaker label opens its paragraph (``A: I think ...``), which
  then is the speaker.
"""

from __future__ import annotations

import logging

from spacy.tokens import Doc

from pipeline.nlp.lang import DEFAULT_LANGUAGE, lexicon_for
from pipeline.nlp.quotes.candidate import Candidate
from pipeline.nlp.quotes.cues import cue_class
from pipeline.nlp.quotes.direct import find_direct
from pipeline.nlp.quotes.docindex import DocIndex, SpanSet
from pipeline.nlp.quotes.fragments import find_fragment_quotes
from pipeline.nlp.quotes.indirect import find_indirect
from pipeline.nlp.quotes.labels import find_labelled, paragraph_label
from pipeline.nlp.quotes.speakers import Resolution, SpeakerRef, SpeakerResolver, is_pronoun
from pipeline.records import Entity, Quote, stable_id

__all__ = ["extract_quotes"]

_log = logging.getLogger(__name__)


def extract_quotes(
    doc: Doc, entities: tuple[Entity, ...], article_id: str, language: str = DEFAULT_LANGUAGE
) -> tuple[Quote, ...]:
    """All quotes of the article, in text order, read with the rules of ``language`` (its lexicon,
    pipeline/nlp/lang). Never raises: a failure costs quotes, not the article."""
    try:
        return _extract(doc, entities, article_id, language)
    except Exception:  # noqa: BLE001 - an odd article must never stop the pipeline
        _log.warning("quote extraction failed for article %s", article_id, exc_info=True)
        return ()


def _extract(doc: Doc, entities: tuple[Entity, ...], article_id: str, language: str) -> tuple[Quote, ...]:
    index = DocIndex(doc, entities, lexicon_for(language))
    direct = find_direct(index)
    indirect = find_indirect(index, taken=_span_set(direct))
    fragments = find_fragment_quotes(index, taken=_span_set(direct + indirect))
    labelled = find_labelled(index, taken=_span_set(direct + indirect + fragments))
    found = _one_per_span_set(direct + indirect + fragments + labelled)
    candidates = sorted(_outermost(found), key=lambda candidate: candidate.spans[0].start)
    resolver = SpeakerResolver(index, _span_set(candidates))
    quotes = []
    for candidate in candidates:
        stands_for = _who_first_person_is(index, candidate.speaker)
        if stands_for is None:
            continue  # the writer's own "I think ...", not a quote of anyone
        resolution = resolver.resolve(stands_for, candidate.spans)
        resolver.remember(candidate.speaker, candidate.spans, resolution)
        quotes.append(_to_quote(candidate, resolution, article_id, index))
    return tuple(quotes)


def _who_first_person_is(index: DocIndex, speaker: SpeakerRef) -> SpeakerRef | None:
    """The speaker to resolve: ``speaker`` itself, unless it is an "I"/"we"/"you" of the article's
    own voice (outside quotation marks), which is the paragraph's speaker label if it has one
    (an interview's ``A:``), else no one."""
    head, lexicon = speaker.head, index.lexicon
    if head.lower_ not in lexicon.first_and_second_person or not is_pronoun(head.text, lexicon) or index.in_quote(head):
        return speaker
    return paragraph_label(index, speaker.start)


def _outermost(candidates: list[Candidate]) -> list[Candidate]:
    """Drop quotes whose cue lies inside another quote's content.

    "He says he believes his campaign has momentum" is one attribution, to the outer speaker:
    what the content itself reports is part of what was said (PolNeAR never nests them either).
    """
    contents = _span_set(candidates)
    return [candidate for candidate in candidates if not contents.overlaps(candidate.cue.start, candidate.cue.end)]


def _one_per_span_set(candidates: list[Candidate]) -> list[Candidate]:
    """The first candidate for each set of spans, in finder order (direct, indirect, fragments, labelled).

    A quote's id is made of its spans: two candidates of the same words would be two quotes under one
    id, and the dataset keeps one row per id. ``taken`` keeps each finder off the quote marks an
    earlier one used, not off its words."""
    seen: set[tuple[tuple[int, int], ...]] = set()
    kept = []
    for candidate in candidates:
        key = tuple((span.start, span.end) for span in candidate.spans)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def _span_set(candidates: list[Candidate]) -> SpanSet:
    return SpanSet([(span.start, span.end) for candidate in candidates for span in candidate.spans])


def _to_quote(candidate: Candidate, resolution: Resolution, article_id: str, index: DocIndex) -> Quote:
    spans, cue, ref, text = candidate.spans, candidate.cue, candidate.speaker, index.text
    return Quote(
        quote_id=stable_id(article_id, *(f"{span.start}-{span.end}" for span in spans)),
        article_id=article_id,
        text=" ".join(text[span.start:span.end] for span in spans),
        kind=candidate.kind,
        spans=spans,
        speaker=resolution.name,
        speaker_mention=ref.text,
        speaker_start=ref.start,
        speaker_end=ref.end,
        speaker_entity_id=resolution.entity.entity_id if resolution.entity else None,
        cue=cue.lemma,
        cue_start=cue.start,
        cue_end=cue.end,
        cue_class=cue_class(cue.lemma, index.lexicon),
        confidence=round(candidate.confidence * resolution.confidence, 3),
    )

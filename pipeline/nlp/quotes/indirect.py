"""Indirect and mixed quotes: a cue with a reported clause, outside any quotation marks.

- ``X said (that) CLAUSE`` / ``CLAUSE, X said`` / ``X told reporters CLAUSE``: a verb of the cue
  lexicon with a clausal complement (``ccomp``); the content is the complement's whole subtree,
  "that" included (PolNeAR's Content starts at the complementizer).
- ``According to X, CLAUSE``: the content is the sentence without the "according to X" phrase.

When the reported clause holds a quotation in marks (Macron "confessed ... threat," Lavrov said)
the quote is *mixed*.  Clauses that are themselves inside quotation marks are left to the direct
extractor: a cue inside a quote ("As the president said, ...") never starts a quote.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.nlp.quotes.candidate import Candidate, Cue
from pipeline.nlp.quotes.cues import ACCORDING_TO, cue_lemma, is_according_to, is_cue_verb
from pipeline.nlp.quotes.docindex import DocIndex, SpanSet
from pipeline.nlp.quotes.grammar import according_to_object, subject_of
from pipeline.nlp.quotes.speakers import speaker_phrase
from pipeline.records import Span

_COMPLEMENT_DEPS = frozenset({"ccomp"})
_INDIRECT, _ACCORDING, _MIXED = 0.75, 0.8, 0.85


def find_indirect(index: DocIndex, *, taken: SpanSet) -> list[Candidate]:
    """Indirect and mixed quotes whose content does not overlap ``taken`` (the direct quotes)."""
    found = []
    for token in index.doc:
        if index.in_quote(token):
            continue
        if is_according_to(token):
            candidate = _according_to(index, token)
        elif is_cue_verb(token):
            candidate = _reported_clause(index, token)
        else:
            continue
        if candidate is not None and not any(taken.overlaps(span.start, span.end) for span in candidate.spans):
            found.append(candidate)
    return found


def _reported_clause(index: DocIndex, verb: Token) -> Candidate | None:
    complement = next((child for child in verb.children if child.dep_ in _COMPLEMENT_DEPS), None)
    speaker = subject_of(verb)
    if complement is None or speaker is None or index.in_quote(speaker):
        return None
    start, end = _subtree_span(index.doc, complement)
    spans = (Span(start, end),)
    mixed = _holds_quotation(index, start, end)
    return Candidate(
        spans=spans,
        kind="mixed" if mixed else "indirect",
        cue=Cue(cue_lemma(verb), verb.idx, verb.idx + len(verb)),
        speaker=speaker_phrase(speaker),
        confidence=_MIXED if mixed else _INDIRECT,
    )


def _according_to(index: DocIndex, according: Token) -> Candidate | None:
    source = according_to_object(according)
    if source is None:
        return None
    sentence = index.sentence_of(according)
    phrase_start, phrase_end = according.left_edge.i, according.right_edge.i + 1
    doc = index.doc
    pieces = [(sentence.start, phrase_start), (phrase_end, sentence.end)]
    spans = tuple(
        Span(*trimmed_span(doc, first, last)) for first, last in pieces if _has_words(doc, first, last)
    )
    if not spans:
        return None
    to = doc[according.i + 1]
    mixed = any(_holds_quotation(index, span.start, span.end) for span in spans)
    return Candidate(
        spans=spans,
        kind="mixed" if mixed else "indirect",
        cue=Cue(ACCORDING_TO, according.idx, to.idx + len(to)),
        speaker=speaker_phrase(source),
        confidence=_ACCORDING,
    )


def _subtree_span(doc: Doc, head: Token) -> tuple[int, int]:
    return trimmed_span(doc, head.left_edge.i, head.right_edge.i + 1)


def trimmed_span(doc: Doc, first: int, last: int) -> tuple[int, int]:
    """Character span of tokens ``[first, last)`` without edge punctuation and spaces."""
    while last - 1 > first and (doc[last - 1].is_punct or doc[last - 1].is_space) and not _is_mark(doc[last - 1]):
        last -= 1
    while first < last - 1 and (doc[first].is_punct or doc[first].is_space) and not _is_mark(doc[first]):
        first += 1
    return doc[first].idx, doc[last - 1].idx + len(doc[last - 1])


def _is_mark(token: Token) -> bool:
    return token.text in ('"', "“", "”", "''", "«", "»")


def _has_words(doc: Doc, first: int, last: int) -> bool:
    return any(token.is_alpha for token in doc[first:last])


def _holds_quotation(index: DocIndex, start: int, end: int) -> bool:
    return index.has_region_within(start, end)

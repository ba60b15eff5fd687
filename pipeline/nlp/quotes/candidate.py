"""A quote as found, before its speaker is resolved and it becomes a :class:`~pipeline.records.Quote`."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.cues import according_to_at
from pipeline.nlp.quotes.speakers import SpeakerRef
from pipeline.records import Span


@dataclass(frozen=True)
class Cue:
    lemma: str  # "say", "point out", "according to"
    start: int
    end: int


@dataclass(frozen=True)
class Attribution:
    """Who said a quotation, and how it is marked: the cue, the speaker as written, how sure."""

    cue: Cue
    speaker: SpeakerRef
    confidence: float


@dataclass(frozen=True)
class Candidate:
    spans: tuple[Span, ...]  # what was said, into doc.text (direct quotes: without the outer marks)
    kind: str  # "direct" | "mixed" | "indirect"
    cue: Cue
    speaker: SpeakerRef
    confidence: float  # how sure the extraction is, before speaker resolution


def according_to_cue(according: Token, lexicon: Lexicon) -> Cue:
    """The cue of the "according to" phrase that opens at ``according`` (see cues.according_to_at)."""
    found = according_to_at(according, lexicon)
    if found is None:
        raise ValueError(f"no attribution phrase at {according.text!r}")
    last, lemma = found
    return Cue(lemma, according.idx, last.idx + len(last))

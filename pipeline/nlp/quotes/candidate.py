"""A quote as found, before its speaker is resolved and it becomes a :class:`~pipeline.records.Quote`."""

from __future__ import annotations

from dataclasses import dataclass

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

"""Per-document lookups built once, so that no step loops over tokens × quotes.

Character offsets are mapped to tokens and to quotations by binary search over sorted starts,
which keeps the extractor linear-logarithmic in the article length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.dialogue import dialogue_regions
from pipeline.nlp.quotes.incises import split_at_incises
from pipeline.nlp.quotes.marks import QuoteRegion, find_quote_regions
from pipeline.records import Entity


@dataclass(frozen=True)
class MentionRef:
    start: int
    end: int
    entity: Entity


class SpanSet:
    """Sorted character spans with a logarithmic overlap test."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect_right(self._starts, end - 1) - 1
        return at >= 0 and self._ends[at] > start


class DocIndex:
    """A parsed article with its quotations and entity mentions, indexed by character offset, and
    the lexicon of its language (which every finder reads through it)."""

    def __init__(self, doc: Doc, entities: tuple[Entity, ...], lexicon: Lexicon) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.text = doc.text
        marked = split_at_incises(
            doc, lexicon, find_quote_regions(self.text, guillemets_outside=lexicon.guillemets_outside)
        )
        dialogue = dialogue_regions(doc, lexicon, marked)
        self.regions: tuple[QuoteRegion, ...] = (
            tuple(sorted(marked + dialogue, key=lambda region: region.open_at)) if dialogue else marked
        )
        # A quotation's extent includes its marks: the marks belong to the quote, not to the frame.
        self._region_starts = [region.open_at for region in self.regions]
        self._region_ends = [
            (region.close_at + 1) if region.close_at is not None else region.end for region in self.regions
        ]
        self._paragraph_breaks = [match.start() for match in re.finditer("\n", self.text)]
        self._token_starts = [token.idx for token in doc]
        # Token.sent walks the whole document on every call in spaCy 3; sentence bounds are read once.
        self._sentence_starts = [token.i for token in doc if token.i == 0 or token.is_sent_start]
        if lexicon.sentences_by_line:
            self._sentence_starts = line_sentences(doc, self._sentence_starts)
        self._sentence_ends = self._sentence_starts[1:] + [len(doc)]
        self.token_region = [self.region_at(start) for start in self._token_starts]
        mentions = sorted(
            (MentionRef(m.start, m.end, entity) for entity in entities for m in entity.mentions),
            key=lambda ref: ref.start,
        )
        self._mentions = mentions
        self._mention_starts = [ref.start for ref in mentions]

    def region_at(self, offset: int) -> int | None:
        """Index of the quotation (marks included) that contains ``offset``, if any."""
        at = bisect_right(self._region_starts, offset) - 1
        if at >= 0 and offset < self._region_ends[at]:
            return at
        return None

    def has_region_within(self, start: int, end: int) -> bool:
        """True when a quotation opens inside the characters ``[start, end)``."""
        at = bisect_right(self._region_starts, start - 1)
        return at < len(self._region_starts) and self._region_starts[at] < end

    def widen_to_quotations(self, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` grown to hold whole every quotation it cuts (a mixed quote's fragment
        often runs past the clause the parser gave the cue)."""
        at = max(bisect_right(self._region_starts, start) - 1, 0)
        new_start, new_end = start, end
        while at < len(self._region_starts) and self._region_starts[at] < end:
            if self._region_ends[at] > start:
                new_start = min(new_start, self._region_starts[at])
                new_end = max(new_end, self._region_ends[at])
            at += 1
        return new_start, new_end

    def region_extent(self, index: int) -> tuple[int, int]:
        return self._region_starts[index], self._region_ends[index]

    def paragraph_of(self, offset: int) -> int:
        """Number of the paragraph (line) that holds ``offset``."""
        return bisect_right(self._paragraph_breaks, offset - 1)

    def paragraph_tokens(self, token: Token) -> tuple[int, int]:
        """Token indices ``[first, last)`` of the paragraph (line) that holds ``token``."""
        line = self.paragraph_of(token.idx)
        start = self._paragraph_breaks[line - 1] + 1 if line > 0 else 0
        end = self._paragraph_breaks[line] if line < len(self._paragraph_breaks) else len(self.text)
        return bisect_right(self._token_starts, start - 1), bisect_right(self._token_starts, end - 1)

    def token_at(self, offset: int) -> Token:
        """The token that starts at or before ``offset``."""
        return self.doc[max(bisect_right(self._token_starts, offset) - 1, 0)]

    def sentence_of(self, token: Token) -> Span:
        """The sentence that holds ``token`` (like ``token.sent``, without walking the document)."""
        at = bisect_right(self._sentence_starts, token.i) - 1
        return self.doc[self._sentence_starts[at]:self._sentence_ends[at]]

    def in_quote(self, token: Token) -> bool:
        return self.token_region[token.i] is not None

    def mentions_within(self, start: int, end: int) -> list[MentionRef]:
        """Entity mentions that overlap the characters ``[start, end)``."""
        at = max(bisect_right(self._mention_starts, start) - 1, 0)
        found = []
        while at < len(self._mentions) and self._mentions[at].start < end:
            ref = self._mentions[at]
            if ref.end > start:
                found.append(ref)
            at += 1
        return found

    @property
    def mentions(self) -> list[MentionRef]:
        """Every entity mention of the article, in text order."""
        return self._mentions


# What may not begin a sentence: a sentence that starts with one continues the one before it.
_NO_SENTENCE_START = frozenset({",", ";", ")", "»", "”"})


def line_sentences(doc: Doc, starts: list[int]) -> list[int]:
    """The parser's sentence starts, mended where a small parser cuts badly (French): a line break
    always ends a sentence, a "sentence" of marks only (a lone "«" or "—") belongs to the one after
    it, and one that begins with a comma or a closing mark belongs to the one before."""
    breaks = {token.i + 1 for token in doc if "\n" in token.text and token.i + 1 < len(doc)}
    merged = sorted(set(starts) | breaks)
    kept: list[int] = []
    skip_next = False
    for at, start in enumerate(merged):
        if skip_next and start not in breaks:
            skip_next = False
            continue
        skip_next = False
        if kept and start not in breaks and doc[start].text in _NO_SENTENCE_START:
            continue
        end = merged[at + 1] if at + 1 < len(merged) else len(doc)
        if all(token.is_punct or token.is_space for token in doc[start:end]) and end < len(doc):
            skip_next = True  # "«" alone: it opens the sentence after it
        kept.append(start)
    return kept

"""Direct quotes: quotations in marks, attributed by a cue and a speaker outside the marks.

For each quotation the attribution is looked for in its frame: the sentences that hold it, the
next sentence when the text after the closing mark runs on in lower case (`"...?" he asked.`),
and the sentence before when the quotation follows a colon (`Lavrov said: "..."`).  Of the cues
in the frame (outside any quotation, so "As the president said" inside a quote never counts) the
one nearest to the marks wins.  A quotation that opens a paragraph without any attribution
continues the previous speaker.

A quotation that is only part of a sentence (Macron "confessed ... threat," Lavrov said) is not
a direct quote: the indirect extractor makes it a mixed quote with the clause around it.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

from pipeline.nlp.quotes.candidate import Candidate, Cue
from pipeline.nlp.quotes.cues import ACCORDING_TO, cue_lemma, is_according_to, is_cue_verb
from pipeline.nlp.quotes.docindex import DocIndex
from pipeline.nlp.quotes.grammar import according_to_object, subject_of
from pipeline.nlp.quotes.marks import QuoteRegion
from pipeline.nlp.quotes.speakers import speaker_phrase

# Characters that may end the text before a quotation that starts a quote of its own.
_LEAD_ENDS = (":", ",", "—", "–", "-")
_MIN_UNATTRIBUTED_WORDS = 4  # shorter unattributed quotations are titles or scare quotes
_ATTRIBUTED, _CONTINUED = 0.9, 0.6


def find_direct(index: DocIndex) -> list[Candidate]:
    """Direct quotes of the article, split quotes merged, in text order."""
    found: list[tuple[Candidate, Token | None]] = []
    for region_index, region in enumerate(index.regions):
        if _is_fragment(index, region):
            continue
        attribution = _attribution(index, region_index)
        if attribution is None:
            if len(index.text[region.start:region.end].split()) < _MIN_UNATTRIBUTED_WORDS:
                continue
            found.append((Candidate(region.spans, "direct", None, None, _CONTINUED), None))
            continue
        cue_token, speaker_head = attribution
        cue = _cue(cue_token)
        candidate = Candidate(region.spans, "direct", cue, speaker_phrase(speaker_head), _ATTRIBUTED)
        previous = found[-1] if found else None
        if previous and previous[1] is not None and previous[1].i == cue_token.i:
            # "...," he said, "...": one quote in several fragments around one attribution.
            merged = Candidate(previous[0].spans + region.spans, "direct", cue, candidate.speaker, _ATTRIBUTED)
            found[-1] = (merged, cue_token)
        else:
            found.append((candidate, cue_token))
    return [candidate for candidate, _ in found]


def _is_fragment(index: DocIndex, region: QuoteRegion) -> bool:
    """True when the quotation is a phrase inside a sentence rather than a quote of its own."""
    first = index.token_at(region.open_at)
    lead = index.text[first.sent.start_char:region.open_at].strip()
    if not lead or lead.endswith(_LEAD_ENDS):
        return False
    if "\n" in index.text[first.sent.start_char:region.open_at]:
        return False  # the sentence splitter ran over a paragraph break
    # `He said "We will win."`: a capitalised quotation right after a cue is a quote of its own.
    before = index.token_at(region.open_at - 1)
    return not (index.text[region.start:region.start + 1].isupper() and is_cue_verb(before))


def _attribution(index: DocIndex, region_index: int) -> tuple[Token, Token] | None:
    """(cue, speaker head) for a quotation: the cue nearest to its marks in its frame."""
    start, end = index.region_extent(region_index)
    best: tuple[int, Token, Token] | None = None
    for token in _frame(index, start, end):
        if index.token_region[token.i] is not None:
            continue
        if is_according_to(token):
            speaker = according_to_object(token)
        elif is_cue_verb(token):
            speaker = subject_of(token)
        else:
            continue
        if speaker is None or index.in_quote(speaker):
            continue
        distance = token.idx - end if token.idx >= end else start - (token.idx + len(token))
        if best is None or distance < best[0]:
            best = (distance, token, speaker)
    return None if best is None else (best[1], best[2])


def _frame(index: DocIndex, start: int, end: int) -> Iterator[Token]:
    """Tokens of the sentences around a quotation, within its paragraph."""
    doc, text = index.doc, index.text
    first, last = index.token_at(start), index.token_at(max(end - 1, start))
    frame_start, frame_end = first.sent.start, last.sent.end
    if text[:start].rstrip().endswith(":") and frame_start == first.i and first.i > 0:
        frame_start = doc[first.i - 1].sent.start  # X said: / "..."
    after = text[end:end + 40].lstrip(" \t")
    if frame_end < len(doc) and after[:1].islower():
        frame_end = doc[frame_end].sent.end  # "...?" he asked.
    paragraph_start = text.rfind("\n", 0, start) + 1
    paragraph_end = text.find("\n", end)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    for token in doc[frame_start:frame_end]:
        if paragraph_start <= token.idx < paragraph_end:
            yield token


def _cue(token: Token) -> Cue:
    if is_according_to(token):
        to = token.doc[token.i + 1]
        return Cue(ACCORDING_TO, token.idx, to.idx + len(to))
    return Cue(cue_lemma(token), token.idx, token.idx + len(token))

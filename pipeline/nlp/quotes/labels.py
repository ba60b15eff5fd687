"""Quotes introduced by a speaker label: a name and a colon at the start of a paragraph.

Transcripts (``JAKE TAPPER: Donald Trump released a video ...``), interviews (``Q: ...`` /
``A: ...``) and headline attributions (``Trump: My immigration plans aren't set in stone``)
write who speaks as a label.  The paragraph after the label is what that speaker said, the colon
is the cue (as in PolNeAR).

A label is a name, not any words before a colon: capitals throughout (``TRUMP``, ``JOEL
BENENSON``, ``Q``), or a named person or body the entity recogniser found (``Marco Rubio``,
``Judicial Watch``) followed by a statement with a verb (``Arthur Hailey: King of the bestsellers``
is a headline about him).  Section labels (``UPDATE:``, ``Editor's note:``) are not speakers.
"""

from __future__ import annotations

import re

from pipeline.nlp.quotes.candidate import Candidate, Cue
from pipeline.nlp.quotes.docindex import DocIndex, SpanSet
from pipeline.nlp.quotes.marks import QuoteRegion
from pipeline.nlp.quotes.speakers import SpeakerRef
from pipeline.records import Span

# A paragraph's first words up to a colon: at most five words, no sentence punctuation.
_LABEL = re.compile(r"(?m)^[ \t\u00a0]*(?P<label>[^\W\d_][^\n:.!?\"“”]{0,60}?)[ \t\u00a0]*:[ \t\u00a0]+(?=\S)")
_MAX_LABEL_WORDS = 5
# Places are left out: "New Hampshire: Charlie Arlinghaus, Arnie Arnesen, ..." introduces a list.
_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "NORP"})
# Fewer words are a tally or a caption ("Bernie Sanders: 1,501."), not something said.
_MIN_CONTENT_WORDS = 3
_CONFIDENCE = 0.7
_LABEL_CUE = ":"


def find_labelled(index: DocIndex, *, taken: SpanSet) -> list[Candidate]:
    """A quote for each paragraph opened by a speaker label, unless ``taken`` already covers it."""
    found = []
    text = index.text
    for match in _LABEL.finditer(text):
        label_start, label_end = match.span("label")
        if not _is_speaker_label(index, text[label_start:label_end], label_start, label_end):
            continue
        colon_at = text.index(":", label_end)
        content_start = match.end()
        content_end = text.find("\n", content_start)
        content_end = len(text) if content_end < 0 else content_end
        while content_end > content_start and text[content_end - 1].isspace():
            content_end -= 1
        if content_end <= content_start or taken.overlaps(content_start, content_end):
            continue
        if sum(word[:1].isalpha() for word in text[content_start:content_end].split()) < _MIN_CONTENT_WORDS:
            continue
        label = text[label_start:label_end]
        if not label.isupper() and not _states_something(index, content_start, content_end):
            continue  # "Arthur Hailey: King of the bestsellers" is a headline about him, not by him
        head = index.token_at(label_end - 1)
        speaker = SpeakerRef(label_start, label_end, label, head)
        quotation = _one_quotation(index, content_start, content_end)
        found.append(Candidate(
            # A direct quote's spans leave out its marks, as everywhere else.
            spans=quotation.spans if quotation else (Span(content_start, content_end),),
            kind="direct" if quotation else "indirect",
            cue=Cue(_LABEL_CUE, colon_at, colon_at + 1),
            speaker=speaker,
            confidence=_CONFIDENCE,
        ))
    return found


def paragraph_label(index: DocIndex, offset: int) -> SpeakerRef | None:
    """The speaker label that opens the paragraph holding ``offset`` (``A: I think ...``), if any:
    who "I" is in an interview's answers and a transcript's turns."""
    text = index.text
    paragraph_start = text.rfind("\n", 0, offset) + 1
    match = _LABEL.match(text, paragraph_start)
    if match is None or match.end() > offset:
        return None
    label_start, label_end = match.span("label")
    if not _is_speaker_label(index, text[label_start:label_end], label_start, label_end):
        return None
    return SpeakerRef(label_start, label_end, text[label_start:label_end], index.token_at(label_end - 1))


def _is_speaker_label(index: DocIndex, label: str, start: int, end: int) -> bool:
    words = label.split()
    # Capitalised section labels of news pages (``UPDATE:``) introduce no speaker.
    if not 1 <= len(words) <= _MAX_LABEL_WORDS or words[0].lower().rstrip("'’s") in index.lexicon.section_labels:
        return False
    if label.isupper():
        return all(word.replace("-", "").replace("'", "").replace("’", "").isalpha() for word in words)
    # Otherwise a capitalised name that ends with a person or body the entity recogniser found
    # (titles before it allowed: "Sen. Marco Rubio").
    if not all(word[0].isupper() for word in words):
        return False
    return any(
        mention.entity.label in _SPEAKER_LABELS and start <= mention.start and mention.end >= end - 1
        for mention in index.mentions_within(start, end)
    )


def _states_something(index: DocIndex, start: int, end: int) -> bool:
    """True when the text has a verb: a statement, not a description of the one named."""
    first, last = index.token_at(start), index.token_at(end - 1)
    return any(token.pos_ in ("VERB", "AUX") for token in index.doc[first.i:last.i + 1])


def _one_quotation(index: DocIndex, start: int, end: int) -> QuoteRegion | None:
    """The quotation in marks that is the whole text, if it is one (a direct quote rather than
    a transcript)."""
    region = index.region_at(start)
    if region is None:
        return None
    region_start, region_end = index.region_extent(region)
    return index.regions[region] if region_start == start and region_end >= end - 1 else None

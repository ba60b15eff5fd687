"""Dash bylines: a quotation followed on its line by a dash and a name.

`"..." ― Sonya Herridge`, `"..." -- Jane Doe, 34, of Houston.`: vox pops, epigraphs and embedded
tweets name who spoke after a dash rather than with a verb.  The name is the speaker, the dash the
cue.  A lone one that ends the article is the reporter's credit instead (`"..." --Kim Hjelmgaard`).
"""

from __future__ import annotations

import re

from pipeline.nlp.quotes.candidate import Attribution, Cue
from pipeline.nlp.quotes.cues import DASH_CUE
from pipeline.nlp.quotes.docindex import DocIndex
from pipeline.nlp.quotes.marks import QuoteRegion
from pipeline.nlp.quotes.speakers import SpeakerRef

# A dash, then a name, then at most a short description, to the end of the line.
_BYLINE = re.compile(
    r"[ \t\u00a0]*(?P<dash>--|[―—–])[ \t\u00a0]*(?P<name>[^\n,(]{1,60}?)(?P<rest>[,(][^\n]{0,80})?[ \t\u00a0.]*(?:\n|$)"
)
_NAME_PARTICLES = frozenset({"de", "del", "della", "da", "dos", "du", "van", "von", "der", "den", "la", "le", "bin", "al", "y"})
_MAX_NAME_WORDS = 6
_CONFIDENCE = 0.85


def find_bylines(index: DocIndex) -> dict[int, Attribution]:
    """The dash bylines of the article's quotations, by quotation number.

    A lone one that ends the article (`"..." --Kim Hjelmgaard`) is the reporter's credit, not the
    speaker's name: vox pops and epigraphs come in runs or stand before the text they open.
    """
    found = {number: byline for number, region in enumerate(index.regions) if (byline := _byline(index, region))}
    if len(found) == 1:
        (byline,) = found.values()
        if not index.text[byline.speaker.end:].strip(" \t\u00a0.\n"):
            return {}
    return found


def _byline(index: DocIndex, region: QuoteRegion) -> Attribution | None:
    """`"..." ― Sonya Herridge`: the name after a dash that ends the quotation's line."""
    if region.close_at is None:
        return None
    found = _BYLINE.match(index.text, region.close_at + 1)
    if found is None or not _is_name(found.group("name")):
        return None
    name_start, name_end = found.span("name")
    while index.text[name_end - 1] in " \t\u00a0.":
        name_end -= 1
    head = index.token_at(name_end - 1)
    dash_start, dash_end = found.span("dash")
    speaker = SpeakerRef(name_start, name_end, index.text[name_start:name_end], head)
    return Attribution(Cue(DASH_CUE, dash_start, dash_end), speaker, _CONFIDENCE)


def _is_name(words: str) -> bool:
    """A person's or body's name as bylines write it: a few capitalised words ("Edwin G. Monroy",
    "Azucena Gonzàlez", "Julie A. Diaz Martinez"), particles allowed inside ("Luis de la Cruz")."""
    parts = words.split()
    if not 1 <= len(parts) <= _MAX_NAME_WORDS or not parts[0][0].isupper() or not parts[-1][0].isupper():
        return False
    return all(part[0].isupper() or part in _NAME_PARTICLES for part in parts)

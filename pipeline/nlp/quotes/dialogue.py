"""Dialogue dashes: a line of speech opened by a dash, as French copy writes interviews and exchanges.

    — Nous attendons des actes, pas des promesses, a répondu le maire.

The speech runs from the dash to the incise that names the speaker (a comma, then a verb of saying,
with its auxiliary or clitic: ", a répondu le maire", ", a-t-il dit", ", explique-t-elle"), or
else to the end of the line, when a colon before it or nothing names who speaks.  Each dash line is
a quotation of its own: a new dash is a new turn, so one never continues the quote of the line
before (:attr:`QuoteRegion.dialogue`).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.cues import is_cue_verb
from pipeline.nlp.quotes.marks import QuoteRegion
from pipeline.records import Span

# Tokens that may stand between an incise's comma and its verb: an auxiliary ("a répondu"), the
# euphonic "-t" and a clitic ("a-t-il dit").
_INCISE_GLUE = frozenset({"AUX", "PRON"})
_MAX_GLUE = 3


def dialogue_regions(doc: Doc, lexicon: Lexicon, taken: tuple[QuoteRegion, ...]) -> tuple[QuoteRegion, ...]:
    """A quotation for each line opened by one of the language's dialogue dashes (none for a
    language without them), unless a quotation in marks already lies on that line."""
    if not lexicon.dialogue_dashes:
        return ()
    text = doc.text
    opening = re.compile(rf"(?m)^[ \t\u00a0\u202f]*([{lexicon.dialogue_dashes}])[ \t\u00a0\u202f]+(?=[^\W\d_]|[«“])")
    found = []
    for match in opening.finditer(text):
        dash_at, start = match.start(1), match.end()
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        if any(region.open_at < line_end and dash_at <= region.end for region in taken):
            continue
        end = _incise_at(doc, lexicon, start, line_end) or line_end
        while end > start and (text[end - 1].isspace() or (end == line_end and text[end - 1] in ".")):
            end -= 1
        if end > start:
            found.append(QuoteRegion((Span(start, end),), dash_at, None, dialogue=True))
    return tuple(found)


def _incise_at(doc: Doc, lexicon: Lexicon, start: int, end: int) -> int | None:
    """Offset of the comma that opens the incise naming the speaker, if the line has one."""
    tokens = [token for token in doc if start <= token.idx < end]
    for at, token in enumerate(tokens):
        if token.text != ",":
            continue
        for after in tokens[at + 1:at + 1 + _MAX_GLUE + 1]:
            if is_cue_verb(after, lexicon) and (after.pos_ == "VERB" or after.lower_ in lexicon.cue_forms):
                return token.idx
            # An incise inverts its subject ("a-t-il dit", "répond le maire"): a subject pronoun
            # before the verb ("Des audits, on nous en promet") is the speech going on.
            if after.pos_ not in _INCISE_GLUE or (after.dep_ in lexicon.deps.subject and not after.text.startswith("-")):
                break
    return None

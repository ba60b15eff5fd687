"""Incises inside a quotation: `« Il y a eu des déclarations, a-t-il estimé. Je pars du principe ... »`.

French copy sets the attribution inside the guillemets, between commas, as often as after them.
Read as one quotation, the cue and speaker would sit inside the marks, where no cue counts; so a
quotation holding an incise (a comma, then a verb of saying with its auxiliary, and its clitic
or a name, up to the next comma or period) is read as two quotations, before and after the
incise, which then attribute and join as a quote split around "he said" does in English.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.cues import is_clitic_pronoun, is_cue_verb
from pipeline.nlp.quotes.marks import QuoteRegion
from pipeline.records import Span

# An incise is short: the verb, its auxiliary and clitic, or a name with a few words of description.
_MAX_INCISE_TOKENS = 12
_INCISE_ENDS = frozenset({",", "."})


def split_at_incises(doc: Doc, lexicon: Lexicon, regions: tuple[QuoteRegion, ...]) -> tuple[QuoteRegion, ...]:
    """``regions`` with each one-paragraph quotation that holds an incise cut around it."""
    if not lexicon.inverted_cues:
        return regions
    result: list[QuoteRegion] = []
    for region in regions:
        incise = _incise(doc, lexicon, region) if len(region.spans) == 1 and not region.dialogue else None
        if incise is None:
            result.append(region)
            continue
        comma, end = incise  # the comma that opens it, the comma or period that closes it
        (span,) = region.spans
        text = doc.text
        before_end = comma
        while before_end > span.start and text[before_end - 1].isspace():
            before_end -= 1
        after_start = end + 1
        while after_start < span.end and text[after_start].isspace():
            after_start += 1
        if before_end <= span.start or after_start >= span.end:
            result.append(region)
            continue
        result.append(QuoteRegion((Span(span.start, before_end),), region.open_at, None))
        result.append(QuoteRegion((Span(after_start, span.end),), end, region.close_at))
    return tuple(result)


def _incise(doc: Doc, lexicon: Lexicon, region: QuoteRegion) -> tuple[int, int] | None:
    """(offset of the opening comma, offset of the closing comma or period) of the first incise."""
    (span,) = region.spans
    tokens = [token for token in doc if span.start <= token.idx and token.idx + len(token) <= span.end]
    for at, token in enumerate(tokens):
        if token.text != ",":
            continue
        verb_at = _cue_after_comma(tokens, at, lexicon)
        if verb_at is None:
            continue
        for end_at in range(verb_at + 1, min(verb_at + 1 + _MAX_INCISE_TOKENS, len(tokens))):
            if tokens[end_at].text in _INCISE_ENDS:
                if _names_someone(tokens[at + 1:end_at], tokens[verb_at], lexicon):
                    return token.idx, tokens[end_at].idx
                break
    return None


def _cue_after_comma(tokens: list[Token], comma_at: int, lexicon: Lexicon) -> int | None:
    """Index of a verb of saying right after the comma, past an auxiliary and clitics ("a-t-il")."""
    for at in range(comma_at + 1, min(comma_at + 5, len(tokens))):
        token = tokens[at]
        if is_cue_verb(token, lexicon) and token.pos_ != "AUX":
            return at
        if not (token.pos_ == "AUX" or token.text.startswith("-")):
            return None
    return None


def _names_someone(incise: list[Token], verb: Token, lexicon: Lexicon) -> bool:
    """The incise names its speaker: a clitic ("a-t-il estimé", "estime-t-elle") or a noun or name
    after the verb ("explique le ministre", "a ajouté Jean Dupont")."""
    return any(
        is_clitic_pronoun(token, lexicon) or (token.i > verb.i and token.pos_ in ("PROPN", "NOUN")) for token in incise
    )

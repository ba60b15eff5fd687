"""Whether a quotation is a quote of its own, or a fragment or title inside a sentence.

Shared by the direct extractor (which takes the quotations that stand alone) and the fragment
extractor (which builds mixed quotes around the others).  A quotation that is only part of a
sentence (Macron "confessed ... threat," Lavrov said), or a title in marks, is not a direct quote.
"""

from __future__ import annotations

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.cues import is_cue_verb
from pipeline.nlp.quotes.docindex import DocIndex
from pipeline.nlp.quotes.marks import QuoteRegion

# Characters that may end the text before a quotation that starts a quote of its own: a colon,
# comma or dash after an attribution, or the end of a sentence the splitter did not see.
_LEAD_ENDS = (":", ",", "—", "–", "-", ".", "!", "?")
_MAX_TITLE_WORDS = 8
_MAX_CLAUSE_CLIMB = 6
# How far after a capitalised quotation a verb of saying may stand for it to count as speech (`" he said`,
# `" the old family doctor said`): as far as a speech tag's verb (direct._MAX_TAG_TOKENS).
_MAX_CUE_DISTANCE = 6


def is_fragment(index: DocIndex, region: QuoteRegion) -> bool:
    """True when the quotation is a phrase inside a sentence rather than a quote of its own."""
    quoted = index.text[region.start:region.end]
    lexicon = index.lexicon
    if is_title(quoted, lexicon):
        # `"GOOD EVENING," said the doctor`: a cue right after the marks makes a short quotation in
        # capitals something said. Not one in title case: `"A Change Is Gonna Come," she added` quotes
        # a song (three such titles on PolNeAR dev, none said).
        return not (quoted.isupper() and _cue_follows(index, region))
    first = index.token_at(region.open_at)
    # The sentence splitter sometimes runs over a paragraph break: the lead starts at the break.
    lead_start = max(index.sentence_of(first).start_char, index.text.rfind("\n", 0, region.open_at) + 1)
    lead = index.text[lead_start:region.open_at].strip()
    if not lead:
        return False
    if lead.endswith(_LEAD_ENDS):
        # `He said that after taxes, ''They weren't living large.''`: a comma or dash before the
        # marks, yet the quotation ends a clause that a verb of saying outside it reports.
        return _inside_reported_clause(index, region)
    # `He said "We will win."`: a capitalised quotation right after a cue is a quote of its own.
    before = index.token_at(region.open_at - 1)
    return not (index.text[region.start:region.start + 1].isupper() and is_cue_verb(before, lexicon))


def is_title(quoted: str, lexicon: Lexicon) -> bool:
    """A few capitalised words ("Doomed to Succeed,", "MAKE AMERICA GREAT AGAIN"): the name of a
    book, show or slogan, not something someone said."""
    words = quoted.rstrip(",;: ").split()
    small = lexicon.title_small_words
    capitalised = [word for word in words if word[0].isalpha() and word.lower() not in small]
    return len(words) <= _MAX_TITLE_WORDS and len(capitalised) >= 2 and all(word[0].isupper() for word in capitalised)


def last_inside(text: str, end: int, lexicon: Lexicon) -> str:
    """The last character a quotation ending at ``end`` says, inside its closing marks ("," for
    `"...,"`, "?" for `?’”`), or "" when there is none."""
    return text[max(end - 5, 0):end].rstrip(lexicon.closing_marks + lexicon.inline_spaces)[-1:]


def _cue_follows(index: DocIndex, region: QuoteRegion) -> bool:
    """True when a quotation ending in a comma, question or exclamation mark (inside the marks or,
    in French, right after them) is followed, on its line, by a verb of saying within the next few
    words (`"...," said the doctor`, `"...!" he cried`, `« ... », a dit le médecin`)."""
    if region.close_at is None:
        return False
    text, lexicon = index.text, index.lexicon
    # The comma stands inside the marks in English ("...,") and after them in French (« ... »,).
    outside = text[region.close_at + 1:region.close_at + 4].lstrip(lexicon.inline_spaces)[:1]
    if last_inside(text, region.end + 1, lexicon) not in (",", "!", "?") and outside not in (",", "!", "?"):
        return False
    line_end = text.find("\n", region.close_at)
    after = [token for token in index.doc[index.token_at(region.close_at).i + 1:][:_MAX_CUE_DISTANCE + 1]
             if not token.is_punct][:_MAX_CUE_DISTANCE]
    return any(is_cue_verb(token, lexicon) for token in after if line_end < 0 or token.idx < line_end)


def _inside_reported_clause(index: DocIndex, region: QuoteRegion) -> bool:
    """True when the quotation sits inside, but does not begin, the clause a verb of saying
    outside it reports."""
    token = index.token_at(region.start)
    lexicon = index.lexicon
    for _ in range(_MAX_CLAUSE_CLIMB):
        if token.head is token:
            return False
        if token.dep_ == lexicon.deps.clause and is_cue_verb(token.head, lexicon) and not index.in_quote(token.head):
            return token.left_edge.idx < region.open_at and not index.in_quote(token.left_edge)
        token = token.head
    return False

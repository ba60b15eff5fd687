"""Find the passages between quote marks in a text, before any parsing.

News text is messy: straight marks whose direction must be guessed, curly marks typed the wrong
way round, quotes that run over several paragraphs (an opening mark at each paragraph, a closing
mark only at the end), and marks that are never closed.  The scanner walks the marks once, in
order, keeping one "open quote" state:

- a mark's direction comes from its neighbours (space before and a letter after: opening), and
  from its glyph only when the neighbours do not tell;
- a paragraph break inside an open quote either continues it (the next paragraph starts with an
  opening mark) or ends it there (a never-closed mark is closed at its paragraph's end);
- marks of the other family inside a quote (single inside double) are part of its content.

Double marks (straight, curly, guillemets) are the primary family; single marks are the primary
family of a text that has no double marks at all, or where most double-quoted passages sit inside
single-quoted ones (and more of them than the other way round) (British copy: 'We reject the "final
offer",' she said). Inside a single quotation, a plural possessive's apostrophe (the workers' "final
offer") does not close it, so the double marks it holds are still seen as nested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.records import Span

_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_DOUBLE_EITHER = '"'
_SINGLE_OPEN = "‘"
_SINGLE_CLOSE = "’"
# What may stand right before an opening mark or right after a closing one.
_OPEN_BEFORE = set(" \t\n\r([{—–-/:") | {""}
_CLOSE_AFTER = set(" \t\n\r)]}—–-/.,;:!?…") | {""}

# Two apostrophes stand for a double mark in some wire copy (the NYT opens quotes with '' and closes with ").
_DOUBLE_MARKS = re.compile(r"''|[“„«”»\"]|\n")
_GUILLEMETS = re.compile(r"[«»]|\n")
_OTHER_DOUBLE_MARKS = re.compile(r"''|[“„”\"]|\n")
_SINGLE_MARKS = re.compile(r"[‘’']|\n")
_MARKUP = re.compile(r"<[^<>\n]{1,500}>")
# A single mark opening a quote: at a word boundary and followed by a letter or digit.
_SINGLE_QUOTE_START = re.compile(r"(?:^|(?<=[\s(\[—–:]))[‘'](?=\w)")


@dataclass(frozen=True)
class QuoteRegion:
    """One quotation: the text between its marks, one span per paragraph it runs over."""

    spans: tuple[Span, ...]  # content without the marks, in text order
    open_at: int  # offset of the opening mark
    close_at: int | None  # offset of the closing mark; None when the quote is never closed
    dialogue: bool = False  # opened by a dialogue dash (pipeline/nlp/quotes/dialogue.py), not by a mark

    @property
    def start(self) -> int:
        return self.spans[0].start

    @property
    def end(self) -> int:
        return self.spans[-1].end


def find_quote_regions(text: str, *, guillemets_outside: bool = False) -> tuple[QuoteRegion, ...]:
    """All quotations in ``text``, in order, never overlapping.

    ``guillemets_outside`` (French): « » are the outer marks and “ ” or " inside them quote within
    the quotation (« des “gens observés sur place” »), so guillemets are read as a family of their
    own, and the other double marks only outside them."""
    if "<" in text:
        # Markup left in a body (<tweet author="@X">) quotes attribute values, not people; blanking
        # it keeps every offset in place.
        text = _MARKUP.sub(lambda match: " " * len(match.group()), text)
    if guillemets_outside and "«" in text:
        return _guillemets_first(text)
    has_double = "''" in text or any(mark in text for mark in _DOUBLE_OPEN + _DOUBLE_CLOSE + _DOUBLE_EITHER)
    has_single = _SINGLE_QUOTE_START.search(text) is not None
    double = _scan(text, _DOUBLE_MARKS, _DOUBLE_OPEN, _DOUBLE_CLOSE) if has_double else ()
    if not has_single:
        return double
    single = _scan(text, _SINGLE_MARKS, _SINGLE_OPEN, _SINGLE_CLOSE)
    # Single marks are the quotes when most double-quoted passages sit inside single quotations and
    # the reverse is rarer: one stray apostrophe closing on a possessive proves nothing.
    nested = _nested_in(double, single)
    if not double or (2 * nested > len(double) and nested > _nested_in(single, double)):
        return single
    return double


def _guillemets_first(text: str) -> tuple[QuoteRegion, ...]:
    """Quotations in « », then those in other double marks that lie outside every one of them."""
    outer = _scan(text, _GUILLEMETS, "«", "»")
    others = _scan(text, _OTHER_DOUBLE_MARKS, "“„", "”")
    extents = [(region.open_at, region.close_at if region.close_at is not None else region.end) for region in outer]
    kept = [region for region in others if not any(start <= region.open_at <= end for start, end in extents)]
    return tuple(sorted((*outer, *kept), key=lambda region: region.open_at))


def _nested_in(inner: tuple[QuoteRegion, ...], outer: tuple[QuoteRegion, ...]) -> int:
    """How many of the ``inner`` quotations open inside one of the closed ``outer`` ones (a mark never
    closed, such as the apostrophe of 'bot or 'em, runs to its paragraph's end and proves nothing)."""
    extents = [(region.start, region.end) for region in outer if region.close_at is not None]
    return sum(any(start <= region.open_at < end for start, end in extents) for region in inner)


def _scan(text: str, marks: re.Pattern[str], opening: str, closing: str) -> tuple[QuoteRegion, ...]:
    regions: list[QuoteRegion] = []
    open_at: int | None = None  # opening mark of the quote being read
    fragments: list[Span] = []  # finished paragraphs of a multi-paragraph quote
    fragment_start = 0
    for match in marks.finditer(text):
        at, width = match.start(), len(match.group())
        if open_at is not None and at < fragment_start:
            continue  # the opening mark of a continued paragraph, already consumed
        if match.group() == "\n":
            if open_at is None or at == fragment_start:
                continue
            _add_fragment(text, fragments, fragment_start, at)
            continuation = _next_paragraph_opening(text, at, opening)
            if continuation is None:
                regions.append(QuoteRegion(tuple(fragments), open_at, None))
                open_at, fragments = None, []
            else:
                fragment_start = continuation
            continue
        role = _role(text, at, width, opening, closing)
        if role == "none":
            continue
        if open_at is not None and role != "open" and opening == _SINGLE_OPEN and _possessive(text, at):
            continue  # `'The workers' "final offer" is a joke,' she said`: the quotation goes on
        if role == "open" or (role == "either" and open_at is None):
            if open_at is not None:
                # Two openings in a row: the first quote was never closed; it ends here.
                _add_fragment(text, fragments, fragment_start, at)
                regions.append(QuoteRegion(tuple(fragments), open_at, None))
            open_at, fragments, fragment_start = at, [], at + width
        elif open_at is not None:
            _add_fragment(text, fragments, fragment_start, at)
            regions.append(QuoteRegion(tuple(fragments), open_at, at))
            open_at, fragments = None, []
        # A closing mark with no quote open is a stray (or an apostrophe): ignore it.
    if open_at is not None:
        _add_fragment(text, fragments, fragment_start, len(text))
        regions.append(QuoteRegion(tuple(fragments), open_at, None))
    return tuple(region for region in regions if region.spans)


def _role(text: str, at: int, width: int, opening: str, closing: str) -> str:
    """"open", "close", "either" or "none" for the mark at ``at``, from its neighbours first."""
    before = text[at - 1] if at > 0 else ""
    after = text[at + width] if at + width < len(text) else ""
    looks_open = before in _OPEN_BEFORE and after not in _CLOSE_AFTER
    looks_close = before not in _OPEN_BEFORE and after in _CLOSE_AFTER
    if looks_open != looks_close:
        return "open" if looks_open else "close"
    mark = text[at]
    if before.isalnum() and after.isalnum() and mark not in _DOUBLE_EITHER:
        return "none"  # an apostrophe ("don't", "don’t"), not a quote mark
    if mark in opening:
        return "open"
    if mark in closing:
        return "close"
    return "either"


def _possessive(text: str, at: int) -> bool:
    """True when the single mark at ``at`` is the apostrophe of a plural possessive inside an open
    single quotation (`'The workers' "final offer" is a joke,' she said`) rather than its closing
    mark: it follows a word ending in s, a word or an opening mark follows it, and the next single
    mark of the paragraph that is not an apostrophe closes (so the quotation is closed later). A
    closing mark before `she said` is not taken for one when another quotation opens after it."""
    before, after = text[at - 2:at], text[at + 1:at + 3]
    if len(before) < 2 or not (before[0].isalpha() and before[1] in "sS"):
        return False
    if len(after) < 2 or after[0] != " " or not (after[1].isalpha() or after[1] in _DOUBLE_OPEN + _DOUBLE_EITHER):
        return False
    paragraph_end = text.find("\n", at)
    for match in _SINGLE_MARKS.finditer(text, at + 1, paragraph_end if paragraph_end >= 0 else len(text)):
        if match.group() == "\n":
            break
        role = _role(text, match.start(), 1, _SINGLE_OPEN, _SINGLE_CLOSE)
        if role != "none":
            return role == "close"
    return False


def _next_paragraph_opening(text: str, newline_at: int, opening: str) -> int | None:
    """End offset of the opening mark that starts the next paragraph, if it starts with one."""
    at = newline_at
    while at < len(text) and text[at].isspace():
        at += 1
    if text.startswith("''", at):
        return at + 2
    if at < len(text) and (text[at] in opening or text[at] in "\"'"):
        return at + 1
    return None


def _add_fragment(text: str, fragments: list[Span], start: int, end: int) -> None:
    """Append ``text[start:end]`` without its edge whitespace, if anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        fragments.append(Span(start, end))

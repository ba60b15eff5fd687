"""Which quotes are one quotation: the same words, exactly or nearly, by a compatible speaker.

Quotebank's question, "what was said most this week, and by whom", needs each quotation once with
every article that carries it. Outlets copy a quotation with other marks, another case, a word
trimmed at either end or lightly edited ("We will win" / "we'll win this"), so two levels:

- **Exactly the same words** once case, punctuation, quote marks and accents are folded away: the
  quotation id is a hash of those words and the speaker's surname (:func:`exact_quotation_id`), so
  it needs no lookup and joins the quotation across the whole dataset; the surname keeps "Thank you
  very much" by two people apart, and "Trump" and "Donald Trump" together.
- **Nearly the same** (:func:`same_quotation`): inside one story only (the commit compares a new
  article's quotes with those of the stored articles it was matched to), where a trimmed or edited
  quotation is the same quotation, not a coincidence. Most of the shorter one's words, in the same
  order, are in the longer one, and the speakers are compatible: the same surname, or one of them
  unknown (a copy that lost the attribution). Never two different named speakers.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

_WORD = re.compile(r"\w+", re.UNICODE)
# A near match needs this many words in the shorter quotation: below it, a few common words ("we
# will not", "it is time") are shared by chance.
MIN_NEAR_WORDS = 6
# Share of the shorter quotation's words that must be found, in order, in the longer one.
MIN_NEAR_SHARE = 0.8


def quotation_words(text: str) -> list[str]:
    """The words of a quotation with case, accents, punctuation and quote marks folded away."""
    plain = text.replace("\u2019", "'")
    if not plain.isascii():  # ASCII has no accents to fold: the common case skips the per-character pass
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain.casefold().replace("'", ""))


@lru_cache(maxsize=1 << 12)  # asked for each pair of quotes a commit compares; speakers repeat
def speaker_surname(speaker: Optional[str]) -> str:
    """The last word of a speaker's folded name ("Donald J. Trump" -> "trump"); "" when unknown."""
    if not speaker:
        return ""
    words = quotation_words(speaker)
    return words[-1] if words else ""


def exact_quotation_id(text: str, speaker: Optional[str]) -> Optional[str]:
    """The id every exact copy of this quotation by this speaker gets; None for a quote with no words."""
    words = quotation_words(text)
    if not words:
        return None
    key = " ".join(words) + "\x00" + speaker_surname(speaker)
    return hashlib.sha256(f"quotation\x00{key}".encode("utf-8")).hexdigest()[:32]


def speakers_compatible(a: Optional[str], b: Optional[str]) -> bool:
    first, second = speaker_surname(a), speaker_surname(b)
    return not first or not second or first == second


def same_quotation(a_words: Sequence[str], b_words: Sequence[str]) -> bool:
    """Nearly the same words: most of the shorter quotation's words, in order, in the longer one."""
    shorter, longer = (a_words, b_words) if len(a_words) <= len(b_words) else (b_words, a_words)
    if len(shorter) < MIN_NEAR_WORDS:
        return list(shorter) == list(longer)
    # Words matched in order are at most the words the two share (counted with repeats): most pairs
    # (the quotes of one article, other quotations of a story) fail this cheap bound, and the
    # alignment below is what a commit spent most of its quotation time on.
    if sum((Counter(shorter) & Counter(longer)).values()) < MIN_NEAR_SHARE * len(shorter):
        return False
    matcher = difflib.SequenceMatcher(None, shorter, longer, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks())
    return found >= MIN_NEAR_SHARE * len(shorter)


@dataclass(frozen=True)
class KnownQuotation:
    """A quotation already decided (stored, or earlier in this run) that a new quote may be."""

    quotation_id: str
    words: tuple[str, ...]
    speaker: Optional[str]


def choose_quotation(text: str, speaker: Optional[str], known: Sequence[KnownQuotation]) -> Optional[KnownQuotation]:
    """The quotation a quote belongs to: an exact copy's, else that of a near copy of the same story by a
    compatible speaker (the first in ``known``'s order), else its own exact id. None for a quote with no
    words. A quotation's speaker is the first named one among its occurrences: once a copy names who
    said it, an occurrence without attribution no longer lets another named speaker in."""
    exact = exact_quotation_id(text, speaker)
    if exact is None:
        return None
    words = tuple(quotation_words(text))
    named: dict[str, str] = {}
    for quotation in known:
        if quotation.speaker:
            named.setdefault(quotation.quotation_id, quotation.speaker)
    for quotation in known:
        if quotation.quotation_id == exact:
            return KnownQuotation(exact, words, speaker or named.get(exact))
    for quotation in known:
        said_by = named.get(quotation.quotation_id)
        if speakers_compatible(speaker, said_by) and same_quotation(words, quotation.words):
            return KnownQuotation(quotation.quotation_id, words, speaker or said_by)
    return KnownQuotation(exact, words, speaker)


def cluster_quotations(quotes: Sequence[tuple[str, str, Optional[str]]]) -> dict[str, str]:
    """(quote id, text, speaker) of one story in arrival order -> quotation id per quote: what the
    commit gives the quotes of articles it puts in one story. Quotes with no words are left out."""
    known: list[KnownQuotation] = []
    result: dict[str, str] = {}
    for quote_id, text, speaker in quotes:
        quotation = choose_quotation(text, speaker, known)
        if quotation is None:
            continue
        result[quote_id] = quotation.quotation_id
        known.append(quotation)
    return result

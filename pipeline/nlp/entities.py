"""Named entities of one article, grouped under a canonical name.

spaCy's NER gives one span per mention and sometimes a different label for the same person
("Lavrov" as ORG after "Sergey Lavrov" as PERSON).  Grouping happens in two steps:

1. mentions with the same cleaned name (case-insensitive) form a cluster;
2. a cluster whose name is a contiguous run of tokens of a longer PERSON name ("Lavrov",
   "Sergey" in "Sergey Lavrov") joins that person, whatever label NER gave it.

The canonical name is the longest name in the cluster; the label is the most frequent label of
the mentions that spell that name, with PERSON winning a tie (it is the most specific of the
labels NER confuses).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from pipeline.records import Entity, Mention, stable_id

# Entities answer who/what/where; numeric labels (dates, amounts) are not entities of the dataset.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
# Tie-break between labels of one cluster: the person/place labels NER confuses, most specific first.
_LABEL_PRIORITY = ("PERSON", "GPE", "ORG", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")

_LEADING_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['’]s?|\s+)$")
_EDGE_PUNCT = " \t\n\r\"'“”‘’«»()[]{},.;:!?-–—"
# A name that ends in an abbreviation keeps its final period: initials ("U.S", "D.C") and suffixes.
_ABBREVIATION_END = re.compile(r"(?:(?:^|[\s.])[A-Za-z]\.[A-Za-z]|\b(?:Jr|Sr|Inc|Co|Corp|Ltd|Bros|St))$")
# Honorifics that NER sometimes puts inside a PERSON span; the canonical name is the bare name.
_PERSON_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "sir", "president", "sen", "senator", "rep", "gov", "governor",
     "secretary", "minister", "prime", "gen", "general", "judge", "justice", "rev", "prof", "mayor"}
)


@dataclass(frozen=True)
class _Raw:
    """One cleaned NER mention before grouping."""

    start: int
    end: int
    text: str  # the cleaned name as written (whitespace collapsed)
    label: str


def extract_entities(doc: Doc, article_id: str) -> tuple[Entity, ...]:
    """Group ``doc.ents`` into one :class:`Entity` per canonical name, ordered by first mention."""
    raws = [raw for ent in doc.ents if ent.label_ in ENTITY_LABELS for raw in [_clean(ent)] if raw]
    clusters: dict[str, list[_Raw]] = {}
    for raw in raws:
        clusters.setdefault(raw.text.casefold(), []).append(raw)
    _merge_name_parts(clusters)
    entities = [_to_entity(members, article_id) for members in clusters.values()]
    return tuple(sorted(entities, key=lambda entity: (entity.first_offset, entity.name)))


def _clean(ent: Span) -> _Raw | None:
    """Strip a leading "the", a possessive and edge punctuation, keeping offsets in step with the text."""
    start, text = ent.start_char, ent.text
    match = _LEADING_ARTICLE.match(text)
    if match and len(text) > match.end():
        start, text = start + match.end(), text[match.end():]
    text = _POSSESSIVE.sub("", text) if len(text) > 3 else text
    stripped_left = text.lstrip(_EDGE_PUNCT)
    start += len(text) - len(stripped_left)
    text = stripped_left.rstrip(_EDGE_PUNCT)
    if stripped_left[len(text):].startswith(".") and _ABBREVIATION_END.search(text):
        text += "."  # "U.S.", "Martin Luther King Jr.": the period is part of the name
    if not any(char.isalpha() for char in text):
        return None
    if ent.label_ == "PERSON":
        start, text = _strip_titles(start, text)
    return _Raw(start=start, end=start + len(text), text=" ".join(text.split()), label=ent.label_)


def _strip_titles(start: int, text: str) -> tuple[int, str]:
    """Drop honorifics in front of a person's name ("Mr. Trump" -> "Trump"), never the whole name."""
    while True:
        match = re.match(r"([A-Za-z]+)\.?\s+", text)
        if not match or match.group(1).casefold() not in _PERSON_TITLES or len(text) == match.end():
            return start, text
        start, text = start + match.end(), text[match.end():]


def _merge_name_parts(clusters: dict[str, list[_Raw]]) -> None:
    """Fold clusters named by part of a longer PERSON name into that person (in place)."""
    person_names = {key: tuple(key.split()) for key, members in clusters.items() if _label_of(members) == "PERSON"}
    for key in sorted(clusters, key=lambda k: len(k.split())):
        parts = tuple(key.split())
        hosts = [
            host for host, host_parts in person_names.items()
            if len(host_parts) > len(parts) and _contains_run(host_parts, parts)
        ]
        # A part shared by two people ("Clinton" in "Hillary Clinton" and "Bill Clinton") is ambiguous:
        # leave it as its own entity rather than guess.
        if len(hosts) == 1 and key in clusters:
            clusters[hosts[0]].extend(clusters.pop(key))


def _contains_run(whole: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(whole[i:i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _label_of(members: list[_Raw]) -> str:
    counts = Counter(member.label for member in members)
    return max(counts, key=lambda label: (counts[label], -_LABEL_PRIORITY.index(label)))


def _to_entity(members: list[_Raw], article_id: str) -> Entity:
    names = Counter(member.text for member in members)
    # Longest name first ("Sergey Lavrov" over "Lavrov"), then ordinary case over a capitalised
    # dateline ("Moscow" over "MOSCOW"), then the most frequent and the earliest spelling.
    name = max(names, key=lambda text: (
        len(text.split()), not text.isupper(), names[text], -min(m.start for m in members if m.text == text)
    ))
    # The label is read from the mentions of the full name only: a person keeps PERSON however
    # often NER called a bare surname ORG.
    label = _label_of([member for member in members if member.text == name])
    mentions = tuple(sorted({Mention(m.start, m.end, m.text) for m in members}, key=lambda m: (m.start, m.end)))
    return Entity(
        entity_id=stable_id(article_id, label, name),
        article_id=article_id,
        name=name,
        label=label,
        mentions=mentions,
    )

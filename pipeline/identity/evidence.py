"""Additive statistics of one name key over the articles seen, and how one article contributes them.

Everything in :class:`NameStats` is a sum (counts) or a bound (first/last seen), so the stats of a
corpus are the :func:`combine` of its articles' stats in any order and any grouping, and an
article that is replaced takes its contribution back with :func:`subtract`. That is what lets a
run that sees only its new articles plus the stored stats of the names they mention reach the
decisions a run over the whole corpus would.

Size: counts are kept exact, so the entries of one key (its surface forms, labels and links) grow
with the distinct forms and keys it was seen with, which the key's folding keeps small for forms
and labels. Links can grow for a bare given name that stands for many people; readers
(:mod:`pipeline.identity.resolve`) look at the top :data:`READ_LIMIT` entries only, so pruning
happens at read time and never changes what combine and subtract compute.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Optional

from pipeline.identity.names import fold_name, label_class, name_key, split_key
from pipeline.records import Entity

READ_LIMIT = 32  # entries of forms/links a decision reads, largest counts first

Counts = tuple[tuple[str, int], ...]  # sorted by key: one canonical form for equal contents

# Words an acronym skips when it is read off a long form ("Union of European Football Associations").
_ACRONYM_SKIPS = frozenset({"of", "the", "and", "for", "de", "du", "des", "la", "le", "del", "on", "in", "&"})
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,7}$")


@dataclass(frozen=True)
class NameStats:
    """What the articles seen say about one name key."""

    forms: Counts  # surface forms as written -> mentions
    labels: Counts  # spaCy label of the mention's entity -> mentions (label votes)
    articles: int  # articles that mention the key
    mentions: int
    first_seen: Optional[datetime]
    last_seen: Optional[datetime]
    links: Counts = ()  # other key it stood for inside one article -> articles

    def top_forms(self, limit: int = READ_LIMIT) -> list[tuple[str, int]]:
        return _top(self.forms, limit)

    def top_links(self, limit: int = READ_LIMIT) -> list[tuple[str, int]]:
        return _top(self.links, limit)

    def link_count(self, key: str) -> int:
        return dict(self.links).get(key, 0)


def _top(counts: Counts, limit: int) -> list[tuple[str, int]]:
    return sorted(counts, key=lambda item: (-item[1], item[0]))[:limit]


def _counts(counter: Mapping[str, int]) -> Counts:
    return tuple(sorted((key, count) for key, count in counter.items() if count > 0))


def _add(a: Counts, b: Counts, sign: int = 1) -> Counts:
    total = Counter(dict(a))
    for key, count in b:
        total[key] += sign * count
    return _counts(total)


def _bound(pick, a: Optional[datetime], b: Optional[datetime]) -> Optional[datetime]:
    present = [value for value in (a, b) if value is not None]
    return pick(present) if present else None


def combine(a: NameStats, b: NameStats) -> NameStats:
    """The stats of both sets of articles (commutative and associative)."""
    return NameStats(
        forms=_add(a.forms, b.forms),
        labels=_add(a.labels, b.labels),
        articles=a.articles + b.articles,
        mentions=a.mentions + b.mentions,
        first_seen=_bound(min, a.first_seen, b.first_seen),
        last_seen=_bound(max, a.last_seen, b.last_seen),
        links=_add(a.links, b.links),
    )


def subtract(a: NameStats, b: NameStats) -> Optional[NameStats]:
    """``a`` without the contribution ``b`` (an article replaced by a new version); None when nothing is left.

    First and last seen are bounds, not sums: they stay those of ``a`` (a replaced article's new
    version is combined right after, and the bounds stay true of every article still counted)."""
    articles = a.articles - b.articles
    if articles <= 0:
        return None
    return NameStats(
        forms=_add(a.forms, b.forms, -1),
        labels=_add(a.labels, b.labels, -1),
        articles=articles,
        mentions=a.mentions - b.mentions,
        first_seen=a.first_seen,
        last_seen=a.last_seen,
        links=_add(a.links, b.links, -1),
    )


def combine_maps(a: Mapping[str, NameStats], b: Mapping[str, NameStats]) -> dict[str, NameStats]:
    """Key-wise :func:`combine` of two stats maps."""
    merged = dict(a)
    for key, stats in b.items():
        merged[key] = combine(merged[key], stats) if key in merged else stats
    return merged


def combine_all(maps: Iterable[Mapping[str, NameStats]]) -> dict[str, NameStats]:
    """The stats of a corpus from the stats of its articles (or of its parts)."""
    return reduce(combine_maps, maps, {})


def observe_article(entities: Sequence[Entity], *, seen_at: Optional[datetime]) -> dict[str, NameStats]:
    """The stats one article contributes, keyed by name key, from its entities (one article's tuple).

    Every mention counts under the key of its own text, with its entity's label. A mention whose key
    is not its entity's ("Trump" in the entity "Donald Trump") links its key to the entity's: the
    article is evidence that the short form stands for the full one. An acronym and a long form
    whose initials spell it, both in the article ("European Union ... EU"), link the same way, and so
    do an organisation named by the end of its name ("Seattle Mariners ... the Mariners") and a name
    written with an initial ("G. McGrath ... Glenn McGrath").
    """
    forms: dict[str, Counter[str]] = {}
    labels: dict[str, Counter[str]] = {}
    links: dict[str, Counter[str]] = {}
    for entity in entities:
        if label_class(entity.label) is None:
            continue
        entity_key = name_key(entity.name, entity.label)
        for mention in entity.mentions:
            key = name_key(mention.text, entity.label)
            if not split_key(key)[1]:
                continue
            forms.setdefault(key, Counter())[mention.text] += 1
            labels.setdefault(key, Counter())[entity.label] += 1
            if key != entity_key:
                links.setdefault(key, Counter())[entity_key] = 1
    for short, long in [*_acronym_links(entities), *_organisation_part_links(entities), *_initial_links(forms)]:
        if short in forms and long in forms:
            links.setdefault(short, Counter())[long] = 1
    return {
        key: NameStats(
            forms=_counts(forms[key]),
            labels=_counts(labels[key]),
            articles=1,
            mentions=sum(forms[key].values()),
            first_seen=seen_at,
            last_seen=seen_at,
            links=_counts(links.get(key, Counter())),
        )
        for key in forms
    }


def _acronym_links(entities: Sequence[Entity]) -> list[tuple[str, str]]:
    """(acronym key, long-form key) for the acronyms of the article spelt by another entity's initials."""
    long_forms: dict[str, list[str]] = {}
    for entity in entities:
        if label_class(entity.label) in (None, "PERSON"):
            continue
        for mention in entity.mentions:
            initials = acronym_of(mention.text)
            if initials:
                long_forms.setdefault(initials, []).append(name_key(mention.text, entity.label))
    pairs = []
    for entity in entities:
        for mention in entity.mentions:
            letters = mention.text.replace(".", "")
            if not _ACRONYM.match(letters):
                continue
            targets = sorted(set(long_forms.get(letters.casefold(), ())))
            if len(targets) == 1:  # two long forms with these initials: no evidence for either
                pairs.append((name_key(mention.text, entity.label), targets[0]))
    return pairs


def _organisation_part_links(entities: Sequence[Entity]) -> list[tuple[str, str]]:
    """(part key, organisation key) for an organisation named, elsewhere in the article, by the end of
    its name ("Seattle Mariners ... the Mariners"); entities.py does this for people only."""
    organisations = {name_key(entity.name, entity.label) for entity in entities if label_class(entity.label) == "ORG"}
    pairs = []
    for short in organisations:
        words = split_key(short)[1].split()
        hosts = [long for long in organisations
                 if len(split_key(long)[1].split()) > len(words) and _ends_with(split_key(long)[1].split(), words)]
        if len(hosts) == 1:  # the end of two names ("Sox": Red Sox, White Sox) is evidence for neither
            pairs.append((short, hosts[0]))
    return pairs


def _initial_links(keys: Iterable[str]) -> list[tuple[str, str]]:
    """(initial key, full key) for a name written with an initial where the article also spells it out:
    "G. McGrath" on a scorecard and "Glenn McGrath" in the report, "S. Korea" in a headline and
    "South Korea" in the text: the one key of the same class with the same other words whose first
    word starts with the initial ("S. Waugh" next to Steve and Mark Waugh is Steve). Two that fit
    ("S. Smith" next to Sue and Sam Smith) are evidence for neither."""
    by_rest: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        kind, name = split_key(key)
        words = name.split()
        if len(words) >= 2 and len(words[0]) > 1:
            by_rest.setdefault((kind, " ".join(words[1:])), []).append(key)
    pairs = []
    for key in keys:
        kind, name = split_key(key)
        initial, _, rest = name.partition(" ")
        if len(initial) != 1 or not rest:
            continue
        full = [long for long in by_rest.get((kind, rest), ()) if split_key(long)[1].startswith(initial)]
        if len(full) == 1:
            pairs.append((key, full[0]))
    return pairs


def _ends_with(words: list[str], part: list[str]) -> bool:
    return words[-len(part):] == part


def acronym_of(name: str) -> str | None:
    """The initials of a long name of two or more words ("European Union" -> "eu"), None otherwise."""
    words = [word for word in fold_name(name).split() if word not in _ACRONYM_SKIPS]
    if len(words) < 2:
        return None
    return "".join(word[0] for word in words)

"""Which identity a name key belongs to, decided from stored statistics only.

:func:`canonical_key` decides for one key by reading its own stats and those of its candidates
(``lookup``), never the whole corpus, so an incremental run decides for the keys it touched by
reading only their stats. One step moves a key to a better-evidenced key; the steps are followed
to the end (with a cycle guard). A step is, first that applies:

1. **Curated alias** (``aliases.yaml``): names no article can show to be one ("UK", "Britain").
2. **Class**: the same folded name under another class that has more mentions ("Japan" as ORG
   joins "Japan" as PLACE): NER's label flips, the name does not. A place never joins a person of
   its name ("Jordan"); a name NER called a person takes its own links first.
3. **Link**: the key stood for another key inside articles ("Trump" in an article about "Donald
   Trump", "EU" next to "European Union"). It joins the key it stood for when that key has at
   least :data:`MIN_LINK_ARTICLES` articles of evidence, a share :data:`MIN_LINK_SHARE` of the
   articles that mention the short form, and :data:`MIN_DOMINANCE` of all its links. A short form
   that stood for two identities ("Clinton": Bill and Hillary) fails the last test and stays an
   identity of its own rather than being merged blindly.
4. **Initial**: "S. Waugh" joins the one person the bare surname "Waugh" stood for whose given
   name starts with S, by the same thresholds.

Same stats, same decisions: no step reads the order in which the stats were built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Optional

import yaml

from pipeline.identity.evidence import NameStats
from pipeline.identity.names import fold_name, split_key

Lookup = Callable[[str], Optional[NameStats]]

MIN_LINK_ARTICLES = 1  # articles in which the short form stood for its long form
MIN_LINK_SHARE = 0.2  # of the short form's articles
MIN_DOMINANCE = 0.75  # of the short form's links going to the one long form
CLASS_RATIO = 1.0  # another class wins the name when it has more than this times the mentions
INTO_PERSON: frozenset[str] = frozenset({"org"})  # classes whose name can join a person of that name
CLASSES = ("person", "org", "place", "norp")
MAX_STEPS = 16
# Tie-break between labels of equal votes: the most specific first (as pipeline.nlp.entities does).
_LABEL_PRIORITY = ("PERSON", "GPE", "ORG", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Folded name -> canonical key, from the curated ``aliases.yaml``."""
    text = resources.files("pipeline.identity").joinpath("aliases.yaml").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for target, names in (yaml.safe_load(text) or {}).items():
        for name in names:
            table[fold_name(str(name))] = target
    return table


def canonical_key(key: str, lookup: Lookup) -> str:
    """The canonical key of the identity ``key`` belongs to (``key`` itself when nothing moves it)."""
    path = [key]
    while len(path) <= MAX_STEPS:
        step = next_key(path[-1], lookup)
        if step is None:
            return path[-1]
        if step in path:  # a cycle: every key on it gets the same, smallest, member
            return min(path[path.index(step):])
        path.append(step)
    return path[-1]


def resolve_all(stats_by_key: Mapping[str, NameStats]) -> dict[str, str]:
    """The canonical key of every key of a corpus."""
    return {key: canonical_key(key, stats_by_key.get) for key in sorted(stats_by_key)}


def affected_keys(key: str) -> tuple[str, ...]:
    """The keys whose :func:`next_key` can change when the stats of ``key`` change.

    For an incremental run: after adding its articles' stats, re-decide the step of every key its
    articles touched and of these. A step reads the key's own stats, its name under the other
    classes (the class step), the keys its links go to (only whether they exist, so they matter
    only when a key appears or disappears) and, for an initial ("s waugh"), the bare surname.
    A key's canonical key is the end of its chain of steps: store the steps and follow them when
    reading, or re-follow the chains that pass through a re-decided key.
    """
    kind, name = split_key(key)
    variants = [f"{other}:{name}" for other in CLASSES if other != kind]
    initials = [f"person:{letter} {name}" for letter in "abcdefghijklmnopqrstuvwxyz"] if kind == "person" else []
    return (key, *variants, *initials)


def next_key(key: str, lookup: Lookup) -> Optional[str]:
    """One step from ``key`` towards its identity, None when ``key`` is where it ends."""
    kind, name = split_key(key)
    target = aliases().get(name)
    if target is not None and target != key:
        return target
    stats = lookup(key)
    link = ((_link_step(stats, lookup) if stats else None)
            or (_initial_step(kind, name, lookup) if kind == "person" else None))
    if kind == "person" and link:  # a surname that stood for a full name is that person, whatever else it names
        return link
    return _class_step(kind, name, stats, lookup) or link


def _class_step(kind: str, name: str, stats: Optional[NameStats], lookup: Lookup) -> Optional[str]:
    own = stats.mentions if stats else 0
    best: Optional[tuple[tuple[int, int], str]] = None
    for other in CLASSES:
        # A place is not the person of the same name ("Jordan"); a name NER called a person
        # ("England", "Surrey" in a results table) is the place where the place is the more usual.
        if other == kind or (other == "person" and kind not in INTO_PERSON):
            continue
        candidate = lookup(f"{other}:{name}")
        if candidate and candidate.mentions > own * CLASS_RATIO:
            # Most mentions wins; equal counts go to the earlier class of CLASSES, never back and forth.
            rank = (candidate.mentions, -CLASSES.index(other))
            if best is None or rank > best[0]:
                best = (rank, f"{other}:{name}")
    return best[1] if best else None


def _dominant(links: list[tuple[str, int]], articles: int, lookup: Lookup) -> Optional[str]:
    """The one key that most of these links go to, when the evidence is strong enough."""
    links = [(key, count) for key, count in links if lookup(key) is not None]
    if not links:
        return None
    total = sum(count for _, count in links)
    key, count = links[0]
    if count >= MIN_LINK_ARTICLES and count >= MIN_LINK_SHARE * articles and count >= MIN_DOMINANCE * total:
        return key
    return None


def _link_step(stats: NameStats, lookup: Lookup) -> Optional[str]:
    return _dominant(stats.top_links(), stats.articles, lookup)


def _initial_step(kind: str, name: str, lookup: Lookup) -> Optional[str]:
    words = name.split()
    if len(words) < 2 or len(words[0]) != 1:
        return None
    surname = lookup(f"{kind}:{' '.join(words[1:])}")
    if surname is None:
        return None
    fitting = [(key, count) for key, count in surname.top_links()
               if _given_name_fits(split_key(key)[1].split(), words)]
    return _dominant(fitting, sum(count for _, count in fitting), lookup)


def _given_name_fits(full: list[str], initial_form: list[str]) -> bool:
    """"steve waugh" fits "s waugh": same surname, a given name that starts with the initial."""
    return (len(full) >= 2 and full[-len(initial_form) + 1:] == initial_form[1:]
            and len(full[0]) > 1 and full[0][0] == initial_form[0])


def preferred_name(stats: NameStats) -> str:
    """The fullest form used: most words, then not all-caps, then most mentions, then alphabetical."""
    forms = dict(stats.forms)
    return max(forms, key=lambda form: (len(form.split()), not form.isupper(), forms[form], form))


def label_of(stats: NameStats) -> str:
    """The label by mention vote, the most specific label winning a tie."""
    votes = dict(stats.labels)
    return max(votes, key=lambda label: (votes[label], -_priority(label)))


def _priority(label: str) -> int:
    return _LABEL_PRIORITY.index(label) if label in _LABEL_PRIORITY else len(_LABEL_PRIORITY)

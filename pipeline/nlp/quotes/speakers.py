"""Who is speaking: the speaker phrase as written, and the named entity it refers to.

A speaker is written as a name ("Lavrov", part of the entity "Sergey Lavrov"), a pronoun ("he"),
a relative pronoun ("who"), or a description ("the minister", "the top Russian diplomat", "a
spokeswoman for X").  Names link through the entity mentions; "who" links to the noun its clause
hangs from; pronouns link to the latest person (or group) who spoke or was the subject of a
sentence outside quotations; a definite description with a role noun links to the person
introduced with that title, else to the latest person.  What cannot be linked stays as written,
with a lower confidence.  There is no coreference model: this is deliberately simple and local.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.nlp.quotes.docindex import DocIndex, MentionRef
from pipeline.records import Entity

_PERSON_PRONOUNS = frozenset({"he", "him", "she", "her"})
_GROUP_PRONOUNS = frozenset({"they", "them", "we", "us"})
_GROUP_LABELS = frozenset({"ORG", "NORP", "GPE"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# Dependents that make a noun phrase longer than the speaker's name or description.
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "punct", "cc", "conj"})
_IDENTIFYING_PREPOSITIONS = frozenset({"for", "of", "at", "from", "with"})
# Nouns that describe a person by role: "the minister" may stand for a named person, "the report" may not.
ROLE_NOUNS = frozenset(
    """
    minister diplomat president senator governor official spokesman spokeswoman spokesperson candidate
    lawmaker mayor chief leader director secretary chairman chairwoman chair ambassador general
    commander prosecutor judge lawyer attorney congressman congresswoman representative businessman
    businesswoman billionaire nominee frontrunner front-runner rival opponent host anchor reporter
    founder executive economist analyst expert professor author actor actress star singer king queen
    prince princess pope premier chancellor envoy negotiator activist adviser advisor aide strategist
    manager coach officer sheriff commissioner mogul tycoon politician statesman incumbent challenger
    hopeful veteran man woman senior owner head counsel investigator researcher scientist doctor
    """.split()
)
# Nouns for groups of people, who may be sources but never stand for one named person.
GROUP_NOUNS = frozenset(
    """
    people voter supporter critic official protester protestor democrat republican resident fan member
    source leader observer analyst expert lawmaker activist group campaign team administration
    government committee party organization agency company newspaper network poll survey report study
    statement ad website magazine paper station channel court council senate house audience crowd
    """.split()
)
_SOURCE_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# How far back (characters) a pronoun or description may look for its referent.
_MAX_LOOKBACK = 3000
# Confidence in the speaker, by how it was found.
NAMED, PRONOUN, TITLED, DESCRIBED, UNRESOLVED = 1.0, 0.85, 0.85, 0.7, 0.45


@dataclass(frozen=True)
class SpeakerRef:
    """The speaker as written: the phrase, its span and its head token."""

    start: int
    end: int
    text: str
    head: Token


@dataclass(frozen=True)
class Resolution:
    name: str
    entity: Entity | None
    confidence: float


def speaker_phrase(head: Token) -> SpeakerRef:
    """The noun phrase headed by ``head`` within its line, without clauses and edge punctuation."""
    doc = head.doc
    left, right = head.i, head.i
    for child in head.children:
        if _identifies(child):
            left, right = min(left, child.left_edge.i), max(right, child.right_edge.i)
    # A headline or dateline above is never part of the speaker, whatever the parser attached.
    while left < head.i and "\n" in doc[left:head.i].text:
        left += 1
    while right > head.i and "\n" in doc[head.i:right + 1].text:
        right -= 1
    while right > left and doc[right].is_punct:
        right -= 1
    while left < right and doc[left].is_punct:
        left += 1
    span = doc[left:right + 1]
    return SpeakerRef(span.start_char, span.end_char, span.text, head)


def relative_antecedent(head: Token) -> Token | None:
    """The noun a relative pronoun stands for ("Rubio" for "who" in "Rubio, who said ...")."""
    if head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl" and head.head.head is not head.head:
        return head.head.head
    return None


def _identifies(child: Token) -> bool:
    """True for a dependent that says who the speaker is ("a spokeswoman for X", "Lavrov, the minister")."""
    if child.dep_ == "prep":
        return child.lower_ in _IDENTIFYING_PREPOSITIONS
    return child.dep_ not in _CLAUSE_DEPS


def is_plausible_source(index: DocIndex, head: Token) -> bool:
    """True when ``head`` can be someone who says something: a named person or body, a personal
    pronoun, or a noun for people ("the minister", "critics"); false for "the album", "the city"."""
    word = head.lower_
    if word in _PERSON_PRONOUNS or word in _GROUP_PRONOUNS or word in ("i", "you", "who"):
        return True
    if head.lemma_.lower() in ROLE_NOUNS or head.lemma_.lower() in GROUP_NOUNS:
        return True
    return any(
        mention.entity.label in _SOURCE_LABELS for mention in index.mentions_within(head.idx, head.idx + len(head))
    )


class SpeakerResolver:
    """Resolves speakers in reading order, remembering who spoke for later pronouns."""

    def __init__(self, index: DocIndex) -> None:
        self._index = index
        # Persons who are the subject of a sentence outside quotations: referents for "he"/"she".
        self._subjects: list[tuple[int, Entity]] = []
        for ref in index.mentions:
            if ref.entity.label == "PERSON" and self._is_subject_outside_quote(ref):
                self._subjects.append((ref.start, ref.entity))
        self._spoken: list[tuple[int, Entity]] = []  # (offset, entity) of resolved speakers, in order
        self._titles = self._person_titles()
        self._name_parts = self._person_name_parts()

    def resolve(self, ref: SpeakerRef) -> Resolution:
        entity = self._named(ref)
        if entity is not None:
            return Resolution(entity.name, entity, NAMED)
        antecedent = relative_antecedent(ref.head)
        if antecedent is not None:
            # "Rubio, who said ...": "who" as written, Rubio as resolved.
            return self.resolve(speaker_phrase(antecedent))
        word = ref.head.lower_
        if word in _PERSON_PRONOUNS:
            entity = self._recent(ref.start, person=True)
            return Resolution(entity.name, entity, PRONOUN) if entity else Resolution(ref.text, None, UNRESOLVED)
        if word in _GROUP_PRONOUNS:
            entity = self._recent(ref.start, person=False)
            return Resolution(entity.name, entity, PRONOUN) if entity else Resolution(ref.text, None, UNRESOLVED)
        if self._is_definite(ref.head) and ref.head.lemma_.lower() in ROLE_NOUNS:
            # "the minister": the person introduced with that title, else the latest person.
            entity = self._titled(ref.head, ref.start)
            if entity is not None:
                return Resolution(entity.name, entity, TITLED)
            entity = self._recent(ref.start, person=True)
            if entity is not None:
                return Resolution(entity.name, entity, DESCRIBED)
        # "a spokeswoman for X", "the report", "sources": someone the article does not name.
        return Resolution(ref.text, None, UNRESOLVED)

    def remember(self, offset: int, entity: Entity | None) -> None:
        """Record that ``entity`` spoke at ``offset``."""
        if entity is not None:
            insort(self._spoken, (offset, entity), key=lambda item: item[0])

    def _named(self, ref: SpeakerRef) -> Entity | None:
        """The entity whose mention holds the head, else a person named inside the phrase."""
        mentions = self._index.mentions_within(ref.start, ref.end)
        head_start, head_end = ref.head.idx, ref.head.idx + len(ref.head)
        for mention in mentions:
            if mention.start < head_end and head_start < mention.end:
                return mention.entity
        persons = [mention.entity for mention in mentions if mention.entity.label == "PERSON"]
        if persons:
            return persons[0]
        # A surname NER missed ("..., Okafor said" after "Daniel Okafor"): it still names that person.
        if ref.head.pos_ == "PROPN":
            return self._name_parts.get(ref.head.text)
        return None

    def _person_name_parts(self) -> dict[str, Entity]:
        """Each word of a multi-word person's name -> that person, when exactly one person has it."""
        owners: dict[str, set[Entity]] = {}
        for ref in self._index.mentions:
            words = ref.entity.name.split()
            if ref.entity.label == "PERSON" and len(words) > 1:
                for word in words:
                    owners.setdefault(word, set()).add(ref.entity)
        return {word: next(iter(people)) for word, people in owners.items() if len(people) == 1}

    def _recent(self, offset: int, *, person: bool) -> Entity | None:
        """The latest speaker or subject before ``offset`` that is a person (or a group), if close enough."""
        best: tuple[int, Entity] | None = None
        for pool in (self._spoken, self._subjects):
            at = bisect_right(pool, offset - 1, key=lambda item: item[0]) - 1
            while at >= 0 and offset - pool[at][0] <= _MAX_LOOKBACK:
                where, entity = pool[at]
                if (entity.label == "PERSON") if person else (entity.label in _GROUP_LABELS):
                    if best is None or where > best[0]:
                        best = (where, entity)
                    break
                at -= 1
        return None if best is None else best[1]

    def _titled(self, head: Token, offset: int) -> Entity | None:
        """A person introduced with this title earlier ("Foreign Minister Sergey Lavrov" for "the minister")."""
        candidates = [(at, entity) for at, entity in self._titles.get(head.lemma_.lower(), ()) if at < offset]
        return candidates[-1][1] if candidates else None

    def _person_titles(self) -> dict[str, list[tuple[int, Entity]]]:
        """Lower-cased words written just before each person's name (titles), with where they occur."""
        titles: dict[str, list[tuple[int, Entity]]] = {}
        doc = self._index.doc
        for ref in self._index.mentions:
            if ref.entity.label != "PERSON":
                continue
            token = self._index.token_at(ref.start)
            for previous in reversed(doc[max(token.i - 4, self._index.sentence_of(token).start):token.i]):
                if not previous.is_title and previous.lower_ != "of":
                    break
                titles.setdefault(previous.lemma_.lower(), []).append((ref.start, ref.entity))
            # "The mayor, Jane Smith, ..." / "Jane Smith, the mayor, ...": the other noun is a title.
            name_head = doc[token.i:token.i + len(ref.entity.name.split())].root
            if name_head.dep_ == "appos":
                titles.setdefault(name_head.head.lemma_.lower(), []).append((ref.start, ref.entity))
            for child in name_head.children:
                if child.dep_ == "appos" and child.pos_ == "NOUN":
                    titles.setdefault(child.lemma_.lower(), []).append((ref.start, ref.entity))
        return titles

    def _is_subject_outside_quote(self, ref: MentionRef) -> bool:
        token = self._index.token_at(ref.start)
        return not self._index.in_quote(token) and (token.dep_ in _SUBJECT_DEPS or token.head.dep_ in _SUBJECT_DEPS)

    @staticmethod
    def _is_definite(head: Token) -> bool:
        return any(child.dep_ in ("det", "poss") and child.lower_ not in ("a", "an", "another", "some") for child in head.children)

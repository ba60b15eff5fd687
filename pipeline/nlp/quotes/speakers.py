"""Who is speaking: the speaker phrase as written, and the named entity it refers to.

A speaker is written as a name ("Lavrov", part of the entity "Sergey Lavrov"), a pronoun ("he"),
a relative pronoun ("who"), or a description ("the minister", "the top Russian diplomat", "a
spokeswoman for X").  Names link through the entity mentions; "who" links to the noun its clause
hangs from; pronouns link to the latest person (or group) who spoke, or was the subject of a
sentence outside quotations and outside what someone is reported to have said; a definite
description with a role noun links to the person introduced with that title, else to the latest
person.  The resolved speaker is always an entity's name: what cannot be linked has none (the
mention keeps what the text says), with a lower confidence.

A pronoun's referent comes from outside quoted text, and never from the quotation it attributes:
in `"Mr Blair has failed," he claimed` the speaker is not Mr Blair.  A speaker stays the referent
until the end of what they said, so `"...," he added` after a quote continues that speaker even
when the quote named others; one the article does not name (a spokesman) continues too, as no
name.  Courtesy titles ("Mr", "Ms", "Lady") and gendered nouns ("spokeswoman") keep "he" and
"she" apart.  There is no coreference model: this is deliberately simple and local.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.cues import is_clitic_pronoun, is_cue_verb
from pipeline.nlp.quotes.docindex import DocIndex, MentionRef, SpanSet
from pipeline.records import Entity, Span

def is_pronoun(words: str, lexicon: Lexicon) -> bool:
    """True for a pronoun or relative ("I", "it", "who"), not a name written like one ("US")."""
    word = words.strip()
    return word.lower() in lexicon.pronouns and not (len(word) > 1 and word.isupper())


# Persons and bodies, who may say something (the project's labels, whatever the language).
_SOURCE_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_MAX_NAME_DEPTH = 4
_MORPH_GENDERS = {"Masc": "m", "Fem": "f"}
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
    """The speaker as resolved: an entity and its canonical name, or neither."""

    entity: Entity | None
    confidence: float

    @property
    def name(self) -> str | None:
        return self.entity.name if self.entity is not None else None


@dataclass(frozen=True)
class _Turn:
    """Someone who spoke: the referent of a later pronoun until someone else does."""

    start: int  # where the speaker is written
    until: int  # where the speaker's quote (or mention, if later) ends
    entity: Entity | None  # None: a speaker the article does not name ("a spokesman")
    group: bool
    gender: str | None


def speaker_phrase(head: Token, lexicon: Lexicon) -> SpeakerRef:
    """The noun phrase headed by ``head`` within its line, without clauses and edge punctuation
    (and without the hyphen of a clitic "-il")."""
    doc = head.doc
    if is_clitic_pronoun(head, lexicon):
        return SpeakerRef(head.idx + 1, head.idx + len(head), head.text[1:], head)
    while head.dep_ in lexicon.deps.name_parts and head.head.i < head.i:
        head = head.head  # "Dupont" of "Jean Dupont" found by position: the phrase is the whole name
    left, right = head.i, head.i
    for child in head.children:
        if _identifies(child, lexicon):
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
    if lexicon.inverted_cues and head.pos_ == "NOUN":
        right = name_beside(doc, right)
    span = doc[left:right + 1]
    return SpeakerRef(span.start_char, span.end_char, span.text, head)


def name_beside(doc: Doc, right: int) -> int:
    """The last token of the name French sets after a description, behind a comma, when it inverts
    the cue or follows "selon" ("a déclaré le président du jury, Philippe Morand", "selon le
    rapporteur, Marc Delorme,"): whatever the small parser made of it, that name says who the
    description is; ``right`` when no name follows on the line."""
    at = right + 2
    if at >= len(doc) or doc[right + 1].text != ",":
        return right
    titled = at
    while at < len(doc) and at - titled < _MAX_TITLE_WORDS and doc[at].pos_ in _TITLE_WORDS:
        at += 1  # "sa rapporteure, la sénatrice Lucie Marchand"
    if at >= len(doc) or doc[at].pos_ != "PROPN" or "\n" in doc[right:at + 1].text:
        return right
    name_start = at
    while at + 1 < len(doc) and doc[at + 1].pos_ == "PROPN" and "\n" not in doc[at + 1].text_with_ws:
        at += 1
    if name_start > titled and not _ends_phrase(doc, at + 1):
        # "selon le staff médical, le troisième-ligne Mathis Garnier, sorti sur une civière, ...":
        # a titled name that a clause goes on from is what is reported, not who reports it.
        return right
    return at


# Words of a title between the comma and the name; what may follow a titled name that ends the speaker.
_TITLE_WORDS, _MAX_TITLE_WORDS = frozenset({"DET", "NOUN", "ADJ"}), 3


def _ends_phrase(doc: Doc, at: int) -> bool:
    """True at the end of the sentence, or before a comma and the preposition of an adjunct
    ("..., la sénatrice Lucie Marchand, à l'issue du scrutin")."""
    if at >= len(doc) or doc[at].text in (".", "!", "?") or "\n" in doc[at].text:
        return True
    return doc[at].text == "," and at + 1 < len(doc) and doc[at + 1].pos_ == "ADP"


def relative_antecedent(head: Token, lexicon: Lexicon) -> Token | None:
    """The noun a relative pronoun stands for ("Rubio" for "who" in "Rubio, who said ...")."""
    relative = head.tag_ in lexicon.relative_tags or head.lower_ in lexicon.relative_words
    if relative and head.head.dep_ in lexicon.deps.relative_clause and head.head.head is not head.head:
        return head.head.head
    return None


def _identifies(child: Token, lexicon: Lexicon) -> bool:
    """True for a dependent that says who the speaker is ("a spokeswoman for X", "Lavrov, the minister")."""
    if is_loose_apposition(child, lexicon):
        return True
    if child.dep_ == lexicon.deps.preposition:
        return child.lower_ in lexicon.identifying_prepositions
    return child.dep_ not in lexicon.deps.clause_like


def is_loose_apposition(child: Token, lexicon: Lexicon) -> bool:
    """A name the parser made a conjunct of a noun it is set beside ("le directeur, Paul Mercier,"):
    right after a comma, with no conjunction of its own."""
    if child.dep_ not in lexicon.deps.loose_apposition or child.i == 0 or child.i < child.head.i:
        return False
    return child.doc[child.i - 1].text == "," and child.pos_ == "PROPN" and not any(
        grandchild.dep_ == lexicon.deps.coordinator for grandchild in child.children
    )


def pronoun_word(head: Token, lexicon: Lexicon) -> str:
    """The pronoun ``head`` is, lower-cased, without the hyphen of a clitic ("-il" -> "il")."""
    return head.lower_[1:] if is_clitic_pronoun(head, lexicon) else head.lower_


def is_plausible_source(index: DocIndex, head: Token) -> bool:
    """True when ``head`` can be someone who says something: a named person or body, a personal
    pronoun, or a noun for people ("the minister", "critics"); false for "the album", "the city"."""
    lexicon = index.lexicon
    if pronoun_word(head, lexicon) in lexicon.source_pronouns:
        return True
    if head.lemma_.lower() in lexicon.role_nouns or head.lemma_.lower() in lexicon.group_nouns:
        return True
    return any(
        mention.entity.label in _SOURCE_LABELS for mention in index.mentions_within(head.idx, head.idx + len(head))
    )


class SpeakerResolver:
    """Resolves speakers in reading order, remembering who spoke for later pronouns.

    ``contents`` is what the article's quotes report: a person who is the subject there ("Mr Howard
    said Mr Blair was wrong") is a referent only when no one else is.
    """

    def __init__(self, index: DocIndex, contents: SpanSet) -> None:
        self._index = index
        self._lexicon = lexicon = index.lexicon
        self._subject_deps = lexicon.deps.subject | lexicon.deps.passive_subject
        # Persons and bodies who are the subject of a sentence outside quotations: referents for
        # pronouns; those inside reported content only when nothing else is close enough.
        self._subjects: list[tuple[int, Entity]] = []
        self._reported: list[tuple[int, Entity]] = []
        for ref in index.mentions:
            if ref.entity.label in _SOURCE_LABELS and self._is_subject_outside_quote(ref):
                reported = contents.overlaps(ref.start, ref.end) or self._in_reported_clause(ref)
                (self._reported if reported else self._subjects).append((ref.start, ref.entity))
        self._turns: list[_Turn] = []  # who spoke, in the order they are written
        self._titles = self._person_titles()
        self._name_parts = self._person_name_parts()
        self._genders = self._person_genders()

    def resolve(self, ref: SpeakerRef, spans: tuple[Span, ...] = ()) -> Resolution:
        """The entity ``ref`` names or stands for; ``spans`` are the quote it attributes."""
        entity = self._named(ref)
        if entity is not None:
            return Resolution(entity, NAMED)
        lexicon = self._lexicon
        antecedent = relative_antecedent(ref.head, lexicon)
        if antecedent is not None:
            # "Rubio, who said ...": "who" as written, Rubio as resolved.
            return self.resolve(speaker_phrase(antecedent, lexicon), spans)
        word = pronoun_word(ref.head, lexicon)
        quoted = self._named_within(spans)
        if word in lexicon.person_pronouns or word in lexicon.group_pronouns:
            group = word in lexicon.group_pronouns
            entity = self._recent(ref.start, group=group, gender=lexicon.gender_of_pronoun.get(word), skip=quoted)
            return Resolution(entity, PRONOUN) if entity else Resolution(None, UNRESOLVED)
        if self._is_definite(ref.head) and ref.head.lemma_.lower() in lexicon.person_nouns:
            # "the minister": the person introduced with that title, else the latest person.
            entity = self._titled(ref.head, ref.start)
            if entity is not None:
                return Resolution(entity, TITLED)
            if self._stands_for_someone_named(ref.head):
                entity = self._recent(ref.start, group=False, gender=_gender_of_noun(ref.head, lexicon), skip=quoted)
                if entity is not None:
                    return Resolution(entity, DESCRIBED)
        # "a spokeswoman for X", "the report", "sources", "I": someone the article does not name.
        return Resolution(None, UNRESOLVED)

    def remember(self, ref: SpeakerRef, spans: tuple[Span, ...], resolution: Resolution) -> None:
        """Record that the speaker of ``ref`` said ``spans``: the referent of a later "he" (or
        "they") until someone else speaks or becomes the subject."""
        until = max([ref.end, *(span.end for span in spans)])
        entity, head = resolution.entity, ref.head
        if entity is not None:
            if entity.label in _SOURCE_LABELS:
                turn = _Turn(ref.start, until, entity, entity.label != "PERSON", self._genders.get(entity.entity_id))
                insort(self._turns, turn, key=_start)
            return
        # An unnamed speaker ("a spokesman", or a "he" that found no one) takes the turn as well.
        lexicon = self._lexicon
        word, lemma = pronoun_word(head, lexicon), head.lemma_.lower()
        if word in lexicon.person_pronouns or (word in lexicon.group_pronouns and word not in lexicon.first_and_second_person):
            turn = _Turn(ref.start, until, None, word in lexicon.group_pronouns, lexicon.gender_of_pronoun.get(word))
            insort(self._turns, turn, key=_start)
        elif lemma in lexicon.person_nouns or lemma in lexicon.group_nouns:
            group = _is_plural(head, lexicon) or lemma not in lexicon.person_nouns
            insort(self._turns, _Turn(ref.start, until, None, group, _gender_of_noun(head, lexicon)), key=_start)

    def _named(self, ref: SpeakerRef) -> Entity | None:
        """The entity whose mention holds the head, else a person the phrase names as the speaker
        ("the minister, Jane Smith"; not "Mr Blair's supporters" or "a spokesman for X")."""
        if is_clitic_pronoun(ref.head, self._lexicon) or is_pronoun(ref.head.text, self._lexicon):
            return None  # an "I" or "It" the recogniser took for a name
        mentions = self._index.mentions_within(ref.start, ref.end)
        head_start, head_end = ref.head.idx, ref.head.idx + len(ref.head)
        for mention in mentions:
            if mention.start < head_end and head_start < mention.end:
                return mention.entity
        for mention in mentions:
            if mention.entity.label == "PERSON" and self._names_head(mention, ref.head):
                return mention.entity
        lexicon = self._lexicon
        if lexicon.inverted_cues:
            # "le président du jury, Philippe Morand" (see _name_beside): the name after the comma.
            for mention in mentions:
                if mention.start >= head_end and "," in self._index.text[head_end:mention.start] \
                        and mention.entity.label in _SOURCE_LABELS:
                    return mention.entity
        if ref.head.lemma_.lower() in lexicon.source_documents:
            # "les calculs de l'Unédic": a document speaks for the body or person it is by.
            for mention in mentions:
                if mention.start >= head_end and mention.entity.label in _SOURCE_LABELS:
                    return mention.entity
        # A surname NER missed ("..., Okafor said" after "Daniel Okafor"): it still names that person.
        if ref.head.pos_ == "PROPN":
            return self._name_parts.get(ref.head.text)
        return None

    def _names_head(self, mention: MentionRef, head: Token) -> bool:
        """True when ``mention`` hangs from ``head`` as its name: through an apposition ("the
        mayor, Jane Smith"), or as compounds of a head that is itself a name ("Bozell III")."""
        doc = self._index.doc
        first, last = self._index.token_at(mention.start).i, self._index.token_at(mention.end - 1).i
        token = next((token for token in doc[first:last + 1] if not first <= token.head.i <= last), doc[last])
        deps = []
        for _ in range(_MAX_NAME_DEPTH):
            loose = is_loose_apposition(token, self._lexicon)
            if token.i == head.i or (token.dep_ not in self._lexicon.deps.naming and not loose) or token.head.i == token.i:
                break
            deps.append(self._lexicon.deps.apposition if loose else token.dep_)
            token = token.head
        # "M. Dupont", where the parser makes the title the head and the name its flat dependent.
        titled = head.lower_.rstrip(".") in self._lexicon.titles_before_name
        return token.i == head.i and (self._lexicon.deps.apposition in deps or head.pos_ == "PROPN" or titled)

    def _named_within(self, spans: tuple[Span, ...]) -> frozenset[str]:
        """Ids of the entities named inside a quote: never the referent of its own speaker."""
        return frozenset(
            mention.entity.entity_id for span in spans for mention in self._index.mentions_within(span.start, span.end)
        )

    def _person_name_parts(self) -> dict[str, Entity]:
        """Each word of a multi-word person's name -> that person, when exactly one person has it."""
        owners: dict[str, set[Entity]] = {}
        for ref in self._index.mentions:
            words = ref.entity.name.split()
            if ref.entity.label == "PERSON" and len(words) > 1:
                for word in words:
                    owners.setdefault(word, set()).add(ref.entity)
        return {word: next(iter(people)) for word, people in owners.items() if len(people) == 1}

    def _person_genders(self) -> dict[str, str]:
        """Entity id -> "m" or "f", for a person written with courtesy titles of one only ("Mr Howard")."""
        seen: dict[str, set[str]] = {}
        doc = self._index.doc
        for ref in self._index.mentions:
            token = self._index.token_at(ref.start)
            gender = self._lexicon.gender_words.get(doc[token.i - 1].lower_) if token.i > 0 else None
            if ref.entity.label == "PERSON" and gender is not None:
                seen.setdefault(ref.entity.entity_id, set()).add(gender)
            if ref.entity.label == "PERSON" and self._lexicon.gender_by_morph:
                gender = self._gender_by_agreement(token)
                if gender is not None:
                    seen.setdefault(ref.entity.entity_id, set()).add(gender)
        return {entity_id: genders.pop() for entity_id, genders in seen.items() if len(genders) == 1}

    def _gender_by_agreement(self, first: Token) -> str | None:
        """The gender of the description a name is set beside ("La responsable des opérations,
        Julie Perrot", "la sprinteuse Inès Dubois"), read from its determiner: French agrees it
        with the person, even on nouns of either gender ("la ministre", "le maire")."""
        described = self._described_by(first)
        if described is None and first.i > 0 and first.doc[first.i - 1].pos_ == "NOUN":
            described = first.doc[first.i - 1]
        if described is None:
            return None
        for child in described.children:
            if child.dep_ == self._lexicon.deps.determiner:
                genders = child.morph.get("Gender")
                if len(genders) == 1 and genders[0] in _MORPH_GENDERS:
                    return _MORPH_GENDERS[genders[0]]
        return _gender_of_noun(described, self._lexicon)

    def _described_by(self, first: Token) -> Token | None:
        """The noun phrase a name is set beside after a comma ("Le ministre de l'Économie, Paul
        Durand"): the head of the nouns that end right before the comma, if any."""
        doc = first.doc
        if first.i < 2 or doc[first.i - 1].text != ",":
            return None
        left, found = doc[first.i - 2], None
        for _ in range(_MAX_NAME_DEPTH):
            if left.pos_ == "NOUN" and left.i < first.i and left.right_edge.i >= first.i - 2:
                found = left
            if left.head is left or left.head.i > first.i:
                break
            left = left.head
        return found

    def _recent(self, offset: int, *, group: bool, gender: str | None, skip: frozenset[str]) -> Entity | None:
        """The referent of a pronoun or description at ``offset``: the latest speaker or subject
        before it that is a person (or a group) of that gender and not named in the quote itself,
        if close enough; failing both, a subject of what someone was reported to say.  When the
        latest is a speaker the article does not name ("a spokesman said ... he added"): None."""
        def fits(entity: Entity | None, is_group: bool, its_gender: str | None) -> bool:
            if entity is not None and entity.entity_id in skip:
                return False
            return is_group == group and (gender is None or its_gender in (None, gender))

        turn = next(
            (turn for turn in reversed(self._turns)
             if turn.start < offset and offset - turn.until <= _MAX_LOOKBACK and fits(turn.entity, turn.group, turn.gender)),
            None,
        )
        # A subject takes over from the latest speaker only after what that speaker said.
        subject = self._latest(self._subjects, offset, fits)
        if subject is not None and (turn is None or subject[0] > turn.until):
            return subject[1]
        if turn is not None:
            return turn.entity
        reported = self._latest(self._reported, offset, fits)
        return reported[1] if reported is not None else None

    def _latest(self, pool: list[tuple[int, Entity]], offset: int, fits: Callable[..., bool]) -> tuple[int, Entity] | None:
        for at, entity in reversed(pool):
            if at >= offset:
                continue
            if offset - at > _MAX_LOOKBACK:
                break
            if fits(entity, entity.label != "PERSON", self._genders.get(entity.entity_id)):
                return at, entity
        return None

    def _titled(self, head: Token, offset: int) -> Entity | None:
        """A person introduced with this title earlier ("Foreign Minister Sergey Lavrov" for "the minister")."""
        candidates = [(at, entity) for at, entity in self._titles.get(head.lemma_.lower(), ()) if at < offset]
        return candidates[-1][1] if candidates else None

    def _person_titles(self) -> dict[str, list[tuple[int, Entity]]]:
        """Lower-cased words written just before each person's name (titles), with where they occur."""
        titles: dict[str, list[tuple[int, Entity]]] = {}
        doc, lexicon = self._index.doc, self._lexicon
        appos = lexicon.deps.apposition
        for ref in self._index.mentions:
            if ref.entity.label != "PERSON":
                continue
            token = self._index.token_at(ref.start)
            for previous in reversed(doc[max(token.i - 4, self._index.sentence_of(token).start):token.i]):
                # "Foreign Minister Sergey Lavrov", "Lib Dem spokesman Mark Oaten"
                if not previous.is_title and previous.lower_ not in lexicon.title_joiners \
                        and previous.lemma_.lower() not in lexicon.person_nouns:
                    break
                titles.setdefault(previous.lemma_.lower(), []).append((ref.start, ref.entity))
            # "The mayor, Jane Smith, ..." / "Jane Smith, the mayor, ...": the other noun is a title.
            name_head = doc[token.i:token.i + len(ref.entity.name.split())].root
            if name_head.dep_ == appos:
                titles.setdefault(name_head.head.lemma_.lower(), []).append((ref.start, ref.entity))
            for child in name_head.children:
                if child.dep_ == appos and child.pos_ == "NOUN":
                    titles.setdefault(child.lemma_.lower(), []).append((ref.start, ref.entity))
        return titles

    def _is_subject_outside_quote(self, ref: MentionRef) -> bool:
        token = self._index.token_at(ref.start)
        if self._lexicon.inverted_cues and not self._index.in_quote(token) and self._after_cue(token):
            return True  # "..., a annoncé la maire, Hélène Garnier": the one who spoke
        if self._lexicon.inverted_cues and not self._index.in_quote(token) and self._opens_sentence(token):
            return True  # "Le capitaine, Baptiste Lafont, s'est montré ...", whatever the parser hung the name on
        while token.dep_ in self._lexicon.deps.name_parts and token.head.i < token.i:
            token = token.head  # "Laurent" of "M. Laurent Berger": the name's role is its title's
        return not self._index.in_quote(token) and (
            token.dep_ in self._subject_deps or token.head.dep_ in self._subject_deps
        )

    def _opens_sentence(self, token: Token) -> bool:
        """True for a name before the first verb of its sentence, not governed by a preposition
        ("Le capitaine, Baptiste Lafont, s'est montré ..."; not "Selon M. Arnault, ..."): the
        subject, in French word order, where the small parser often hangs it elsewhere or on the
        line before."""
        sentence = self._index.sentence_of(token)
        if sentence[0].pos_ == "ADP" or (token.i > sentence.start and token.doc[token.i - 1].pos_ == "ADP"):
            return False
        return not any(word.pos_ in ("VERB", "AUX") for word in token.doc[sentence.start:token.i])

    def _after_cue(self, token: Token) -> bool:
        """True for a name, or the noun it names, right of a verb of saying it hangs from (an
        inverted subject, whatever label the parser gave it)."""
        deps = self._lexicon.deps
        hangs = deps.inverted_speaker | {deps.conjunct, deps.apposition}
        for candidate in (token, token.head, token.head.head):
            verb = candidate.head
            if candidate.i > verb.i and candidate.dep_ in hangs and is_cue_verb(verb, self._lexicon):
                return True
        return False

    def _in_reported_clause(self, ref: MentionRef) -> bool:
        """True inside the clause a verb of saying reports or asks ("asked why Mr Smith had
        resigned"), whether or not it became a quote."""
        token = self._index.token_at(ref.start)
        while token.head.i != token.i:
            if token.dep_ == self._lexicon.deps.clause and is_cue_verb(token.head, self._lexicon):
                return True
            token = token.head
        return False

    def _stands_for_someone_named(self, head: Token) -> bool:
        """True for "the minister", which may be the latest person; false for "the prime minister's
        spokesman" or "our correspondent", who speak for someone else or are the writer's own."""
        lexicon = self._lexicon
        possessive = lexicon.deps.possessive
        return head.lemma_.lower() not in lexicon.proxy_nouns and not any(child.dep_ == possessive for child in head.children)

    def _is_definite(self, head: Token) -> bool:
        lexicon = self._lexicon
        determiners = {lexicon.deps.determiner, lexicon.deps.possessive}
        return any(
            child.dep_ in determiners and child.lower_ not in lexicon.indefinite_determiners for child in head.children
        )


def _gender_of_noun(head: Token, lexicon: Lexicon) -> str | None:
    return lexicon.gender_words.get(head.lemma_.lower()) or lexicon.gender_words.get(head.lower_)


def _is_plural(head: Token, lexicon: Lexicon) -> bool:
    """A plural noun ("spokesmen"): by its tag, or by its morphology where the tags do not say."""
    return head.tag_ in lexicon.plural_tags or (lexicon.plural_by_morph and "Plur" in head.morph.get("Number"))


def _start(turn: _Turn) -> int:
    return turn.start

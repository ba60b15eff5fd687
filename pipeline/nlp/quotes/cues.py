"""The reporting cues: which words introduce what someone said, wrote, thought or wanted.

The words are the language's (``Lexicon.speech_verbs``, ``object_verbs``, ``infinitive_verbs``,
``preposition_cues``, in pipeline/nlp/lang/<code>.py); the rules are written once.  Next to a quotation in marks almost any
verb of saying is a cue ("...," he laughed).  Without marks a verb counts only with a complement
of the kind it takes as reported content:

- a clause (``deps.clause``, English ``ccomp``): "X said (that) ...", "X believes ...";
- an object (``deps.object``, English ``dobj``, with what follows it): "X criticized the plan";
- an infinitive (``deps.open_clause``): "X vowed to ...", "X refused to ...";
- a preposition's object, for the verb+preposition pairs listed: "X called for ...".

Every cue also has a class (``Quote.cue_class``, ``Lexicon.cue_classes``): ``speech`` (what was
said or written, including stances taken out loud: "criticized", "welcomed"), ``thought`` (what
someone believes, feels or favours), ``intention`` (what someone means to do or wants done) or
``other`` (an action or a finding: "show", "vote for").  The class describes a quote; it does not
decide whether there is one (see :func:`reports_object`).
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Token

from pipeline.nlp.lang import Lexicon

# The cue of a byline (`"..." ― Jane Doe`), whichever dash the text uses.
DASH_CUE = "—"
# The cue of a colon that introduces a quotation or ends a speaker label.
COLON_CUE = ":"

SPEECH, THOUGHT, INTENTION, OTHER = "speech", "thought", "intention", "other"
# Cues every language shares: punctuation that attributes.
_PUNCTUATION_CUES = frozenset({COLON_CUE, DASH_CUE})


# Tags a listed form of a verb of saying may carry and still be the verb ("ajouté" as an adverb):
# not a noun ("l'estime"), name, determiner or function word.
_NOT_A_VERB = frozenset({"NOUN", "PROPN", "DET", "ADP", "PRON", "NUM", "PUNCT", "CCONJ", "SCONJ", "SPACE"})


def verb_lemma(token: Token, lexicon: Lexicon) -> str:
    """The lemma of a (possible) verb: the lexicon's for a form it lists, else the lemmatizer's."""
    return lexicon.cue_forms.get(token.lower_) or token.lemma_.lower()


def is_cue_verb(token: Token, lexicon: Lexicon) -> bool:
    """True for a verb of saying (by lemma) used as a verb."""
    if token.pos_ in ("VERB", "AUX") and verb_lemma(token, lexicon) in lexicon.speech_verbs:
        return True
    return token.lower_ in lexicon.cue_forms and (
        token.pos_ not in _NOT_A_VERB or _after_auxiliary(token) or _after_closing_mark(token, lexicon)
        or _before_clitic_subject(token, lexicon)
    )


def _before_clitic_subject(token: Token, lexicon: Lexicon) -> bool:
    """True for a listed form right before its hyphenated subject ("soupire-t-elle", "lance-t-il"):
    only a verb takes one, whatever the tagger made of it."""
    doc = token.doc
    at = token.i + 1
    if at < len(doc) and doc[at].lower_ == "-t":
        at += 1
    return lexicon.clitic_subjects and at < len(doc) and is_clitic_pronoun(doc[at], lexicon)


def _after_closing_mark(token: Token, lexicon: Lexicon) -> bool:
    """True right after a closing mark and a comma (`», rapporte X`): the place of an inverted cue,
    where a listed form is the verb whatever the tagger made of it."""
    doc = token.doc
    return token.i >= 2 and doc[token.i - 1].text == "," and doc[token.i - 2].text[-1:] in lexicon.closing_marks


def _after_auxiliary(token: Token) -> bool:
    """True for a participle right after its auxiliary, clitics between allowed ("a répondu",
    "a-t-il répondu"): a verb, whatever the tagger made of it."""
    at = token.i - 1
    while at >= 0 and token.doc[at].text.startswith("-"):
        at -= 1
    return at >= 0 and token.doc[at].pos_ == "AUX"


def is_clitic_pronoun(token: Token, lexicon: Lexicon) -> bool:
    """A subject pronoun joined by a hyphen after its verb ("-il" of "a-t-il"), in a language that has them."""
    return token.text[:1] == "-" and token.lower_[1:] in lexicon.person_pronouns | lexicon.group_pronouns


def takes_content(verb: Token, child: Token, lexicon: Lexicon) -> bool:
    """True when ``child`` of ``verb`` holds the content ``verb`` attributes (see the module doc)."""
    lemma, dep, deps = verb_lemma(verb, lexicon), child.dep_, lexicon.deps
    if dep == deps.clause:
        return lemma in lexicon.speech_verbs
    if child.i > verb.i and child.left_edge.lower_ in lexicon.complementizers and child.pos_ in ("VERB", "AUX"):
        # "a indiqué qu'une mission serait dépêchée ...": a clause opened by "que" is what the verb
        # reports, whatever label the small parser gave it (an adverbial clause, an object).
        return lemma in lexicon.speech_verbs
    if child.i < verb.i:
        return False
    if dep == deps.object:
        return lemma in lexicon.object_verbs
    if dep == deps.open_clause:
        return lemma in lexicon.infinitive_verbs
    if dep == deps.preposition and deps.preposition:
        return (lemma, child.lower_) in lexicon.preposition_cues
    return False


def reports_object(content: Token, lexicon: Lexicon) -> bool:
    """True when ``content``, a dependent that :func:`takes_content` accepts, is a report rather
    than a fragment: a clause is more than its head (the parser sometimes makes the "m" of
    "£28.7m" a clause on its own; a verbless small clause, "found the remarks compelling", is
    still one), and an object that is a bare date or time ("name the day") says when, not what.

    The fragments are told apart by the parse alone, not by the cue's class: PolNeAR annotates
    stances on a bare object ("endorsed Clinton", "polls show Clinton ahead", "want a
    revolution") whatever the verb, and dropping those costs more than it gains (docs/quotes.md).
    """
    deps = lexicon.deps
    if content.dep_ == deps.clause:
        return any(True for _ in content.children)
    noun = (
        next((child for child in content.children if child.dep_ == deps.prepositional_object), None)
        if content.dep_ == deps.preposition
        else content
    )
    if noun is None or content.dep_ == deps.open_clause:
        return True
    bare = {deps.determiner, deps.possessive}
    return not (noun.ent_type_ in _WHEN and all(child.dep_ in bare for child in noun.children))


# Entity labels of a time.
_WHEN = frozenset({"DATE", "TIME"})


def cue_lemma(token: Token, lexicon: Lexicon) -> str:
    """The cue as a lemma, with its particle when it has one ("point out")."""
    lemma = verb_lemma(token, lexicon)
    for child in token.children:
        if child.dep_ == lexicon.deps.particle and (lemma, child.lower_) in lexicon.particle_cues:
            return lexicon.particle_cues[(lemma, child.lower_)]
    return lemma


def cue_class(lemma: str, lexicon: Lexicon) -> str:
    """The class of a cue lemma (see ``Lexicon.cue_classes``); a verb+preposition cue ("call for")
    not listed whole takes its verb's; lemmas listed nowhere are ``other``."""
    classes = _classes(lexicon)
    return classes.get(lemma) or classes.get(lemma.split(" ", 1)[0], OTHER)


@lru_cache(maxsize=None)
def _classes(lexicon: Lexicon) -> dict[str, str]:
    """Cue lemma -> its class, built once per lexicon."""
    classes = {lemma: name for name, lemmas in lexicon.cue_classes.items() for lemma in lemmas}
    classes.update(dict.fromkeys(_PUNCTUATION_CUES, SPEECH))
    return classes


def according_to_at(token: Token, lexicon: Lexicon) -> tuple[Token, str] | None:
    """(the phrase's last token, its cue lemma) when ``token`` opens an "according to X" phrase
    ("according to", "selon", "d'après"), else None."""
    if token.lower_ not in _first_words(lexicon):
        return None  # most tokens: one set lookup (this runs on every token of the article)
    doc = token.doc
    for words, lemma in lexicon.according_to.items():
        end = token.i + len(words)
        if end <= len(doc) and all(doc[token.i + k].lower_ == word for k, word in enumerate(words)):
            return doc[end - 1], lemma
    return None


@lru_cache(maxsize=None)
def _first_words(lexicon: Lexicon) -> frozenset[str]:
    """The words that open an attribution phrase ("according", "selon", "d'")."""
    return frozenset(words[0] for words in lexicon.according_to)

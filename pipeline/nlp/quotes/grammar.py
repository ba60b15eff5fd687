"""Small dependency-tree helpers shared by the direct, indirect and fragment extractors.

Dependency labels are the language's (``Lexicon.deps``): English ``nsubj``/``nsubjpass``/``agent``,
Universal Dependencies ``nsubj``/``nsubj:pass``/``obl:agent``.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.cues import according_to_at, is_clitic_pronoun
from pipeline.nlp.quotes.docindex import DocIndex

_MAX_CLIMB = 4
# The "-t-" between a verb and "il"/"elle" ("a-t-il"), which the tokenizer keeps apart.
_EUPHONIC_T = "-t"


def subject_of(verb: Token, lexicon: Lexicon) -> Token | None:
    """The subject of a verb, climbing through xcomp/conj chains, in the verb's paragraph, or None."""
    subject = _subject(verb, lexicon)
    if subject is None or same_paragraph(subject, verb):
        return subject
    # "2:40 p.m.\n\nTrump's campaign manager says": the parser made the time stamp above the
    # subject and the real subject its apposition.
    appos = lexicon.deps.apposition
    return next((child for child in subject.children if child.dep_ == appos and same_paragraph(child, verb)), None)


def same_paragraph(first: Token, second: Token) -> bool:
    """No line break between the two tokens (the parser sometimes links a headline to the text)."""
    low, high = sorted((first.i, second.i))
    return "\n" not in first.doc[low:high + 1].text


def _subject(verb: Token, lexicon: Lexicon) -> Token | None:
    deps = lexicon.deps
    if lexicon.clitic_subjects:
        clitic = clitic_subject(verb, lexicon)
        if clitic is not None:
            return clitic
    for _ in range(_MAX_CLIMB):
        # Nearest first: a quotation before `"...," Smith wrote` may bring a subject of its own.
        for child in sorted(verb.children, key=lambda child: abs(child.i - verb.i)):
            if child.dep_ in deps.subject:
                if child.i == verb.i - 1 and child.lower_ in lexicon.object_clitics:
                    continue  # "lui répond le procureur": the clitic is the verb's object, whatever the parse
                return child
            if child.dep_ in deps.passive_subject:
                if _has_said(verb, lexicon):
                    return child
                # "She was asked whether ..." is not her saying it; "... was reported by X" is X.
                return _agent(verb, lexicon)
        if deps.prepositional_clause and verb.dep_ == deps.prepositional_clause and verb.head.dep_ == deps.preposition \
                and verb.head.head is not verb.head:
            verb = verb.head  # "tried to laugh it off by interjecting": on through "by"
        elif verb.dep_ not in deps.subject_climb or verb.head is verb:
            return None
        verb = verb.head
    return None


def clitic_subject(verb: Token, lexicon: Lexicon) -> Token | None:
    """The hyphenated subject pronoun of an inverted verb, by position: right after it
    ("affirme-t-elle") or right before it, after its auxiliary ("a-t-il ajouté").  The small
    French parser hangs these clitics anywhere, so the tree is no guide."""
    doc = verb.doc
    for token in doc[verb.i + 1:verb.i + 3]:
        if is_clitic_pronoun(token, lexicon):
            return token
        if token.text != _EUPHONIC_T:
            break
    for token in reversed(doc[max(verb.i - 3, 0):verb.i]):
        if is_clitic_pronoun(token, lexicon):
            return token
        if token.text != _EUPHONIC_T and token.pos_ != "AUX":
            break
    return None


def _has_said(verb: Token, lexicon: Lexicon) -> bool:
    """"He's said he ...": the parser reads the contracted "has" as a passive "is"; with a clause
    after the verb it is the perfect tense of an active verb."""
    deps = lexicon.deps
    return any(
        child.dep_ == deps.passive_auxiliary and child.lower_ in lexicon.contracted_has for child in verb.children
    ) and any(child.dep_ == deps.clause and child.i > verb.i for child in verb.children)


def _agent(verb: Token, lexicon: Lexicon) -> Token | None:
    deps = lexicon.deps
    for child in verb.children:
        if child.dep_ == deps.agent:
            if not deps.prepositional_object:
                return child  # Universal Dependencies: the agent is the noun itself ("par X")
            return next((grandchild for grandchild in child.children if grandchild.dep_ == deps.prepositional_object), None)
    return None


def according_to_object(according: Token, lexicon: Lexicon) -> Token | None:
    """X in "according to X" ("selon X", "d'après X")."""
    found = according_to_at(according, lexicon)
    if found is None:
        return None
    last = found[0]
    if not lexicon.deps.prepositional_object:
        # Universal Dependencies hang the preposition on its noun ("selon" is X's ``case``).
        head = last.head if last.head.i > last.i else according.head
        return head if head.i > last.i and same_paragraph(head, according) else None
    for child in [*last.children, *according.children]:  # the parser sometimes hangs X on "according"
        if child.dep_ == lexicon.deps.prepositional_object and same_paragraph(child, according):
            return child
    return None


def content_span(index: DocIndex, first: int, last: int, *, anchor: Token) -> tuple[int, int] | None:
    """Characters of tokens ``[first, last)`` within ``anchor``'s paragraph (the parser sometimes
    runs a clause over a paragraph break), trimmed, and grown to hold whole quotations."""
    low, high = index.paragraph_tokens(anchor)
    first, last = max(first, low), min(last, high)
    if first >= last:
        return None
    return index.widen_to_quotations(*trimmed_span(index.doc, first, last))


def trimmed_span(doc: Doc, first: int, last: int) -> tuple[int, int]:
    """Character span of tokens ``[first, last)`` without edge punctuation and spaces."""
    while last - 1 > first and (doc[last - 1].is_punct or doc[last - 1].is_space) and not _is_mark(doc[last - 1]):
        last -= 1
    while first < last - 1 and (doc[first].is_punct or doc[first].is_space) and not _is_mark(doc[first]):
        first += 1
    return doc[first].idx, doc[last - 1].idx + len(doc[last - 1])


def _is_mark(token: Token) -> bool:
    return token.text in ('"', "“", "”", "''", "«", "»")

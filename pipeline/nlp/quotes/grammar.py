"""Small dependency-tree helpers shared by the direct and indirect extractors."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.quotes.cues import is_according_to

# A cue verb without its own subject borrows the one of the verb it hangs from:
# "he went on to say" (xcomp), "he laughed and said" (conj), "voters are likely to say" (acomp).
_SUBJECT_CLIMB_DEPS = frozenset({"xcomp", "conj", "advcl", "acomp"})
_MAX_CLIMB = 4


def subject_of(verb: Token) -> Token | None:
    """The subject of a verb, climbing through xcomp/conj chains, in the verb's paragraph, or None."""
    subject = _subject(verb)
    if subject is None or same_paragraph(subject, verb):
        return subject
    # "2:40 p.m.\n\nTrump's campaign manager says": the parser made the time stamp above the
    # subject and the real subject its apposition.
    return next((child for child in subject.children if child.dep_ == "appos" and same_paragraph(child, verb)), None)


def same_paragraph(first: Token, second: Token) -> bool:
    """No line break between the two tokens (the parser sometimes links a headline to the text)."""
    low, high = sorted((first.i, second.i))
    return "\n" not in first.doc[low:high + 1].text


def _subject(verb: Token) -> Token | None:
    for _ in range(_MAX_CLIMB):
        # Nearest first: a quotation before `"...," Smith wrote` may bring a subject of its own.
        for child in sorted(verb.children, key=lambda child: abs(child.i - verb.i)):
            if child.dep_ == "nsubj":
                return child
            if child.dep_ == "nsubjpass":
                if _has_said(verb):
                    return child
                # "She was asked whether ..." is not her saying it; "... was reported by X" is X.
                return _agent(verb)
        if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" and verb.head.head is not verb.head:
            verb = verb.head  # "tried to laugh it off by interjecting": on through "by"
        elif verb.dep_ not in _SUBJECT_CLIMB_DEPS or verb.head is verb:
            return None
        verb = verb.head
    return None


def _has_said(verb: Token) -> bool:
    """"He's said he ...": the parser reads the contracted "has" as a passive "is"; with a clause
    after the verb it is the perfect tense of an active verb."""
    return any(child.dep_ == "auxpass" and child.lower_ in ("'s", "’s") for child in verb.children) and any(
        child.dep_ == "ccomp" and child.i > verb.i for child in verb.children
    )


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return next((grandchild for grandchild in child.children if grandchild.dep_ == "pobj"), None)
    return None


def according_to_object(according: Token) -> Token | None:
    """X in "according to X"."""
    if not is_according_to(according):
        return None
    to = according.doc[according.i + 1]
    for child in [*to.children, *according.children]:  # the parser sometimes hangs X on "according"
        if child.dep_ == "pobj" and same_paragraph(child, according):
            return child
    return None

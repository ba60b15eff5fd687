"""Indirect and mixed quotes: a cue with reported content, outside any quotation marks.

- ``X said (that) CLAUSE`` / ``CLAUSE, X said`` / ``X told reporters CLAUSE``: a verb of saying
  or belief with a clausal complement (``ccomp``); the content is the complement's whole subtree,
  "that" included (PolNeAR's Content starts at the complementizer).
- Stances and requests (see :mod:`cues`): ``X criticized the plan``, ``X called Trump "unhinged"``,
  ``X vowed to ...``, ``X called for ...``: the object, infinitive or prepositional object, with
  what completes an object.
- ``According to X, CLAUSE`` and ``CLAUSE, X said, CLAUSE`` (a verb of saying set in the sentence
  as a parenthetical): the content is the sentence without the attribution.

Content stays within the cue's paragraph and grows to hold whole quotations; when it holds one
(Macron "confessed ... threat," Lavrov said) the quote is *mixed*.  A cue inside quotation marks
("As the president said, ...") never starts a quote.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.candidate import Candidate, Cue, according_to_cue
from pipeline.nlp.quotes.cues import according_to_at, cue_lemma, is_cue_verb, reports_object, takes_content
from pipeline.nlp.quotes.docindex import DocIndex, SpanSet
from pipeline.nlp.quotes.grammar import according_to_object, content_span, subject_of
from pipeline.nlp.quotes.speakers import name_beside, speaker_phrase
from pipeline.records import Span

_INDIRECT, _STANCE, _ACCORDING, _MIXED = 0.75, 0.6, 0.8, 0.85


def find_indirect(index: DocIndex, *, taken: SpanSet) -> list[Candidate]:
    """Indirect and mixed quotes whose content does not overlap ``taken`` (the direct quotes)."""
    found = []
    lexicon = index.lexicon
    for token in index.doc:
        if index.in_quote(token):
            continue
        if according_to_at(token, lexicon) is not None:
            candidate = _according_to(index, token)
        elif token.pos_ in ("VERB", "AUX") or token.lower_ in lexicon.cue_forms:
            # A listed form is the verb whatever the tagger made of it ("Les secours rappellent qu'...").
            candidate = _reported_clause(index, token) or _parenthetical(index, token)
        else:
            continue
        if candidate is not None and not any(taken.overlaps(span.start, span.end) for span in candidate.spans):
            found.append(candidate)
    return found


def _reported_clause(index: DocIndex, verb: Token) -> Candidate | None:
    lexicon = index.lexicon
    deps = lexicon.deps
    contents = [child for child in verb.children if takes_content(verb, child, lexicon)]
    if any(child.i > verb.i for child in contents):
        # "A say X; B say Y" parsed as one verb with a clause on each side: the one on the left
        # is an attribution of its own, not part of this one.
        contents = [child for child in contents if child.i > verb.i]
    if not contents:
        return None
    if contents[0].dep_ != deps.clause and (verb.dep_ in deps.relative_clause or verb.head.dep_ in deps.relative_clause):
        # A stance inside a relative clause ("aspects on which Russia does not agree with them")
        # describes something rather than reports it; skipping these helps on PolNeAR train.
        return None
    speaker = subject_of(verb, lexicon)
    if speaker is None or index.in_quote(speaker):
        return None
    # What completes a direct object belongs to the content: "called Trump “unhinged”",
    # "urged Congress to act", "accused him of lying".
    # Not a complement that reports something of its own ("hailed the vote as “fantastic,”
    # telling reporters that ..." is two attributions).
    if contents[-1].dep_ == deps.object:
        contents += [
            child for child in verb.rights
            if child.i > contents[-1].i and child.dep_ in deps.object_complements and not _reports(child, lexicon)
        ]
    # A stray token or a date alone is no report (see cues.reports_object); next to a real content
    # it is a piece of it ("should be re-examined", whose "examined" the parser made a clause;
    # "promised Sunday to end ...").
    if not any(reports_object(child, lexicon) for child in contents):
        return None
    first = contents[0]
    # For "called for X" the preposition is part of the cue, not of the content.
    by_preposition = bool(deps.preposition) and first.dep_ == deps.preposition
    first_token = first.i + 1 if by_preposition else first.left_edge.i
    last_token = max(child.right_edge.i for child in contents)
    if first.i > verb.i:
        # "X says A but B": a conjunct the parser hung on the verb is still what X says, unless
        # it is an attribution of its own ("X said A and urged B").
        conjuncts = [
            child.right_edge.i for child in verb.rights
            if child.dep_ == deps.conjunct and child.i > last_token and not _reports(child, lexicon)
        ]
        last_token = max([last_token, *conjuncts])
    if first_token > last_token:
        return None
    span = content_span(index, first_token, last_token + 1, anchor=verb)
    if span is None:
        return None
    start, end = span
    mixed = index.has_region_within(start, end)
    clausal = first.dep_ == deps.clause
    cue_end = first.idx + len(first) if by_preposition else verb.idx + len(verb)
    lemma = f"{cue_lemma(verb, lexicon)} {first.lower_}" if by_preposition else cue_lemma(verb, lexicon)
    return Candidate(
        spans=(Span(start, end),),
        kind="mixed" if mixed else "indirect",
        cue=Cue(lemma, verb.idx, cue_end),
        speaker=speaker_phrase(speaker, lexicon),
        confidence=_MIXED if mixed else (_INDIRECT if clausal else _STANCE),
    )


def _reports(verb: Token, lexicon: Lexicon) -> bool:
    """True when ``verb`` attributes content of its own."""
    return any(takes_content(verb, child, lexicon) for child in verb.children)


def _according_to(index: DocIndex, according: Token) -> Candidate | None:
    source = according_to_object(according, index.lexicon)
    if source is None:
        return None
    cue = according_to_cue(according, index.lexicon)
    phrase = _phrase_of(according, source, index.lexicon)
    return _sentence_around(index, according, cue, source, _ACCORDING, phrase=phrase)


def _parenthetical(index: DocIndex, verb: Token) -> Candidate | None:
    """"In Miami, Mr. Regalado said, Mr. Trump is seen as ...": the verb of saying is set into the
    sentence it reports (the parser hangs it on the main verb as ``parataxis``)."""
    # The reported verb may sit inside a quotation ("Perhaps, he said, this "town has grown too
    # fast.""): the sentence is then a mixed quote; a direct quote split the same way is taken first.
    lexicon = index.lexicon
    if verb.dep_ != lexicon.deps.parataxis or not is_cue_verb(verb, lexicon) or verb.head is verb:
        return None
    speaker = subject_of(verb, lexicon)
    if speaker is None or index.in_quote(speaker):
        return None
    cue = Cue(cue_lemma(verb, lexicon), verb.idx, verb.idx + len(verb))
    return _sentence_around(index, verb, cue, speaker, _INDIRECT)


def _phrase_of(according: Token, source: Token, lexicon: Lexicon) -> tuple[int, int] | None:
    """Tokens ``[first, last)`` of the whole "according to X" phrase where the parser hangs it on X
    (Universal Dependencies: "selon" is the ``case`` of X), else None (the subtree of "according")."""
    if lexicon.deps.prepositional_object:
        return None
    last = source.right_edge.i
    if lexicon.inverted_cues and source.pos_ == "NOUN":
        last = name_beside(source.doc, last)  # "selon le rapporteur, Marc Delorme, ...": the name is the source's
    return min(according.i, source.left_edge.i), last + 1


def _sentence_around(
    index: DocIndex, attribution: Token, cue: Cue, speaker: Token, confidence: float,
    *, phrase: tuple[int, int] | None = None,
) -> Candidate | None:
    """The sentence of ``attribution`` without the attribution phrase (``phrase``, by default the
    subtree of ``attribution``), as content."""
    sentence = index.sentence_of(attribution)
    phrase_start, phrase_end = phrase or (attribution.left_edge.i, attribution.right_edge.i + 1)
    doc = index.doc
    pieces = [(sentence.start, phrase_start), (phrase_end, sentence.end)]
    spans = tuple(
        Span(*span)
        for first, last in pieces
        if _has_words(doc, first, last) and (span := content_span(index, first, last, anchor=attribution))
    )
    if not spans:
        return None
    mixed = any(index.has_region_within(span.start, span.end) for span in spans)
    return Candidate(
        spans=spans,
        kind="mixed" if mixed else "indirect",
        cue=cue,
        speaker=speaker_phrase(speaker, index.lexicon),
        confidence=_MIXED if mixed else confidence,
    )


def _has_words(doc: Doc, first: int, last: int) -> bool:
    return any(token.is_alpha for token in doc[first:last])

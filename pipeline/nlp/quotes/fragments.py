"""Mixed quotes built around a quoted fragment that no reporting clause claimed.

``Bush called Trump "unhinged."``, ``Trump mocked Rubio for "having a tough night"``: the
quotation is part of a verb's object, not of a clausal complement, so the indirect extractor
(which needs ``ccomp``) misses it.  Here the fragment is followed up the dependency tree to the
first verb outside the quotation; that verb's subject is the speaker, and the content is what
the verb governs on the fragment's side (PolNeAR's Content for these is "Trump “unhinged.”").
A fragment inside the subject (`Its "America First" policy drew fire`) is not a quote.
"""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.quotes.candidate import Candidate, Cue
from pipeline.nlp.quotes.cues import cue_lemma, is_cue_verb
from pipeline.nlp.quotes.docindex import DocIndex, SpanSet
from pipeline.nlp.quotes.grammar import content_span, subject_of
from pipeline.nlp.quotes.speakers import is_plausible_source, speaker_phrase
from pipeline.nlp.quotes.standalone import is_fragment, is_title
from pipeline.records import Span

_MAX_CLIMB = 6
_CUE_VERB, _OTHER_VERB = 0.75, 0.6


def find_fragment_quotes(index: DocIndex, *, taken: SpanSet) -> list[Candidate]:
    """Mixed quotes for quoted fragments that overlap nothing in ``taken``.

    Titles in marks ("CBS This Morning") are names, not quotes; several fragments under one verb
    ("called it “A” and “B”") make one quote.
    """
    found: list[Candidate] = []
    for region_index, region in enumerate(index.regions):
        if taken.overlaps(region.start, region.end) or not is_fragment(index, region):
            continue
        if is_title(index.text[region.start:region.end], index.lexicon):
            continue
        if found and found[-1].spans[-1].end > region.start:
            continue
        candidate = _around(index, region_index)
        if candidate is not None:
            found.append(candidate)
    return found


def _around(index: DocIndex, region_index: int) -> Candidate | None:
    start, end = index.region_extent(region_index)
    attachment = _attachment(index, start, end)
    if attachment is None:
        return None
    verb, branch, speaker = attachment
    lexicon = index.lexicon
    if branch.i > verb.i:
        rights = [child for child in verb.rights if not child.is_punct and child.i <= branch.i]
        first = min((child.left_edge.i for child in rights), default=branch.left_edge.i)
    else:
        first = branch.left_edge.i
    last = max(branch.right_edge.i, index.token_at(end - 1).i)
    span = content_span(index, first, last + 1, anchor=verb)
    # The quote holds its fragment: content the parse put elsewhere (a quoted word hung under the
    # verb of the line before) is another statement's words, and often another quote's.
    if span is None or not (span[0] < end and start < span[1]):
        return None
    return Candidate(
        spans=(Span(*span),),
        kind="mixed",
        cue=Cue(cue_lemma(verb, lexicon), verb.idx, verb.idx + len(verb)),
        speaker=speaker_phrase(speaker, lexicon),
        confidence=_CUE_VERB if is_cue_verb(verb, lexicon) else _OTHER_VERB,
    )


def _attachment(index: DocIndex, start: int, end: int) -> tuple[Token, Token, Token] | None:
    """(verb, the verb's child on the path to the quotation, speaker) for the quotation at [start, end).

    Climbs from the quotation to the first verb outside it whose subject can be a source: in
    "Kiedis said, mentioning the album is “in the home stretch”" the album says nothing, so
    the climb goes on past "is" to "mentioning", whose subject (through "said") is Kiedis.
    """
    first, last = index.token_at(start).i, index.token_at(end - 1).i
    doc = index.doc
    root = next(
        (token for token in doc[first:last + 1] if not token.is_punct and not start <= token.head.idx < end), None
    )
    if root is None:
        return None
    lexicon = index.lexicon
    branch, head = root, root.head
    for _ in range(_MAX_CLIMB):
        if branch.dep_ in lexicon.deps.fragment_subject:
            return None  # a fragment inside the subject ("Its “America First” policy drew fire")
        # "Cruz is “a basket case”": a copula describes; the speaker, if any, is further up.
        if head.pos_ in ("VERB", "AUX") and head.lemma_ != lexicon.copula and not index.in_quote(head):
            speaker = subject_of(head, lexicon)
            if speaker is not None and not index.in_quote(speaker) and (
                is_cue_verb(head, lexicon) or is_plausible_source(index, speaker)
            ):
                return head, branch, speaker
        if head.head is head:
            return None
        branch, head = head, head.head
    return None

"""Direct quotes: quotations in marks, attributed by a cue and a speaker outside the marks.

For each quotation the attribution is looked for in its frame: the sentences that hold it, the
next sentence when the quotation ends with a comma or the text after the closing mark runs on in
lower case (`"...?" he asked.`), and the sentence before when the quotation follows a colon
(`Lavrov said: "..."`).  Of the cues in the frame (outside any quotation, so "As the president
said" inside a quote never counts) the one nearest to the marks wins; a colon with no verb of
saying before it is a cue of its own (`Cruz was blunt: "..."`).  A quotation followed on its line
by a dash and a name only (`"..." ― Sonya Herridge`, the byline of vox pops and epigraphs) is
attributed to that name, with the dash as its cue, before any verb is looked for.

A quotation that is only part of a sentence, or a title in marks, is not a direct quote
(``standalone``): the indirect and fragment extractors make it part of a mixed quote with the
clause around it.

Inverted cues ("...," said Jane Smith; « ... », a-t-il ajouté; « ... », affirme le ministre) are
found from the cue: its subject, else the name right after it, with the language's dependency
labels, clitic pronouns and auxiliaries (``Lexicon``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Span, Token

from pipeline.nlp.lang import Lexicon
from pipeline.nlp.quotes.bylines import find_bylines
from pipeline.nlp.quotes.candidate import Attribution, Candidate, Cue, according_to_cue
from pipeline.nlp.quotes.cues import according_to_at, cue_lemma, is_cue_verb
from pipeline.nlp.quotes.docindex import DocIndex
from pipeline.nlp.quotes.grammar import according_to_object, subject_of
from pipeline.nlp.quotes.marks import QuoteRegion
from pipeline.nlp.quotes.speakers import is_plausible_source, speaker_phrase
from pipeline.nlp.quotes.standalone import is_fragment, last_inside
from pipeline.records import Span as TextSpan

_ATTRIBUTED, _MIXED_RUN_ON, _COLON_ONLY = 0.9, 0.85, 0.7
# At most this many words after an inverted cue make the speaker's name.
_MAX_NAME_WORDS = 6
# How far after a closing mark a speech tag's verb may stand (`" beamed Donald Hartley of Madison`).
_MAX_TAG_TOKENS = 6
_NOUN_TAGS = frozenset({"PROPN", "PRON", "NOUN"})
_NAME_TAGS = _NOUN_TAGS | {"DET", "ADJ", "PUNCT", "ADP", "CCONJ", "NUM"}


def find_direct(index: DocIndex) -> list[Candidate]:
    """Direct quotes of the article, in text order.

    Quotations that share an attribution become one quote with several spans: the fragments of a
    split quote ("...," he said, "..."), a quotation of the same paragraph without an attribution
    of its own ("...," he said. "..."), and a quotation that fills the next paragraph without an
    attribution (the speaker goes on; PolNeAR annotates these as one Content with the first).
    Quotations no attribution reaches are not quotes of anyone and are dropped.
    """
    groups: list[_Group] = []
    bylines = find_bylines(index)
    for region_index, region in enumerate(index.regions):
        if is_fragment(index, region):
            continue
        attribution = bylines.get(region_index) or _attribution(index, region_index)
        last = groups[-1] if groups else None
        if last is not None and _joins(index, last, region, attribution):
            last.regions.append(region)
            last.attribution = last.attribution or attribution
        else:
            groups.append(_Group([region], attribution))
    return [_candidate(index, group.regions, group.attribution) for group in groups if group.attribution is not None]


@dataclass
class _Group:
    """Quotations that form one quote, and their (cue, speaker head) if one was found."""

    regions: list[QuoteRegion]
    attribution: Attribution | None


def _joins(index: DocIndex, group: _Group, region: QuoteRegion, attribution: Attribution | None) -> bool:
    """True when ``region`` continues the quote ``group`` rather than starting a new one."""
    end = group.regions[-1].end
    if index.paragraph_of(end) == index.paragraph_of(region.start):
        return attribution is None or group.attribution is None or group.attribution.cue == attribution.cue
    if attribution is not None or region.dialogue:
        return False  # a dialogue dash opens a new turn, never the same speaker's next paragraph
    # The paragraph right after the group's: nothing but space between its end and the quotation.
    paragraph_end = index.text.find("\n", end)
    previous = _last_visible(index.text, region.open_at)
    if not (0 <= paragraph_end < region.open_at and (previous is None or previous < paragraph_end)):
        return False
    return not _names_another(index, region, group.attribution)


def _names_another(index: DocIndex, region: QuoteRegion, attribution: Attribution | None) -> bool:
    """True when the quotation's sentence runs on after its closing mark in lower case to a name that
    is not the previous quotation's speaker's (`"...," was the reply of John Doe.`, `« ... »,
    s'est moquée Marie Martin.`) within a few words: a reply whose cue was not found, not the first
    speaker going on.
    A name that opens the next sentence proves nothing: BBC copy follows a speaker's continued
    quotation with narrative ("Actress Sandra Dee continues to live ..."), and on 445 BBC articles
    taking such a name for a reply split more right chains than it stopped wrong ones."""
    if region.close_at is None:
        return False
    text = index.text
    after = region.close_at + 1
    while after < len(text) and (text[after] in index.lexicon.inline_spaces or text[after] in ",;:"):
        after += 1
    if after >= len(text) or not text[after].islower():
        return False
    first = index.token_at(after)
    line_end = text.find("\n", after)
    run_end = index.sentence_of(first).end_char
    run_end = min(run_end, line_end) if line_end >= 0 else run_end
    speaker = set(attribution.speaker.text.lower().split()) if attribution is not None else set()
    # Within a speech tag's reach: a name further on sits in the run-on's own complements
    # (`"...," added the 30-year-old, referring to a penalty award for United's first goal`).
    for token in index.doc[first.i:first.i + _MAX_TAG_TOKENS]:
        if token.idx >= run_end:
            break
        if token.pos_ == "PROPN" and not index.in_quote(token) and token.lower_ not in speaker:
            return True
    return False


def _candidate(index: DocIndex, regions: list[QuoteRegion], attribution: Attribution) -> Candidate:
    spans = tuple(span for region in regions for span in region.spans)
    run_on = _run_on_end(index, regions[-1], attribution) if len(spans) == 1 else None
    if run_on is None:
        return Candidate(spans, "direct", attribution.cue, attribution.speaker, attribution.confidence)
    # `"This will be a challenge" for Clinton, he said.`: the sentence goes on after the marks, so
    # what was said is the quotation and the words that complete it, marks kept as in mixed quotes.
    content = (TextSpan(regions[-1].open_at, run_on),)
    return Candidate(content, "mixed", attribution.cue, attribution.speaker, _MIXED_RUN_ON)


def _run_on_end(index: DocIndex, region: QuoteRegion, attribution: Attribution) -> int | None:
    """Where the sentence that a quotation starts goes on to, when it goes on after the closing mark
    in lower case (up to the attribution, if that comes later in the sentence), else None."""
    if region.close_at is None:
        return None
    text, spaces = index.text, index.lexicon.inline_spaces
    after = region.close_at + 1
    while after < len(text) and text[after] in spaces:
        after += 1
    if after >= len(text) or not text[after].islower() or after in (attribution.speaker.start, attribution.cue.start):
        return None
    end = index.sentence_of(index.token_at(after)).end_char
    newline = text.find("\n", after, end)
    end = newline if newline >= 0 else end
    for boundary in (attribution.speaker.start, attribution.cue.start):
        if after < boundary < end:
            end = boundary
    while end > after and (text[end - 1] in spaces or text[end - 1] in ",;:.—–-"):
        end -= 1
    return end if end > after else None


def _attribution(index: DocIndex, region_index: int) -> Attribution | None:
    """The attribution of a quotation: the cue nearest to its marks in its frame, else a speech
    tag right after it, else a colon before it (dash bylines are found first, by ``find_bylines``)."""
    start, end = index.region_extent(region_index)
    best: tuple[int, Token, Token] | None = None
    lexicon = index.lexicon
    for token in _frame(index, start, end):
        if index.token_region[token.i] is not None:
            continue
        if according_to_at(token, lexicon) is not None:
            speaker = according_to_object(token, lexicon)
        elif is_cue_verb(token, lexicon):
            speaker = subject_of(token, lexicon)
            if speaker is None or index.in_quote(speaker):
                # No subject, or one inside the quotation (`"... #Cologne," tweeted a German user`).
                speaker = _name_before(index, token, end) or _name_after(index, token, end)
        else:
            continue
        if speaker is None or index.in_quote(speaker):
            continue
        distance = token.idx - end if token.idx >= end else start - (token.idx + len(token))
        if best is None or distance < best[0]:
            best = (distance, token, speaker)
    if best is not None:
        return Attribution(_cue(best[1], lexicon), speaker_phrase(best[2], lexicon), _ATTRIBUTED)
    tag = _speech_tag(index, end)
    if tag is not None:
        return Attribution(_cue(tag[0], lexicon), speaker_phrase(tag[1], lexicon), _ATTRIBUTED)
    colon = _colon_attribution(index, start)
    if colon is None:
        return None
    return Attribution(_cue(colon[0], lexicon), speaker_phrase(colon[1], lexicon), _COLON_ONLY)


def _speech_tag(index: DocIndex, end: int) -> tuple[Token, Token] | None:
    """(verb, speaker) of a speech tag right after a quotation that ends with a comma, question or
    exclamation mark: `"This is fantastic!" beamed Donald Hartley`, `"...," Trump reacted.` --
    after such a quotation any verb with a named or human subject is the way it was said."""
    text = index.text
    if last_inside(text, end, index.lexicon) not in (",", "!", "?"):
        return None
    line_end = text.find("\n", end)
    after = [token for token in index.doc[index.token_at(end).i:] if token.idx >= end][:_MAX_TAG_TOKENS]
    for token in after:
        if 0 <= line_end <= token.idx or token.is_sent_start and token.idx > end + 2:
            return None
        if token.pos_ == "VERB" and not index.in_quote(token):
            speaker = _name_before(index, token, end) or _name_after(index, token, end)
            if speaker is not None and is_plausible_source(index, speaker):
                return token, speaker
            return None
    return None


def _name_before(index: DocIndex, cue: Token, quote_end: int) -> Token | None:
    """The speaker between a closing mark and its cue (`"...," Bozell answers.`, `"...," Brent
    Bozell III, founder of X, tells ...`) when the parser missed the subject: the words there
    make a noun phrase, and the last word of its first run of nouns is its head."""
    doc = index.doc
    clitics = index.lexicon.object_clitics
    # "« ... », lui répond le ministre": a clitic object before the verb is not who speaks.
    words = [
        token for token in doc[index.token_at(quote_end).i:cue.i]
        if token.idx >= quote_end and not (token.pos_ == "PRON" and token.lower_ in clitics)
    ]
    if not words or not all(token.pos_ in _NAME_TAGS or _is_capitalised(token) for token in words):
        return None
    if "\n" in doc[words[0].i:cue.i].text:
        return None
    head = None
    for token in words:
        if token.pos_ in _NOUN_TAGS or _is_capitalised(token):
            head = token
        elif head is not None:
            break
    return head


def _is_capitalised(token: Token) -> bool:
    """A capitalised word that is not a determiner or preposition: part of a name whatever the
    tagger made of it ("Will" in `"...," Will wrote.` is not an auxiliary)."""
    return token.is_title and token.pos_ not in ("DET", "ADP", "CCONJ", "PUNCT", "PRON")


def _name_after(index: DocIndex, cue: Token, quote_end: int) -> Token | None:
    """The speaker after an inverted cue right behind the closing mark (`"...," said former tech
    executive Carly Fiorina`) when the parser made the name the verb's object."""
    lexicon = index.lexicon
    between = index.doc[index.token_at(quote_end).i:cue.i]
    if cue.idx < quote_end or any(
        not (token.is_punct or token.is_space or (lexicon.inverted_cues and token.pos_ in ("AUX", "PRON")
                                                   and (token.pos_ == "AUX" or token.lower_ in lexicon.object_clitics)))
        for token in between if token.idx >= quote_end
    ):
        # Only punctuation between (`"...," said X`), or an auxiliary or object clitic
        # (`«...», a déclaré X`, `«...», lui répond le ministre`).
        return None
    child = next(
        (child for child in cue.rights
         if child.dep_ in lexicon.deps.inverted_speaker and child.pos_ in ("PROPN", "NOUN")
         and child.lemma_.lower() not in lexicon.time_words),
        None,
    )
    return child if child is not None else _noun_run_after(cue, lexicon)


def _noun_run_after(cue: Token, lexicon: Lexicon) -> Token | None:
    """The last noun of the words right after ``cue`` that make a name (`said Edward Leamer, an
    economist` when the parser hung the name elsewhere); a word of time is skipped ("a déclaré
    jeudi le ministre")."""
    head = None
    for token in cue.doc[cue.i + 1:cue.i + 1 + _MAX_NAME_WORDS]:
        if head is None and token.lemma_.lower() in lexicon.time_words:
            continue
        if token.pos_ in ("PROPN", "NOUN") or _is_capitalised(token):
            head = token
        elif head is not None or token.pos_ not in ("DET", "ADJ", "NUM") or "\n" in token.text:
            break
    return head


def _colon_attribution(index: DocIndex, start: int) -> tuple[Token, Token] | None:
    """(colon, subject) for `Cruz was blunt: "..."`: the colon is the cue (as in PolNeAR)."""
    colon_at = _last_visible(index.text, start)
    if colon_at is None or index.text[colon_at] != ":":
        return None
    colon = index.token_at(colon_at)
    if index.in_quote(colon):
        return None
    # The subject of the last verb before the colon, on its line ("Cruz" in "Cruz was blunt:"):
    # the parser often hangs that clause on the quotation, so the tree is no guide here.
    line_start = index.text.rfind("\n", 0, colon_at) + 1
    token = colon
    while token.i > 0 and token.idx > line_start:
        token = index.doc[token.i - 1]
        if token.pos_ in ("VERB", "AUX") and not index.in_quote(token):
            speaker = subject_of(token, index.lexicon)
            copula = index.lexicon.deps.copula
            if speaker is None and copula and token.dep_ == copula:
                speaker = subject_of(token.head, index.lexicon)  # "X restait prudent :": the subject hangs on "prudent"
            if speaker is not None and not index.in_quote(speaker):
                return colon, speaker
    return None


def _frame(index: DocIndex, start: int, end: int) -> Iterator[Token]:
    """Tokens of the sentences around a quotation, within its paragraph (or the colon's)."""
    doc, text = index.doc, index.text
    first, last = index.token_at(start), index.token_at(max(end - 1, start))
    frame_start, frame_end = index.sentence_of(first).start, index.sentence_of(last).end
    paragraph_start = text.rfind("\n", 0, start) + 1
    colon_at = _last_visible(text, start)
    if colon_at is not None and text[colon_at] == ":":
        # X said: "..." — the colon may even end the previous paragraph.
        frame_start = min(frame_start, index.sentence_of(index.token_at(colon_at)).start)
        paragraph_start = text.rfind("\n", 0, colon_at) + 1
    # `"...?" he asked.`, `"...," Bozell answers.` and `"...!" Biden said.`: the attribution after
    # the closing mark may be a "sentence" of its own to the splitter.
    lexicon = index.lexicon
    after = text[end:end + 4].lstrip(lexicon.closing_marks + lexicon.inline_spaces)[:1]
    last = last_inside(text, end, lexicon)
    runs_on = after.islower() or last == "," or (after.isupper() and last in ("?", "!"))
    if frame_end < len(doc) and (runs_on or (after.isupper() and _is_speech_tag(index.sentence_of(doc[frame_end]), lexicon))):
        frame_end = index.sentence_of(doc[frame_end]).end
    paragraph_end = text.find("\n", end)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    for token in doc[frame_start:frame_end]:
        if paragraph_start <= token.idx < paragraph_end:
            yield token


def _is_speech_tag(sentence: Span, lexicon: Lexicon) -> bool:
    """`Trump said.` after `"... missing."`: a short sentence that is only a speaker and a cue."""
    words = [token for token in sentence if not (token.is_punct or token.is_space)]
    return len(words) <= _MAX_TAG_TOKENS and any(is_cue_verb(token, lexicon) for token in words)


def _last_visible(text: str, before: int) -> int | None:
    """Offset of the last non-space character before ``before``."""
    at = before - 1
    while at >= 0 and text[at].isspace():
        at -= 1
    return at if at >= 0 else None


def _cue(token: Token, lexicon: Lexicon) -> Cue:
    if according_to_at(token, lexicon) is not None:
        return according_to_cue(token, lexicon)
    return Cue(cue_lemma(token, lexicon), token.idx, token.idx + len(token))

"""Named entities of one article, grouped under a canonical name.

spaCy's NER gives one span per mention and sometimes a different label for the same person
("Lavrov" as ORG after "Sergey Lavrov" as PERSON).  Grouping happens in two steps:

1. mentions with the same cleaned name (case-insensitive) form a cluster;
2. a cluster whose name is a contiguous run of tokens of a longer PERSON name ("Lavrov",
   "Sergey" in "Sergey Lavrov") joins that person, whatever label NER gave it.

The canonical name is the longest name in the cluster; the label is the most frequent label of
the mentions that spell that name, with PERSON winning a tie (it is the most specific of the
labels NER confuses).

Before grouping, each mention is cleaned by its own form, without looking at other articles:

* a name never runs over a paragraph break, a score ("8-0-37-2", "6-4"), a number at the end or
  start of a line, or, on a line that is a table row or team sheet, any bare number ("Giggs 64,
  Rooney 68"): NER reads a results table as one long name, and the names in it are the parts
  between those (``name_pieces``);
* a name that begins with a personal title ("Mr Blair", "Lord Falconer") is a PERSON, and a
  political party's name ("Labour", "Lib Dems") is an ORG, whatever NER said.

A mention in capitals that holds names the article writes in ordinary case ("ENGLAND BEAT MOLDOVA
IN" in a headline) becomes those names (``split_by_known_names``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from pipeline.nlp.lang import DEFAULT_LANGUAGE, Lexicon, lexicon_for
from pipeline.records import Entity, Mention, stable_id

# Tie-break between labels of one cluster: the person/place labels NER confuses, most specific first.
_LABEL_PRIORITY = ("PERSON", "GPE", "ORG", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")
_POSSESSIVE = re.compile(r"(?:['’]s?|\s+)$")
_EDGE_PUNCT = " \t\n\r\"'“”‘’«»()[]{},.;:!?-–—"
# A name that ends in an abbreviation keeps its final period: initials ("U.S", "D.C") and suffixes.
_ABBREVIATION_END = re.compile(r"(?:(?:^|[\s.])[A-Za-z]\.[A-Za-z]|\b(?:Jr|Sr|Inc|Co|Corp|Ltd|Bros|St))$")
# A title word in front of a name ("Mr.", "Mme", "président"): letters of any alphabet, an optional period.
_TITLE_WORD = re.compile(r"([^\W\d_]+)\.?\s+")
# A score or a table's figures: digit groups (decimals too) joined by dashes ("8-0-37-2", "9.5-0-44-1",
# "1-6,4-6", "(8-6)"), so never a real name's number ("Channel 4", "Euro 2004", "777-200LR", "9/11").
_SCORE = re.compile(r"\(?\d+(?:[.,]\d+)?(?:[-–]\d+(?:[.,]\d+)?)+(?:,\d+(?:[-–]\d+)+)*\)?[,;.]?")
_NUMBER = re.compile(r"\(?[+-]?\d[\d.,]*\)?[,;.]?")
# NER can end a name inside a score ("Greg Rusedski 4" of "4-6"): a number the text goes on from.
_SCORE_HEAD = re.compile(r"\d+[-–]?")
_SCORE_GOES_ON = re.compile(r"[-–]?\d")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A dash standing alone or a lone bracket: a headline's "SOCCER - JAPAN", a list's "Lithuania - Danius
# Gleveckas", a table's "Natalya Shikolen ( Belarus )". No name holds one between spaces.
_SEPARATOR = re.compile(r"[-–—]+|[()\[\]]")
# A line with a number is a table row when it is a list of at least _LIST_ITEMS comma-separated items
# of at most _LIST_ITEM_WORDS words each (a team sheet); see is_table_row.
_LIST_ITEMS = 4
_LIST_ITEM_WORDS = 4


@dataclass(frozen=True)
class _Raw:
    """One cleaned NER mention before grouping."""

    start: int
    end: int
    text: str  # the cleaned name as written (whitespace collapsed)
    label: str


def extract_entities(doc: Doc, article_id: str, language: str = DEFAULT_LANGUAGE) -> tuple[Entity, ...]:
    """Group ``doc.ents`` into one :class:`Entity` per canonical name, ordered by first mention.

    NER labels are mapped to the project's by the language's lexicon (French ``PER`` is ``PERSON``);
    titles, parties and articles are the language's too."""
    lexicon = lexicon_for(language)
    text_of_doc = doc.text  # built from the tokens on every access: once per article, not per entity
    raws = [
        raw
        for ent in doc.ents if ent.label_ in lexicon.entity_labels
        for start, text in name_pieces(text_of_doc, ent.start_char, ent.end_char)
        for raw in [_clean(start, text, _label_in_context(ent, lexicon), lexicon)] if raw
    ]
    clusters: dict[str, list[_Raw]] = {}
    for raw in split_by_known_names(raws, text_of_doc):
        clusters.setdefault(raw.text.casefold(), []).append(raw)
    _merge_name_parts(clusters)
    entities = [_to_entity(members, article_id) for members in clusters.values()]
    return tuple(sorted(entities, key=lambda entity: (entity.first_offset, entity.name)))


def name_pieces(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """The parts of the span ``text[start:end]`` that can be names, as (offset, text).

    The span is cut at paragraph breaks, at scores, and at bare numbers that end or begin a line or
    stand in a table row or scoreboard: "Croft 8-0-37-2" gives "Croft", "Jayasuriya 3\\nG. McGrath" gives
    "Jayasuriya" and "G. McGrath", "Pohang 3 Ulsan 2" on a results line "Pohang" and "Ulsan". It is
    also cut at a dash or bracket standing alone ("SOCCER - JAPAN", "Lithuania - Danius Gleveckas",
    "Natalya Shikolen ( Belarus )"), at the "AT" of a schedule in capitals ("BALTIMORE AT SEATTLE"),
    before a word that opens a bracket ("Shikolen (Belarus)"), and
    at a line break between a word in capitals and one that is not (a byline over a dateline, "Jim
    Adams⏎WASHINGTON"). A name's own number stays in prose ("Channel 4", "Euro 2004"), and a name
    wrapped over a single line break stays whole.
    """
    words = [(start + word.start(), start + word.end()) for word in re.finditer(r"\S+", text[start:end])]
    runs: list[list[tuple[int, int]]] = [[]]  # the (start, end) of the words of each piece
    for index, (word_start, word_end) in enumerate(words):
        word = text[word_start:word_end]
        gap_before = text[words[index - 1][1]:word_start] if index else ""
        ends_line = index + 1 < len(words) and "\n" in text[word_end:words[index + 1][0]]
        previous = text[words[index - 1][0]:words[index - 1][1]] if index else ""
        if _SEPARATOR.fullmatch(word) or _fixture_at(word, previous):  # part of neither name
            runs.append([])
            continue
        if (_PARAGRAPH_BREAK.search(gap_before) or word.startswith("(")
                or ("\n" in gap_before and _capitals_change(previous, word))):
            runs.append([])
        number = _NUMBER.fullmatch(word) is not None
        if (
            _SCORE.fullmatch(word)
            or (number and (ends_line or "\n" in gap_before or _on_table_row(text, start, end)))
            or (_SCORE_HEAD.fullmatch(word) and _SCORE_GOES_ON.match(text, word_end))  # "Ancic 6" of "6-4"
        ):
            runs.append([])
        else:
            runs[-1].append((word_start, word_end))
    return [(run[0][0], text[run[0][0]:run[-1][1]]) for run in runs if run]


def split_by_known_names(raws: list[_Raw], text: str) -> list[_Raw]:
    """Mentions in capitals cut down to the names the article writes in ordinary case elsewhere.

    NER reads a headline or a line in capitals as one long name ("ENGLAND BEAT MOLDOVA IN",
    "MARLINS BEAT REDS"): when such a mention is not itself a name of the article but holds some
    ("England", "Moldova" in the body), it becomes those names, each with the label the article
    gives it in ordinary case, and its other words go. A mention in capitals that holds no such name
    stays as NER found it."""
    known: dict[tuple[str, ...], str] = {}  # folded words of a name in ordinary case -> its label
    for raw in raws:
        if not raw.text.isupper():
            known.setdefault(tuple(raw.text.casefold().split()), raw.label)
    if not known:
        return raws
    longest = max(len(words) for words in known)
    result = []
    for raw in raws:
        words = [(raw.start + word.start(), raw.start + word.end()) for word in re.finditer(r"\S+", text[raw.start:raw.end])]
        folded = [text[start:end].casefold() for start, end in words]
        if not raw.text.isupper() or len(words) < 2 or tuple(folded) in known:
            result.append(raw)
            continue
        found = []
        index = 0
        while index < len(words):
            size = next((size for size in range(min(longest, len(words) - index), 0, -1)
                         if tuple(folded[index:index + size]) in known), 0)
            if size:
                found.append(_Raw(start=words[index][0], end=words[index + size - 1][1],
                                  text=" ".join(text[words[index][0]:words[index + size - 1][1]].split()),
                                  label=known[tuple(folded[index:index + size])]))
            index += max(size, 1)
        result.extend(found or [raw])
    return result


def _fixture_at(word: str, previous: str) -> bool:
    """An "AT" between names in capitals: a schedule's "BALTIMORE AT SEATTLE" is two teams. Only in
    capitals, where no casing tells the word from a name's own "at" ("University of California at
    Berkeley" in ordinary case stays whole)."""
    return word == "AT" and previous.isupper()


def _capitals_change(before: str, after: str) -> bool:
    """Whether one of two words is a word in capitals (three letters or more, so not "U.S.") and the
    other is not: a dateline under a byline ("Jim Adams⏎WASHINGTON"), not a wrapped name."""
    def capitals(word: str) -> bool:
        return word.isupper() and sum(char.isalpha() for char in word) >= 3
    return capitals(before) != capitals(after)


def _on_table_row(text: str, start: int, end: int) -> bool:
    """Whether the line holding ``text[start:end]`` is a table row. Asked only when a piece holds a
    bare number: the line can be a whole paragraph, and most names hold none."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return is_table_row(text[line_start:line_end if line_end >= 0 else len(text)])


def is_table_row(line: str) -> bool:
    """A line of a results table, scoreboard or team sheet: two or more numbers and no more lower-case
    words than numbers ("Archibald 19, Grady 29"; a sentence has its "was", "in", "said"), or a list
    of short items with a number in it, as a team sheet is ("Van Persie (Bergkamp 68), Henry, ...")."""
    words = line.split()
    numbers = sum(1 for word in words if _NUMBER.fullmatch(word) or _SCORE.fullmatch(word))
    if not numbers:
        return False
    items = [item.split() for item in re.split(r"[,;]", line) if item.strip()]
    if len(items) >= _LIST_ITEMS and all(len(item) <= _LIST_ITEM_WORDS for item in items):
        return True
    prose_words = sum(1 for word in words if word[:1].islower())
    return numbers >= 2 and numbers >= prose_words


def _label_in_context(ent: Span, lexicon: Lexicon) -> str:
    """The project's label of a NER span; PERSON when a personal title stands just before a span NER
    left it out of ("M. Dupont", with "Dupont" as LOC)."""
    label = lexicon.entity_labels[ent.label_]
    if lexicon.titles_before_name and ent.start > 0:
        if ent.doc[ent.start - 1].lower_.rstrip(".") in lexicon.titles_before_name and ent.text[:1].isupper():
            return "PERSON"
    return label


def _clean(start: int, text: str, label: str, lexicon: Lexicon) -> _Raw | None:
    """Strip a leading article ("the"), a possessive and edge punctuation, keeping offsets in step
    with the text; a role NER took for a name ("ministre de l'Intérieur") is no name."""
    match = re.match(lexicon.leading_article, text)
    if match and len(text) > match.end():
        start, text = start + match.end(), text[match.end():]
    text = _POSSESSIVE.sub("", text) if len(text) > 3 else text
    stripped_left = text.lstrip(_EDGE_PUNCT)
    start += len(text) - len(stripped_left)
    text = stripped_left.rstrip(_EDGE_PUNCT)
    if stripped_left[len(text):].startswith(".") and _ABBREVIATION_END.search(text):
        text += "."  # "U.S.", "Martin Luther King Jr.": the period is part of the name
    if not any(char.isalpha() for char in text):
        return None
    if text.split()[0] in lexicon.role_not_name:
        return None
    label = label_by_form(text, label, lexicon)
    if label == "PERSON":
        start, text = _strip_titles(start, text, lexicon)
        if text in lexicon.role_not_name:
            return None  # "Premier ministre" as a person: a title with no name left
    return _Raw(start=start, end=start + len(text), text=" ".join(text.split()), label=label)


def label_by_form(name: str, label: str, lexicon: Lexicon) -> str:
    """The label a name's own form decides: PERSON after a personal title, ORG for a party; else NER's label."""
    words = name.split()
    first = words[0].rstrip(".").casefold() if words else ""
    if first in lexicon.personal_titles and len(words) > 1 and (
        words[1][:1].isupper() or words[1] in lexicon.name_particles
    ):
        return "PERSON"
    if label == "PERSON" and " ".join(words).casefold() in lexicon.party_names:
        return "ORG"
    return label


def _strip_titles(start: int, text: str, lexicon: Lexicon) -> tuple[int, str]:
    """Drop honorifics in front of a person's name ("Mr. Trump" -> "Trump", "Mme Borne" -> "Borne"),
    never the whole name."""
    while True:
        match = _TITLE_WORD.match(text)
        if not match or match.group(1).casefold() not in lexicon.person_titles or len(text) == match.end():
            return start, text
        start, text = start + match.end(), text[match.end():]


def _merge_name_parts(clusters: dict[str, list[_Raw]]) -> None:
    """Fold clusters named by part of a longer PERSON name into that person (in place)."""
    person_names = {key: tuple(key.split()) for key, members in clusters.items() if _label_of(members) == "PERSON"}
    for key in sorted(clusters, key=lambda k: len(k.split())):
        parts = tuple(key.split())
        hosts = [
            host for host, host_parts in person_names.items()
            if len(host_parts) > len(parts) and _contains_run(host_parts, parts)
        ]
        # A part shared by two people ("Clinton" in "Hillary Clinton" and "Bill Clinton") is ambiguous:
        # leave it as its own entity rather than guess.
        if len(hosts) == 1 and key in clusters:
            clusters[hosts[0]].extend(clusters.pop(key))


def _contains_run(whole: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(whole[i:i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _label_of(members: list[_Raw]) -> str:
    counts = Counter(member.label for member in members)
    return max(counts, key=lambda label: (counts[label], -_LABEL_PRIORITY.index(label)))


def _to_entity(members: list[_Raw], article_id: str) -> Entity:
    names = Counter(member.text for member in members)
    # Longest name first ("Sergey Lavrov" over "Lavrov"), then ordinary case over a capitalised
    # dateline ("Moscow" over "MOSCOW"), then the most frequent and the earliest spelling.
    name = max(names, key=lambda text: (
        len(text.split()), not text.isupper(), names[text], -min(m.start for m in members if m.text == text)
    ))
    # The label is read from the mentions of the full name only: a person keeps PERSON however
    # often NER called a bare surname ORG.
    label = _label_of([member for member in members if member.text == name])
    mentions = tuple(sorted({Mention(m.start, m.end, m.text) for m in members}, key=lambda m: (m.start, m.end)))
    return Entity(
        entity_id=stable_id(article_id, label, name),
        article_id=article_id,
        name=name,
        label=label,
        mentions=mentions,
    )

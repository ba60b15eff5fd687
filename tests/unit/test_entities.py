"""Entity grouping on hand-built Docs: the labels are set by hand, so no model is needed."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.nlp.entities import extract_entities
from pipeline.records import stable_id

_NLP = spacy.blank("en")


def make_doc(text: str, ents: list[tuple[str, str]]) -> Doc:
    """A Doc of ``text`` whose entities are the given (surface, label) pairs, found left to right."""
    doc = _NLP(text)
    spans, cursor = [], 0
    for surface, label in ents:
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        span = doc.char_span(start, cursor, label=label)
        assert span is not None, surface
        spans.append(span)
    doc.ents = spans
    return doc


def by_name(doc: Doc) -> dict:
    return {entity.name: entity for entity in extract_entities(doc, "a1")}


def test_surname_joins_full_name_even_when_labelled_org():
    doc = make_doc(
        "Sergey Lavrov spoke. Lavrov added more. Later Lavrov left.",
        [("Sergey Lavrov", "PERSON"), ("Lavrov", "ORG"), ("Lavrov", "PERSON")],
    )
    entities = extract_entities(doc, "a1")
    assert [(entity.name, entity.label) for entity in entities] == [("Sergey Lavrov", "PERSON")]
    assert [mention.text for mention in entities[0].mentions] == ["Sergey Lavrov", "Lavrov", "Lavrov"]


def test_mentions_are_sorted_character_offsets_into_the_text():
    text = "Moscow hosted talks. Then Moscow said no."
    (entity,) = extract_entities(make_doc(text, [("Moscow", "GPE"), ("Moscow", "GPE")]), "a1")
    assert [(m.start, m.end) for m in entity.mentions] == [(0, 6), (26, 32)]
    assert all(text[m.start:m.end] == m.text for m in entity.mentions)
    assert entity.first_offset == 0 and entity.mention_count == 2


def test_entity_id_is_stable_from_article_label_and_name():
    (entity,) = extract_entities(make_doc("NATO met.", [("NATO", "ORG")]), "a1")
    assert entity.entity_id == stable_id("a1", "ORG", "NATO")
    assert entity.article_id == "a1"


@pytest.mark.parametrize(
    ("text", "surface", "label", "name"),
    [
        ("He visited the White House today.", "the White House", "ORG", "White House"),
        ("It is Trump's plan.", "Trump's", "PERSON", "Trump"),
        ("It is Trump’s plan.", "Trump’s", "PERSON", "Trump"),
        ("Mr. Trump spoke.", "Mr. Trump", "PERSON", "Trump"),
        ("The Hague ruled.", "The Hague", "GPE", "Hague"),
    ],
)
def test_names_lose_leading_the_possessives_and_honorifics(text, surface, label, name):
    (entity,) = extract_entities(make_doc(text, [(surface, label)]), "a1")
    assert entity.name == name
    (mention,) = entity.mentions
    assert text[mention.start:mention.end] == name


@pytest.mark.parametrize(
    ("text", "surface", "label", "name"),
    [
        ("The U.S. said so.", "U.S.", "GPE", "U.S."),
        ("He flew to Washington, D.C. today.", "D.C.", "GPE", "D.C."),
        ("Martin Luther King Jr. spoke.", "Martin Luther King Jr.", "PERSON", "Martin Luther King Jr."),
        ("Apple Inc. said so.", "Apple Inc.", "ORG", "Apple Inc."),
        # A sentence's full stop after an ordinary name is not part of it.
        ("They met in Paris.", "Paris.", "GPE", "Paris"),
    ],
)
def test_an_abbreviation_keeps_its_final_period(text, surface, label, name):
    (entity,) = extract_entities(make_doc(text, [(surface, label)]), "a1")
    assert entity.name == name
    (mention,) = entity.mentions
    assert text[mention.start:mention.end] == name


@pytest.mark.parametrize("label", ["DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"])
def test_numeric_labels_are_not_entities(label):
    assert extract_entities(make_doc("On Monday it rose.", [("Monday", label)]), "a1") == ()


def test_dateline_capitals_give_way_to_ordinary_spelling():
    doc = make_doc("MOSCOW, May 18. Moscow said so.", [("MOSCOW", "GPE"), ("Moscow", "GPE")])
    (entity,) = extract_entities(doc, "a1")
    assert entity.name == "Moscow" and entity.mention_count == 2


def test_part_shared_by_two_people_stays_apart():
    doc = make_doc(
        "Hillary Clinton and Bill Clinton came. Clinton spoke.",
        [("Hillary Clinton", "PERSON"), ("Bill Clinton", "PERSON"), ("Clinton", "PERSON")],
    )
    assert set(by_name(doc)) == {"Hillary Clinton", "Bill Clinton", "Clinton"}


def test_honorific_form_joins_the_full_name():
    doc = make_doc("Donald Trump arrived. Mr. Trump spoke.", [("Donald Trump", "PERSON"), ("Mr. Trump", "PERSON")])
    entities = by_name(doc)
    assert set(entities) == {"Donald Trump"}
    assert [m.text for m in entities["Donald Trump"].mentions] == ["Donald Trump", "Trump"]


def test_same_name_with_mixed_labels_takes_the_majority_label():
    doc = make_doc(
        "Georgia voted. Georgia won. Georgia lost.",
        [("Georgia", "GPE"), ("Georgia", "GPE"), ("Georgia", "PERSON")],
    )
    (entity,) = extract_entities(doc, "a1")
    assert entity.label == "GPE"


def test_punctuation_only_entity_is_dropped():
    doc = make_doc("Look: -- here.", [("--", "ORG")])
    assert extract_entities(doc, "a1") == ()


def names(text: str, ents: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(entity.name, entity.label) for entity in extract_entities(make_doc(text, ents), "a1")]


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        ("Bowling: Croft 8-0-37-2 and more.", "Croft 8-0-37-2", [("Croft", "PERSON")]),
        ("He beat Mario Ancic 6-4 3-6 6-3.", "Mario Ancic 6", [("Mario Ancic", "PERSON")]),
        ("They drew at Stamford Bridge 3-1 today.", "Stamford Bridge 3-1", [("Stamford Bridge", "PERSON")]),
        ("D. Fleming b Jayasuriya 3\nG. McGrath not out 8", "Jayasuriya 3\nG. McGrath",
         [("Jayasuriya", "PERSON"), ("G. McGrath", "PERSON")]),
        ("Results: Pohang 3 Ulsan 2", "Pohang 3 Ulsan 2", [("Pohang", "PERSON"), ("Ulsan", "PERSON")]),
        ("Goals: Archibald 19, Grady 29, Crawford 41.", "Grady 29", [("Grady", "PERSON")]),
        ("Cole, Pires, Vieira, Van Persie (Bergkamp 68), Henry.", "Bergkamp 68", [("Bergkamp", "PERSON")]),
        ("Results\n\nBoston Red Sox won.", "Results\n\nBoston Red Sox", [("Results", "PERSON"), ("Boston Red Sox", "PERSON")]),
        ("Call 212-859-1620 now.", "212-859-1620", []),
    ],
)
def test_table_rows_and_scores_are_cut_out_of_names(text, surface, expected):
    assert names(text, [(surface, "PERSON")]) == expected


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        ("SOCCER - JAPAN GET LUCKY WIN .", "SOCCER - JAPAN", ["SOCCER", "JAPAN"]),
        ("Scorers :\nLithuania - Danius Gleveckas ( 13rd )", "Lithuania - Danius Gleveckas", ["Lithuania", "Danius Gleveckas"]),
        ("GERMANY -- Bunds fell.", "GERMANY -- Bunds", ["GERMANY", "Bunds"]),
        ("7. Natalya Shikolen ( Belarus ) 60.74", "Natalya Shikolen ( Belarus", ["Natalya Shikolen", "Belarus"]),
        ("beat Jane Quigley (USA) 3:42.852", "Jane Quigley (USA", ["Jane Quigley", "USA"]),
        ("Gulf await order .\nJim Adams\nWASHINGTON 1996-08-31", "Jim Adams\nWASHINGTON", ["Jim Adams", "WASHINGTON"]),
        ("SCHEDULE\nBALTIMORE AT SEATTLE\n", "BALTIMORE AT SEATTLE", ["BALTIMORE", "SEATTLE"]),
    ],
)
def test_names_are_cut_at_separators_and_at_a_dateline(text, surface, expected):
    assert sorted(name for name, _ in names(text, [(surface, "ORG")])) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "surface", "label"),
    [
        ("He watched Channel 4 News and more.", "Channel 4 News", "ORG"),
        ("The Formula 1 season starts.", "Formula 1", "EVENT"),
        ("Leaders met at the G8 summit.", "G8", "ORG"),
        ("The Airbus A380 flew.", "Airbus A380", "PRODUCT"),
        ("Boeing showed the 777-200LR jet.", "777-200LR", "PRODUCT"),
        ("Euro 2004 was in Portugal, said Radio 4 on 3 May.", "Euro 2004", "EVENT"),
        ("He saw Fahrenheit 9/11 twice.", "Fahrenheit 9/11", "WORK_OF_ART"),
        ("The Boston Red\nSox won 4 of 7.", "Boston Red\nSox", "ORG"),  # a name wrapped over a line stays whole
        ("The RED\nSOX won 4 of 7.", "RED\nSOX", "ORG"),  # in capitals on both lines
        ("Then the U.S.\nSenate voted.", "U.S.\nSenate", "ORG"),  # initials are no dateline
        ("Shares of Rolls-Royce rose.", "Rolls-Royce", "ORG"),  # a hyphen inside a word is no separator
        ("She studied at the University of California at Berkeley.", "University of California at Berkeley", "ORG"),
    ],
)
def test_real_names_with_numbers_or_wrapped_stay_whole(text, surface, label):
    ((name, _),) = names(text, [(surface, label)])
    assert name == " ".join(surface.split())


@pytest.mark.parametrize(
    ("text", "surface", "label", "expected"),
    [
        ("Mr Blair said so.", "Mr Blair", "ORG", ("Blair", "PERSON")),
        ("Mrs Thatcher said so.", "Mrs Thatcher", "GPE", ("Thatcher", "PERSON")),
        ("Lord Falconer said so.", "Lord Falconer", "ORG", ("Falconer", "PERSON")),
        ("Dr Reid said so.", "Dr Reid", "NORP", ("Reid", "PERSON")),
        ("Baroness Scotland said so.", "Baroness Scotland", "GPE", ("Scotland", "PERSON")),
        ("Dame Judi Dench said so.", "Dame Judi Dench", "ORG", ("Judi Dench", "PERSON")),
        ("Mr de Vabres said so.", "Mr de Vabres", "ORG", ("de Vabres", "PERSON")),
        # Not a title before a name: these keep NER's label and their words.
        ("He read Lord of the Rings.", "Lord of the Rings", "WORK_OF_ART", ("Lord of the Rings", "WORK_OF_ART")),
        ("General Motors said so.", "General Motors", "ORG", ("General Motors", "ORG")),
        ("Miss World was held.", "Miss World", "EVENT", ("Miss World", "EVENT")),
    ],
)
def test_a_personal_title_makes_a_person(text, surface, label, expected):
    assert names(text, [(surface, label)]) == [expected]


@pytest.mark.parametrize("party", ["Labour", "Lib Dems", "Conservatives", "Tories", "Liberal Democrats", "SNP"])
def test_a_party_is_no_person(party):
    assert names(f"Then {party} said no.", [(party, "PERSON")]) == [(party, "ORG")]


def test_a_party_label_nlp_gave_otherwise_is_kept():
    assert names("Then Labour said no.", [("Labour", "NORP")]) == [("Labour", "NORP")]


def test_a_headline_in_capitals_becomes_the_names_the_article_writes():
    text = "SOCCER - ENGLAND BEAT MOLDOVA IN QUALIFIER .\nEngland beat Moldova 3-0 in Chisinau ."
    found = names(text, [("ENGLAND BEAT MOLDOVA IN", "ORG"), ("England", "GPE"), ("Moldova", "GPE")])
    assert sorted(found) == [("England", "GPE"), ("Moldova", "GPE")]
    mentions = {entity.name: [m.text for m in entity.mentions]
                for entity in extract_entities(make_doc(text, [("ENGLAND BEAT MOLDOVA IN", "ORG"), ("England", "GPE"),
                                                                ("Moldova", "GPE")]), "a1")}
    assert mentions == {"England": ["ENGLAND", "England"], "Moldova": ["MOLDOVA", "Moldova"]}


def test_capitals_that_hold_no_known_name_or_are_one_stay_as_found():
    text = "RED SOX BEAT YANKEES\nNEW YORK TIMES said so. The New York Times agreed."
    found = names(text, [("RED SOX BEAT YANKEES", "ORG"), ("NEW YORK TIMES", "ORG"), ("New York Times", "ORG")])
    assert sorted(found) == [("New York Times", "ORG"), ("RED SOX BEAT YANKEES", "ORG")]

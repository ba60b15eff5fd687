"""Each composite transform on its own, in a TestPipeline on the in-memory runner."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import load_settings
from pipeline.failures import Reason, make_failure
from pipeline.local_runner import RUNNER_PATH as LOCAL_RUNNER
from pipeline.nlp.annotate import Annotate
from pipeline.records import Annotated, TableRow, Tally, path_article_id
from pipeline.parse.normalise import canonical_url
from pipeline.records import stable_id
from pipeline.sinks.dataset import (
    commit,
    index_shard,
    may_hold_content_ids,
    may_hold_old_url_ids,
    open_table,
    prepare_root,
    read_article_index,
)
from pipeline.sinks.write import WriteDataset, read_staging_report
from pipeline.sinks.batches import RowBatch
from pipeline.stages import Deduplicate, SkipStored, legacy_content_id, legacy_url_id, shard_rows, to_rows
from pipeline.storage.location import Location
from tests.factories import NOW, annotate_by_hand, ingest_by_hand, make_article

LOCAL = [f"--runner={LOCAL_RUNNER}", "--direct_running_mode=in_memory"]


def _pipeline() -> BeamTestPipeline:
    return BeamTestPipeline(options=PipelineOptions(LOCAL))


def test_deduplicate_keeps_the_newest_version_and_counts_the_rest() -> None:
    old = make_article("First version.", published_at=NOW)
    new = make_article("Second version.", published_at=NOW + timedelta(hours=1))
    failure = make_failure("parse", Reason.EMPTY_FILE, "/x/empty.txt", "empty", occurred_at=NOW)
    with _pipeline() as p:
        out = (
            p
            | beam.Create([old, new, failure, failure, Tally("articles_read"), Tally("articles_read", 2)])
            | Deduplicate()
        )
        assert_that(out, equal_to([new, failure, Tally("duplicates", 1), Tally("articles_read", 3)]))


def test_skip_stored_drops_unchanged_and_clears_the_old_rows_of_a_changed_article(tmp_path: Path) -> None:
    location = prepare_root(Location.parse(str(tmp_path)))
    stored = make_article("Same words.", url="https://x.example/same")
    moving = make_article("Old words.", url="https://x.example/moving")
    ingest_by_hand(location, annotate_by_hand(stored), annotate_by_hand(moving))
    moved = replace(
        make_article("New words.", url="https://x.example/moving", published_at=NOW + timedelta(days=3)),
    )
    assert read_article_index(location, index_shard(moved.article_id))[moved.article_id].partition == "2026-03-02"
    failure = make_failure("parse", Reason.EMPTY_FILE, "/x/empty.txt", "empty", occurred_at=NOW)

    with _pipeline() as p:
        out = p | beam.Create([stored, moved, failure, Tally("articles_read", 2)]) | SkipStored(location)
        kinds = out | beam.Map(lambda e: (type(e).__name__, getattr(e, "name", None) or getattr(e, "partition", None)))
        assert_that(
            kinds,
            equal_to(
                [("Tally", "unchanged"), ("Tally", "changed"), ("Article", None), ("Failure", None), ("Tally", "articles_read")]
                + [("TableRow", "2026-03-02")] * 3  # articles, entities, quotes of its old date
                + [("TableRow", index_shard(moved.article_id))] * 2  # and its old index and story-index entries
            ),
        )


@pytest.mark.slow
def test_annotate_finds_entities_and_quotes_with_the_real_model() -> None:
    body = 'Mayor Daniel Okafor spoke on Monday. "We will rebuild the bridge by June," Okafor said.'
    article = make_article(body)
    failure = make_failure("parse", Reason.EMPTY_FILE, "/x/empty.txt", "empty", occurred_at=NOW)
    settings = load_settings().nlp
    with _pipeline() as p:
        out = p | beam.Create([article, failure]) | Annotate(settings)
        summary = out | beam.Map(
            lambda e: (
                [(x.name, x.label) for x in e.entities if x.label == "PERSON"],
                [(q.kind, q.speaker) for q in e.quotes],
            )
            if isinstance(e, Annotated)
            else type(e).__name__
        )
        assert_that(
            summary,
            equal_to([([("Daniel Okafor", "PERSON")], [("direct", "Daniel Okafor")]), "Failure", "Tally"]),
        )


@pytest.mark.slow
def test_annotate_stores_an_article_in_a_language_without_a_pipeline_unannotated() -> None:
    german = make_article(
        'Die Ministerin Anna Schmidt sprach am Montag in Berlin. "Wir bauen die Brücke bis Juni wieder auf", '
        "sagte Schmidt vor Journalisten im Rathaus der Stadt.", url="https://x.example/de", title="Brücke")
    english = make_article(
        'Mayor Daniel Okafor spoke on Monday. "We will rebuild the bridge by June," Okafor said.',
        url="https://x.example/en")
    with _pipeline() as p:
        out = p | beam.Create([german, english]) | Annotate(load_settings().nlp)
        summary = out | beam.Map(
            lambda e: (e.article.url, e.article.language, len(e.entities), len(e.quotes))
            if isinstance(e, Annotated) else (e.name, e.count)
        )
        assert_that(summary, equal_to([
            ("https://x.example/de", "de", 0, 0),  # no English rules on German text
            ("https://x.example/en", "en", 1, 1),  # Daniel Okafor, and his quote
            ("articles_annotated", 1),
            ("not_annotated:de", 1),
        ]))


def test_write_dataset_stages_tables_and_a_report_that_commit_publishes(tmp_path: Path) -> None:
    location = prepare_root(Location.parse(str(tmp_path)))
    annotated = annotate_by_hand(make_article('Ana Lima said: "Done."'), quote="Done.")
    failure = make_failure("parse", Reason.MALFORMED_JSON, "/x/bad.jsonl", "bad", locator="line 2", occurred_at=NOW)
    writer = WriteDataset(location, run_id="run-test")
    with _pipeline() as p:
        _ = p | beam.Create([annotated, failure, Tally("articles_read", 1)]) | beam.FlatMap(to_rows) | writer

    report = read_staging_report(location, "run-test")
    counts = report["counts"]
    assert counts["rows_written:articles"] == 1
    assert counts["rows_written:quotes"] == 1
    assert counts["failure:malformed_json"] == 1
    assert counts["articles_read"] == 1
    assert open_table(location, "failures") is None  # staged, not yet visible
    published = commit(location, "run-test", report["staged"])
    assert published.by_table["articles"] == 1
    reasons = open_table(location, "failures").to_table(columns=["reason", "locator"]).to_pylist()
    assert reasons == [{"reason": "malformed_json", "locator": "line 2"}]


def test_write_dataset_stages_one_summed_delta_per_name_key(tmp_path: Path) -> None:
    """Every article adds its names' statistics; the writer sums them per key before staging, so the
    staged deltas hold each key once, with the counts of all its articles."""
    location = prepare_root(Location.parse(str(tmp_path)))
    articles = [annotate_by_hand(make_article(f"Ana Lima spoke at meeting {n}.")) for n in range(3)]
    writer = WriteDataset(location, run_id="run-deltas")
    with _pipeline() as p:
        _ = p | beam.Create(articles) | beam.FlatMap(to_rows) | writer

    staged = read_staging_report(location, "run-deltas")["staged"]
    [deltas] = [item for item in staged if item.table == "identity_deltas"]
    rows = pq.read_table(location.path(deltas.staged)).to_pylist()
    assert [(row["name_key"], row["article_count"], row["mention_count"]) for row in rows] == [("person:ana lima", 3, 3)]
    commit(location, "run-deltas", staged)
    [identity] = open_table(location, "identities").to_table(columns=["name", "article_count"]).to_pylist()
    assert identity == {"name": "Ana Lima", "article_count": 3}


def test_rows_batched_per_shard_stage_as_loose_rows_do(tmp_path: Path) -> None:
    """The pipeline's path: each NLP shard's rows leave it as Arrow batches per table partition
    (index rows loose); staged, they equal what the same rows give one by one."""
    articles = [
        annotate_by_hand(make_article(f'Ana Lima said: "Meeting {n} went well." It was in Lisbon.', url=f"https://x.example/{n}"),
                         quote=f"Meeting {n} went well.")
        for n in range(40)
    ]
    failure = make_failure("parse", Reason.MALFORMED_JSON, "/x/bad.jsonl", "bad", locator="line 2", occurred_at=NOW)
    shards = [(0, articles[:25] + [failure]), (1, articles[25:])]
    batched = list(shard_rows(iter(shards[0][1])))
    batches = {(item.table, item.partition): item.rows.num_rows for item in batched if isinstance(item, RowBatch)}
    assert batches == {("articles", "2026-03-02"): 25, ("entities", "2026-03-02"): 25, ("quotes", "2026-03-02"): 25}
    # One name in every article: its statistics are summed in the shard, one loose row.
    [deltas] = [item for item in batched if isinstance(item, TableRow) and item.table == "identity_deltas"]
    assert deltas.row["article_count"] == 25

    def staged_tables(location: Location, run_id: str) -> dict:
        report = read_staging_report(location, run_id)
        return {
            (item.table, item.partition): pq.read_table(location.path(item.staged)).to_pylist()
            for item in report["staged"] if item.staged
        }, report["counts"]

    by_shard = prepare_root(Location.parse(str(tmp_path / "by-shard")))
    with _pipeline() as p:
        _ = p | beam.Create(shards) | beam.FlatMap(lambda shard: shard_rows(iter(shard[1]))) | WriteDataset(by_shard, "run-a")
    loose = prepare_root(Location.parse(str(tmp_path / "loose")))
    with _pipeline() as p:
        _ = p | beam.Create([*articles, failure]) | beam.FlatMap(to_rows) | WriteDataset(loose, "run-a")

    assert staged_tables(by_shard, "run-a") == staged_tables(loose, "run-a")


def test_a_file_stored_under_its_texts_id_before_schema_1_3_is_replaced_under_its_paths_id(tmp_path: Path) -> None:
    location = prepare_root(Location.parse(str(tmp_path)))
    # What a dataset of schema 1.2 holds for /in/a.txt: the article under the id of its text.
    old = replace(make_article("Words of the file.", url=None), origin="/in/a.txt")
    ingest_by_hand(location, annotate_by_hand(old))
    # The same file read today: the id of its path.
    new = replace(old, article_id=path_article_id("/in/a.txt"))
    assert legacy_content_id(new) == old.article_id != new.article_id

    def kinds(legacy_ids: bool) -> list:
        with _pipeline() as p:
            out = p | beam.Create([new]) | SkipStored(location, legacy_ids=legacy_ids)
            found = out | beam.Map(lambda e: (type(e).__name__, getattr(e, "name", None) or getattr(e, "article_id", None)))
            assert_that(found, equal_to(expected[legacy_ids]))

    expected = {
        # A dataset created at 1.3 holds no such ids: nothing is looked up.
        False: [("Article", new.article_id)],
        # Else its old rows (articles, entities, quotes, index and story-index entries) are cleared as for a changed article.
        True: [("Tally", "changed"), ("Article", new.article_id)] + [("TableRow", old.article_id)] * 5,
    }
    kinds(False)
    kinds(True)


def test_only_a_dataset_created_before_schema_1_3_may_hold_text_ids(tmp_path: Path) -> None:
    location = prepare_root(Location.parse(str(tmp_path / "new")))
    assert not may_hold_content_ids(location)
    (tmp_path / "new" / "_newsbeam.json").write_text('{"format": "newsbeam", "schema_version": "1.2", "layout_version": 2}')
    assert may_hold_content_ids(location)


def test_an_article_stored_under_its_urls_old_id_before_schema_1_4_is_replaced_under_its_new_id(tmp_path: Path) -> None:
    location = prepare_root(Location.parse(str(tmp_path)))
    published = "https://www.bbc.com/news/articles/cp81l0e1eg5o?at_medium=RSS&at_campaign=rss"
    # What a dataset of schema 1.3 holds: the article under the id of its URL with the BBC's parameters.
    old = replace(make_article("Words of the story.", url=published), canonical_url=None)
    ingest_by_hand(location, annotate_by_hand(old))
    # The same entry read today: known by its canonical URL, the URL as published kept.
    new = replace(old, article_id=stable_id("url", canonical_url(published)), canonical_url=canonical_url(published))
    untouched = make_article("Another story.", url="https://e.com/same")  # its id did not change: never looked up
    assert legacy_url_id(new) == old.article_id != new.article_id
    assert legacy_url_id(untouched) is None

    def check(legacy_url_ids: bool) -> None:
        with _pipeline() as p:
            out = p | beam.Create([new, untouched]) | SkipStored(location, legacy_url_ids=legacy_url_ids)
            found = out | beam.Map(lambda e: (type(e).__name__, getattr(e, "name", None) or getattr(e, "article_id", None)))
            assert_that(found, equal_to(expected[legacy_url_ids]))

    expected = {
        False: [("Article", new.article_id), ("Article", untouched.article_id)],
        # Its old rows (articles, entities, quotes, index and story-index entries) are cleared as for a changed article.
        True: [("Tally", "changed"), ("Article", new.article_id), ("Article", untouched.article_id)]
        + [("TableRow", old.article_id)] * 5,
    }
    check(False)
    check(True)


def test_only_a_dataset_created_before_schema_1_4_may_hold_old_url_ids(tmp_path: Path) -> None:
    location = prepare_root(Location.parse(str(tmp_path / "new")))
    assert not may_hold_old_url_ids(location)
    (tmp_path / "new" / "_newsbeam.json").write_text('{"format": "newsbeam", "schema_version": "1.3", "layout_version": 2}')
    assert may_hold_old_url_ids(location) and not may_hold_content_ids(location)


def test_exact_copies_of_a_file_under_two_names_are_one_article_whichever_comes_first() -> None:
    base = replace(make_article("Copied words.", url=None), origin="/in/a.txt")
    first = replace(base, article_id=path_article_id("/in/a.txt"))
    copy = replace(base, origin="/in/copy-of-a.txt", article_id=path_article_id("/in/copy-of-a.txt"))
    kept = min(first, copy, key=lambda article: article.article_id)
    for order in ([first, copy], [copy, first]):
        with _pipeline() as p:
            out = p | beam.Create(order) | Deduplicate()
            assert_that(out, equal_to([kept, Tally("duplicates", 1)]))

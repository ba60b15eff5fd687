"""Planning a run: inputs split into bounded pipeline runs whose summaries add up; the default input."""

from __future__ import annotations

import pytest

from pipeline.failures import Reason, make_failure
from pipeline.sources.plan import InputPlan, plan_inputs, split_plan, unopened_inputs
from pipeline.summary import RunSummary, combine_summaries
from pipeline.sources.feedlists import FeedSpec


@pytest.mark.parametrize(
    "files, per_run, sizes",
    [(0, 3, [0]), (3, 3, [3]), (7, 3, [3, 2, 2]), (5, 1, [1] * 5), (2225, 2000, [1113, 1112]), (4001, 2000, [1334, 1334, 1333])],
)
def test_parts_hold_every_file_once_in_order(files: int, per_run: int, sizes: list[int]) -> None:
    paths = [f"/in/{index}.txt" for index in range(files)]
    parts = split_plan(InputPlan(paths=paths), files_per_run=per_run)
    assert [len(part.paths) for part in parts] == sizes
    assert [path for part in parts for path in part.paths] == paths


def test_feeds_and_launcher_failures_go_with_the_first_part_only() -> None:
    feed = FeedSpec(url="https://x.example/rss")
    failure = make_failure("read", Reason.NO_MATCH, "*.nothing", "no match")
    parts = split_plan(InputPlan(paths=["a", "b", "c"], feeds=[feed], failures=[failure]), files_per_run=2)
    assert [(part.feeds, part.failures) for part in parts] == [([feed], [failure]), ([], [])]


def test_summaries_add_up() -> None:
    first = RunSummary("r1", "/out", {"articles_read": 2, "failure:empty_file": 1}, 3.0)
    second = RunSummary("r2", "/out", {"articles_read": 5, "quotes": 4}, 4.0)
    combined = combine_summaries([first, second])
    assert combined.counts == {"articles_read": 7, "failure:empty_file": 1, "quotes": 4}
    assert (combined.run_id, combined.seconds, combined.parts) == ("r1", 7.0, 2)
    assert combined.articles_per_second == 1.0


def test_no_input_falls_back_to_the_seeds_in_the_working_folder(tmp_path, monkeypatch) -> None:
    import pipeline.sources.plan as run_module
    from pipeline.config import ConfigError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(run_module, "SEEDS_CANDIDATES", (tmp_path / "not-installed-here", run_module.Path("seeds")))
    with pytest.raises(ConfigError, match="no input given"):
        run_module.default_inputs()
    (tmp_path / "seeds").mkdir()
    assert run_module.default_inputs() == [str(tmp_path / "seeds")]


def test_only_named_inputs_that_cannot_be_opened_count_as_unopened(tmp_path) -> None:
    """A missing path or folder named by the user is unopened (exit 2); a bad line inside a readable
    feed list, or a bad file inside a readable folder, is data."""
    feed_list = tmp_path / "feeds.yaml"
    feed_list.write_text("feeds:\n  - url: https://x.example/rss\n  - name: no url here\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    missing = str(tmp_path / "typo")
    specs = [str(feed_list), str(folder), missing]
    plan = plan_inputs(specs)
    assert any(failure.origin == str(feed_list) for failure in plan.failures)  # the bad line is recorded
    assert unopened_inputs(plan, specs) == (missing,)


@pytest.mark.parametrize(
    "counts, unopened, status",
    [
        ({"files_opened": 3, "documents_read": 1, "failure:empty_file": 2}, (), "ok"),  # bad documents are data
        ({}, (), "ok"),  # an empty folder: nothing to open is an empty run
        ({"failure:no_match": 1}, (), "ok"),
        ({"files_opened": 1, "feeds_failed": 2}, (), "ok"),  # something was read
        ({"feeds_not_modified": 1, "feeds_failed": 1}, (), "ok"),  # a 304 is a feed that answered
        ({"files_opened": 2}, ("typo/",), "unopened_input"),
        ({"feeds_failed": 2}, (), "nothing_read"),
        ({"files_unopened": 1}, (), "nothing_read"),
        ({}, ("typo/",), "nothing_read"),
    ],
)
def test_the_status_says_whether_anything_could_be_read(counts: dict, unopened: tuple, status: str) -> None:
    assert RunSummary("r", "/out", counts, 1.0, unopened_inputs=unopened).status == status


def test_the_summary_document_is_json_with_stable_counts() -> None:
    import json

    from pipeline.summary import summary_document

    summary = RunSummary("r1", "/out", {"rows_added:articles": 3, "rows_replaced:articles": 1, "changed": 1,
                                        "failure:empty_file": 2, "not_annotated:de": 1, "files_opened": 4}, 2.0,
                         inputs=("in/",))
    document = json.loads(json.dumps(summary_document(summary)))
    assert (document["status"], document["inputs"], document["duration_s"]) == ("ok", ["in/"], 2.0)
    assert (document["counts"]["articles_written"], document["counts"]["articles_new"], document["counts"]["failures"]) == (4, 3, 2)
    assert (document["failures_by_reason"], document["not_annotated_by_language"]) == ({"empty_file": 2}, {"de": 1})

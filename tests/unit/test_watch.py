"""watch: file signatures, what is due, the cycle's plan, the status line and the loop (run_plan stubbed)."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Optional, Sequence

import pytest

from pipeline import watch as watch_module
from pipeline.config import ConfigError, Settings, load_settings
from pipeline.sources.plan import InputPlan
from pipeline.summary import RunSummary
from pipeline.sinks.dataset import DatasetError
from pipeline.sinks.dataset import prepare_root as prepare_location
from pipeline.storage.location import Location
from pipeline.storage.lock import DatasetBusy, dataset_lock
from pipeline.storage.state import StateFolder
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.feed_state import FeedStateStore, state_path
from pipeline.sources.feedlists import FeedSpec
from pipeline.sources.file_state import FileSignature, FileStateStore, file_state_path, signature_of
from pipeline.watch import (
    CycleResult,
    WatchSummary,
    changed_files,
    due_feeds,
    format_final,
    format_status,
    next_cycle_start,
    plan_cycle,
    run_cycle,
    watch,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
FEED = "https://example.org/rss.xml"


def prepare_root(output: str) -> Location:
    return prepare_location(Location.parse(output))


def _state(output: Location) -> StateFolder:
    return StateFolder(output).__enter__()  # local: the dataset's own _state folder, nothing to clean up



def _old_file(path: Path, text: str = "Title: A\n\nBody of a.\n") -> Path:
    """A file written a minute ago: well past the settle time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def _settings(tmp_path: Path, *extra: str) -> Settings:
    return load_settings(overrides=[f"output={tmp_path / 'out'}", "watch.interval_seconds=60", *extra])


@pytest.fixture
def files_store(tmp_path: Path) -> Iterator[FileStateStore]:
    with FileStateStore(file_state_path(tmp_path / "out")) as store:
        yield store


# ----------------------------------------------------------------- file state


def test_file_state_lives_beside_the_feed_state(tmp_path: Path) -> None:
    assert file_state_path(tmp_path) == tmp_path / "_state" / "files.sqlite"


def test_signatures_survive_reopening_and_absent_files_are_forgotten(tmp_path: Path) -> None:
    path = file_state_path(tmp_path)
    with FileStateStore(path) as store:
        store.record({"/in/a.txt": FileSignature(10, 1), "/in/b.txt": FileSignature(20, 2)})
    with FileStateStore(path) as store:
        assert store.signatures() == {"/in/a.txt": FileSignature(10, 1), "/in/b.txt": FileSignature(20, 2)}
        store.record({"/in/c.txt": FileSignature(30, 3)}, present={"/in/a.txt"})
        assert store.signatures() == {"/in/a.txt": FileSignature(10, 1), "/in/c.txt": FileSignature(30, 3)}


def test_signature_of_a_vanished_file_is_none(tmp_path: Path) -> None:
    assert signature_of(tmp_path / "gone.txt") is None


# ----------------------------------------------------------------- changed files


def test_new_files_are_read_and_recorded_ones_are_not(tmp_path: Path) -> None:
    a, b = _old_file(tmp_path / "a.txt"), _old_file(tmp_path / "b.txt")
    known = {str(a): signature_of(a)}
    changed, present, settling = changed_files([str(a), str(b)], known, now=time.time())
    assert list(changed) == [str(b)] and present == {str(a), str(b)} and settling == 0


@pytest.mark.parametrize("change", ["content", "mtime"])
def test_a_changed_file_is_read_again(tmp_path: Path, change: str) -> None:
    a = _old_file(tmp_path / "a.txt")
    known = {str(a): signature_of(a)}
    if change == "content":
        _old_file(a, "Title: A\n\nBody of a, corrected and longer.\n")
    else:
        os.utime(a, ns=(known[str(a)].mtime_ns + 1_000_000_000,) * 2)
    changed, _, _ = changed_files([str(a)], known, now=time.time())
    assert list(changed) == [str(a)]


def test_a_file_still_being_written_waits_for_the_next_cycle(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.txt"
    fresh.write_text("half an artic")
    changed, present, settling = changed_files([str(fresh)], {}, now=time.time(), settle_seconds=5)
    assert changed == {} and present == {str(fresh)} and settling == 1
    changed, _, settling = changed_files([str(fresh)], {}, now=time.time() + 10, settle_seconds=5)
    assert list(changed) == [str(fresh)] and settling == 0


def test_a_file_removed_after_listing_is_skipped(tmp_path: Path) -> None:
    changed, present, _ = changed_files([str(tmp_path / "gone.txt")], {}, now=time.time())
    assert changed == {} and present == frozenset()


# ----------------------------------------------------------------- due feeds


@pytest.fixture
def feed_store(tmp_path: Path) -> Iterator[FeedStateStore]:
    with FeedStateStore(state_path(tmp_path / "out")) as store:
        yield store


def test_a_feed_never_polled_is_due(feed_store: FeedStateStore) -> None:
    assert due_feeds([FeedSpec(FEED)], feed_store, default_interval=300, now=T0) == [FeedSpec(FEED)]


def test_a_feed_polled_last_cycle_is_due_this_cycle_despite_the_recording_delay(feed_store: FeedStateStore) -> None:
    # run_plan stamps the poll a little after the cycle started; the next cycle starts exactly an interval later
    feed_store.record_not_modified(FEED, T0 + timedelta(milliseconds=400))
    assert due_feeds([FeedSpec(FEED)], feed_store, default_interval=300, now=T0 + timedelta(seconds=150)) == []
    assert due_feeds([FeedSpec(FEED)], feed_store, default_interval=300, now=T0 + timedelta(seconds=300)) == [FeedSpec(FEED)]


def test_a_feed_interval_overrides_the_global_one(feed_store: FeedStateStore) -> None:
    slow = FeedSpec(FEED, interval_seconds=3600)
    feed_store.record_not_modified(FEED, T0)
    assert due_feeds([slow], feed_store, default_interval=300, now=T0 + timedelta(minutes=30)) == []
    assert due_feeds([slow], feed_store, default_interval=300, now=T0 + timedelta(hours=1)) == [slow]


def test_a_failing_feed_backs_off(feed_store: FeedStateStore) -> None:
    feed_store.record_failure(FEED, T0)
    feed_store.record_failure(FEED, T0)  # two failures: 4 intervals
    assert due_feeds([FeedSpec(FEED)], feed_store, default_interval=300, now=T0 + timedelta(minutes=10)) == []
    assert due_feeds([FeedSpec(FEED)], feed_store, default_interval=300, now=T0 + timedelta(minutes=20)) != []


# ----------------------------------------------------------------- planning a cycle


def test_plan_reads_new_files_and_due_feeds_and_re_reads_the_feed_list(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    a = _old_file(inbox / "a.txt")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - https://example.org/one.xml\n")
    settings = _settings(tmp_path)
    output = prepare_root(settings.output)
    now = datetime.now(timezone.utc)

    first = plan_cycle([str(inbox), str(feeds)], settings, state_folder=_state(output).folder, known_files={}, now=now)
    assert first.plan.paths == [str(a)] and [f.url for f in first.plan.feeds] == ["https://example.org/one.xml"]
    assert first.has_work and first.plan.failures == []

    with FeedStateStore(state_path(output.root)) as store:
        store.record_not_modified("https://example.org/one.xml", now)
    feeds.write_text("feeds:\n  - https://example.org/one.xml\n  - https://example.org/two.xml\n")
    b = _old_file(inbox / "b.txt")
    second = plan_cycle([str(inbox), str(feeds)], settings, state_folder=_state(output).folder, known_files=first.files, now=now)
    assert second.plan.paths == [str(b)] and [f.url for f in second.plan.feeds] == ["https://example.org/two.xml"]
    assert second.present == {str(a), str(b)}


def test_an_empty_inbox_is_no_failure_but_a_missing_file_is(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    settings = _settings(tmp_path)
    output = prepare_root(settings.output)
    specs = [str(tmp_path / "inbox"), str(tmp_path / "drop" / "*.json"), str(tmp_path / "missing.txt")]
    cycle = plan_cycle(specs, settings, state_folder=_state(output).folder, known_files={}, now=datetime.now(timezone.utc))
    assert not cycle.has_work
    assert [f.origin for f in cycle.plan.failures] == [str(tmp_path / "missing.txt")]


def test_next_cycle_starts_an_interval_after_the_last_start_or_now_when_late() -> None:
    assert next_cycle_start(100.0, 60.0, now=130.0) == 160.0
    assert next_cycle_start(100.0, 60.0, now=175.0) == 175.0


# ----------------------------------------------------------------- status lines


def test_status_line_of_a_cycle_that_ran() -> None:
    counts = {"rows_added:articles": 4, "changed": 1, "quotes": 9, "failure:http_error": 1, "failure:empty_file": 2,
              "feeds_fetched": 1, "feeds_not_modified": 2, "feeds_failed": 1}
    result = CycleResult(3, T0, 7.94, counts=counts, files=2, feeds=4, ran=True)
    line = format_status(result)
    assert line.startswith("cycle 3 ")
    assert line.endswith("  new 4  changed 1  quotes 9  failures 3  feeds 4 polled / 2 not modified / 1 error  files 2  7.9 s")


def test_status_lines_of_an_idle_and_a_failed_cycle() -> None:
    assert format_status(CycleResult(4, T0, 0.01)).endswith("files 0  0.0 s  (nothing due)")
    failed = format_status(CycleResult(5, T0, 3.2, error="RuntimeError: worker died"))
    assert "error RuntimeError: worker died" in failed and "\n" not in failed


def test_final_line() -> None:
    summary = WatchSummary(cycles=3, failed_cycles=1, counts={"rows_added:articles": 5, "quotes": 7, "failure:x": 2})
    assert format_final(summary) == (
        "watch stopped after 3 cycle(s): 5 new article(s), 0 changed, 7 quote(s), 2 failure(s), 1 cycle(s) failed"
    )


# ----------------------------------------------------------------- cycles and the loop, run_plan stubbed


class FakeRunPlan:
    """Records each plan and returns counts like a real run would; can fail on chosen calls."""

    def __init__(self, fail_on: tuple[int, ...] = (), error: Exception = RuntimeError("runner crashed\ndetails")) -> None:
        self.plans: list[InputPlan] = []
        self.cutoffs: list[Optional[Cutoff]] = []
        self.fail_on = fail_on
        self.error = error

    def __call__(
        self, settings: Settings, plan: InputPlan, *, output: Location, state: StateFolder, poll_first: bool = False,
        inputs: Sequence[str] = (), cutoff: Optional[Cutoff] = None,
    ) -> RunSummary:
        self.plans.append(plan)
        self.cutoffs.append(cutoff)
        if len(self.plans) in self.fail_on:
            raise self.error
        counts = {"documents_read": len(plan.paths), "rows_added:articles": len(plan.paths), "quotes": 1}
        return RunSummary(run_id=f"r{len(self.plans)}", output=str(output), counts=counts, seconds=0.1)


def test_a_cycle_with_nothing_due_runs_no_pipeline(tmp_path: Path, files_store: FileStateStore, monkeypatch) -> None:
    fake = FakeRunPlan()
    monkeypatch.setattr(watch_module, "run_plan", fake)
    (tmp_path / "inbox").mkdir()
    settings = _settings(tmp_path)
    result = run_cycle(1, [str(tmp_path / "inbox")], settings, output=(output := prepare_root(settings.output)), state=_state(output), files_store=files_store, first=True)
    assert fake.plans == [] and not result.ran and result.error is None


def test_files_are_recorded_only_when_the_run_succeeded(tmp_path: Path, files_store: FileStateStore, monkeypatch) -> None:
    fake = FakeRunPlan(fail_on=(1,))
    monkeypatch.setattr(watch_module, "run_plan", fake)
    a = _old_file(tmp_path / "inbox" / "a.txt")
    settings = _settings(tmp_path)
    output = prepare_root(settings.output)
    specs = [str(tmp_path / "inbox")]

    failed = run_cycle(1, specs, settings, output=output, state=_state(output), files_store=files_store)
    assert failed.error == "RuntimeError: runner crashed" and files_store.signatures() == {}

    retried = run_cycle(2, specs, settings, output=output, state=_state(output), files_store=files_store)
    assert retried.ran and retried.files == 1 and fake.plans[1].paths == [str(a)]
    assert files_store.signatures() == {str(a): signature_of(a)}

    again = run_cycle(3, specs, settings, output=output, state=_state(output), files_store=files_store)
    assert not again.ran and len(fake.plans) == 2


def test_a_cycle_fetches_until_its_deadline_or_the_stop(tmp_path: Path, files_store: FileStateStore, monkeypatch) -> None:
    fake = FakeRunPlan()
    monkeypatch.setattr(watch_module, "run_plan", fake)
    _old_file(tmp_path / "inbox" / "a.txt")
    settings = _settings(tmp_path, "watch.cycle_deadline_seconds=90")
    stop = threading.Event()
    before = time.monotonic()

    run_cycle(1, [str(tmp_path / "inbox")], settings, output=(output := prepare_root(settings.output)), state=_state(output),
              files_store=files_store, stop=stop)

    (cutoff,) = fake.cutoffs
    assert before + 90 <= cutoff.at <= time.monotonic() + 90
    assert "watch.cycle_deadline_seconds" in cutoff.label
    assert not cutoff.expired()
    stop.set()  # what SIGTERM does
    assert cutoff.expired() and cutoff.stopped


@pytest.mark.parametrize("error", [DatasetError("output is not a dataset"), ConfigError("bad")])
def test_fatal_errors_end_the_watch(tmp_path: Path, files_store: FileStateStore, monkeypatch, error: Exception) -> None:
    monkeypatch.setattr(watch_module, "run_plan", FakeRunPlan(fail_on=(1,), error=error))
    _old_file(tmp_path / "inbox" / "a.txt")
    settings = _settings(tmp_path)
    with pytest.raises(type(error)):
        run_cycle(1, [str(tmp_path / "inbox")], settings, output=(output := prepare_root(settings.output)), state=_state(output), files_store=files_store)


def test_watch_runs_max_cycles_and_picks_up_files_added_between_them(tmp_path: Path, monkeypatch) -> None:
    fake = FakeRunPlan()
    monkeypatch.setattr(watch_module, "run_plan", fake)
    inbox = tmp_path / "inbox"
    _old_file(inbox / "a.txt")
    added = iter([inbox / "b.txt", inbox / "c.txt"])

    def add_a_file(result: CycleResult) -> None:
        _old_file(next(added, inbox / "z.txt"))

    out = io.StringIO()
    settings = _settings(tmp_path, "watch.interval_seconds=0.05")
    summary = watch(settings, [str(inbox)], max_cycles=3, on_cycle=add_a_file, out=out)
    assert [[Path(p).name for p in plan.paths] for plan in fake.plans] == [["a.txt"], ["b.txt"], ["c.txt"]]
    assert summary.cycles == 3 and summary.counts["rows_added:articles"] == 3
    lines = out.getvalue().splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [["cycle", "1"], ["cycle", "2"], ["cycle", "3"]]
    assert lines[3].startswith("watch stopped after 3 cycle(s): 3 new article(s)")


def test_watch_json_prints_one_object_per_cycle_and_one_at_the_end(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(watch_module, "run_plan", FakeRunPlan())
    inbox = tmp_path / "inbox"
    _old_file(inbox / "a.txt")
    out = io.StringIO()
    watch(_settings(tmp_path, "watch.interval_seconds=0.05"), [str(inbox)], max_cycles=2, out=out, as_json=True)
    first, second, final = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (first["event"], first["cycle"], first["ran"], first["files"]) == ("cycle", 1, True, 1)
    assert first["counts"]["articles_new"] == 1 and first["counts"]["quotes"] == 1
    assert (second["cycle"], second["ran"], second["counts"]["articles_new"]) == (2, False, 0)  # nothing new
    assert (final["event"], final["cycles"], final["failed_cycles"], final["counts"]["articles_new"]) == ("stopped", 2, 0, 1)


def test_cycles_start_every_interval(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(watch_module, "run_plan", FakeRunPlan())
    (tmp_path / "inbox").mkdir()
    starts: list[datetime] = []
    settings = _settings(tmp_path, "watch.interval_seconds=0.3")
    watch(settings, [str(tmp_path / "inbox")], max_cycles=3, on_cycle=lambda r: starts.append(r.started_at), out=io.StringIO())
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(starts, starts[1:])]
    assert all(0.29 < gap < 0.6 for gap in gaps), gaps


def test_sigterm_stops_after_the_current_cycle_and_restores_handlers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(watch_module, "run_plan", FakeRunPlan())
    (tmp_path / "inbox").mkdir()
    before = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    settings = _settings(tmp_path, "watch.interval_seconds=3600")  # only a signal ends this watch quickly
    started = time.monotonic()
    summary = watch(settings, [str(tmp_path / "inbox")], on_cycle=lambda r: os.kill(os.getpid(), signal.SIGTERM), out=out)
    assert summary.cycles == 1 and time.monotonic() - started < 30
    assert out.getvalue().splitlines()[-1].startswith("watch stopped after 1 cycle(s)")
    assert signal.getsignal(signal.SIGTERM) is before


def test_watch_needs_inputs_and_a_free_dataset(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(ConfigError, match="needs something to watch"):
        watch(settings, [], max_cycles=1)
    output = prepare_root(settings.output)
    with dataset_lock(output), pytest.raises(DatasetBusy):
        watch(settings, [str(tmp_path)], max_cycles=1, out=io.StringIO())

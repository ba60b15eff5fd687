"""`newsbeam watch`: continuous ingestion as a loop of bounded micro-batch runs.

Why not one streaming pipeline: no local Beam runner here runs an unbounded source through a
GroupByKey (nothing after it ever fires, docs/architecture.md), and the graph needs GroupByKeys (de-duplication,
the partition writer).  So each cycle plans what is due -- feeds whose interval has passed, local files
that are new or changed -- and runs the very graph `newsbeam run` builds (``run_plan``) over it, as one
bounded job.  Its rows are queryable when the cycle ends.  On a streaming runner the same transforms
could sit behind an unbounded source that emits each cycle's plan (see docs/watch.md).

Exactly once across crashes: feed polls (``run_plan``) and file signatures (here) are recorded only
after the cycle's rows are written; a cycle killed halfway is redone by the next start, and the
idempotent writer absorbs what it had already written.

Bounded cycles: each fetch has its response deadline (``http.response_deadline_seconds``), and a
cycle's fetching as a whole has ``watch.cycle_deadline_seconds``, and a stop (SIGINT/SIGTERM) ends the
fetches in progress at once (pipeline/sources/cutoff.py); the cycle then commits what it had read.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, TextIO

from pipeline import counters
from pipeline.config import ConfigError, Settings
from pipeline.counters import Count
from pipeline.failures import Reason
from pipeline.nlp.model import ensure_installed
from pipeline.records import Failure
from pipeline.run import dataset_location, run_plan
from pipeline.runner_options import pipeline_options
from pipeline.sinks.dataset import DatasetError, ensure_tables, prepare_root, recover
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.feed_state import STATE_FILE, FeedStateStore
from pipeline.sources.feedlists import FeedSpec
from pipeline.sources.plan import InputPlan, plan_inputs
from pipeline.sources.file_state import (
    FILE_STATE,
    FileSignature,
    FileStateStore,
    signature_of,
)
from pipeline.storage.location import Location, StorageError
from pipeline.storage.lock import DatasetBusy, dataset_lock
from pipeline.summary import headline_counts
from pipeline.storage.state import StateFolder

log = logging.getLogger(__name__)

# A file modified this recently may still be being written (a copy in progress); it waits one cycle.
SETTLE_SECONDS = 2.0
# A feed polled at the start of the last cycle is due at the start of this one, although its recorded
# attempt time is a few milliseconds later than that cycle's start: allow for that much, and no more.
MAX_DUE_SLACK_SECONDS = 30.0
# Errors that are the user's to fix (config, dataset, lock): they end the watch; the CLI exits 2.
FATAL_ERRORS: tuple[type[BaseException], ...] = (ConfigError, DatasetError, DatasetBusy, StorageError)


@dataclass(frozen=True)
class CyclePlan:
    """What one cycle reads, and what to record once its rows are written."""

    plan: InputPlan
    files: dict[str, FileSignature] = field(default_factory=dict)  # to read -> signature as listed
    present: frozenset[str] = frozenset()  # every file the watched specs match now
    settling: int = 0  # files skipped this cycle because they were still being written

    @property
    def has_work(self) -> bool:
        return bool(self.plan.paths or self.plan.feeds)


@dataclass(frozen=True)
class CycleResult:
    number: int
    started_at: datetime
    seconds: float
    counts: Mapping[str, int] = field(default_factory=dict)
    files: int = 0
    feeds: int = 0
    ran: bool = False
    error: Optional[str] = None

    def get(self, name: str) -> int:
        return self.counts.get(name, 0)


@dataclass(frozen=True)
class WatchSummary:
    cycles: int
    failed_cycles: int
    counts: Mapping[str, int]


# --------------------------------------------------------------------------- planning (pure-ish)


def feed_interval(spec: FeedSpec, default_seconds: float) -> float:
    return spec.interval_seconds if spec.interval_seconds is not None else default_seconds


def due_slack(interval_seconds: float) -> timedelta:
    return timedelta(seconds=min(interval_seconds * 0.1, MAX_DUE_SLACK_SECONDS))


def due_feeds(feeds: list[FeedSpec], store: FeedStateStore, *, default_interval: float, now: datetime) -> list[FeedSpec]:
    """The feeds whose own interval (or the global one) has passed, failure backoff included."""
    horizon = now + due_slack(default_interval)
    return [spec for spec in feeds if store.is_due(spec.url, feed_interval(spec, default_interval), horizon)]


def changed_files(
    paths: list[str],
    known: Mapping[str, FileSignature],
    *,
    now: float,
    settle_seconds: float = SETTLE_SECONDS,
) -> tuple[dict[str, FileSignature], frozenset[str], int]:
    """(new or changed files -> signature, every file still there, how many are still settling).

    ``now`` is wall-clock seconds (mtimes are wall-clock too).
    """
    changed: dict[str, FileSignature] = {}
    present: set[str] = set()
    settling = 0
    for path in paths:
        signature = signature_of(path)
        if signature is None:
            continue  # removed since it was listed
        present.add(path)
        if known.get(path) == signature:
            continue
        if now - signature.mtime_ns / 1e9 < settle_seconds:
            settling += 1
            continue
        changed[path] = signature
    return changed, frozenset(present), settling


def expected_in_a_watch(failure: Failure) -> bool:
    """An empty inbox folder, or a glob that matches nothing yet, is a normal state for a watch."""
    if failure.reason != Reason.NO_MATCH.value:
        return False
    return Path(failure.origin).is_dir() or any(char in failure.origin for char in "*?[")


def plan_cycle(
    specs: list[str],
    settings: Settings,
    *,
    state_folder: Path,
    known_files: Mapping[str, FileSignature],
    now: datetime,
    settle_seconds: float = SETTLE_SECONDS,
) -> CyclePlan:
    """Re-plan the inputs (feed lists are re-read, so edits apply) and keep only what is due."""
    full = plan_inputs(specs, storage_options=settings.storage.options)
    with FeedStateStore(state_folder / STATE_FILE) as store:
        feeds = due_feeds(full.feeds, store, default_interval=settings.watch.interval_seconds, now=now)
    files, present, settling = changed_files(full.paths, known_files, now=now.timestamp(), settle_seconds=settle_seconds)
    failures = [failure for failure in full.failures if not expected_in_a_watch(failure)]
    plan = InputPlan(paths=sorted(files), feeds=feeds, failures=failures)
    return CyclePlan(plan=plan, files=files, present=present, settling=settling)


def next_cycle_start(previous_start: float, interval_seconds: float, now: float) -> float:
    """Cycles start every interval, not an interval after the last one ended; late means now."""
    return max(previous_start + interval_seconds, now)


# --------------------------------------------------------------------------- one cycle


def run_cycle(
    number: int,
    specs: list[str],
    settings: Settings,
    *,
    output: Location,
    state: StateFolder,
    files_store: FileStateStore,
    settle_seconds: float = SETTLE_SECONDS,
    first: bool = False,
    stop: Optional[threading.Event] = None,
) -> CycleResult:
    """Plan, run what is due, record the files read; a non-fatal error becomes the result's ``error``.

    The cycle's fetching ends at its deadline or when ``stop`` is set; what was read is then committed."""
    started = time.monotonic()
    started_at = datetime.now(timezone.utc)
    cutoff = cycle_cutoff(settings, started=started, stop=stop)
    try:
        cycle = plan_cycle(
            specs, settings, state_folder=state.folder, known_files=files_store.signatures(), now=started_at, settle_seconds=settle_seconds
        )
        if cycle.settling:
            log.info("watch: %d file(s) still being written, read next cycle", cycle.settling)
        # Launcher failures (a bad feed list entry) alone start a run only once per watch: they are
        # rows to record, not new input, and they would otherwise cost a run every cycle.
        if not cycle.has_work and not (first and cycle.plan.failures):
            files_store.record({}, present=cycle.present)
            return CycleResult(number, started_at, time.monotonic() - started)
        summary = run_plan(settings, cycle.plan, output=output, state=state, poll_first=True, inputs=specs, cutoff=cutoff)
        # Only now are the files' rows in the dataset (run_plan returns after the commit).
        files_store.record(cycle.files, present=cycle.present)
        state.push()
    except FATAL_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - a runner hiccup costs one cycle, not the watch
        log.debug("watch: cycle %d failed", number, exc_info=True)
        message = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        return CycleResult(number, started_at, time.monotonic() - started, error=message)
    return CycleResult(
        number,
        started_at,
        time.monotonic() - started,
        counts=dict(summary.counts),
        files=len(cycle.plan.paths),
        feeds=len(cycle.plan.feeds),
        ran=True,
    )


def cycle_cutoff(settings: Settings, *, started: float, stop: Optional[threading.Event]) -> Cutoff:
    """When the fetching of a cycle that started at ``started`` (monotonic) must end."""
    seconds = settings.watch.cycle_deadline_seconds
    return Cutoff(at=started + seconds, stop=stop, label=f"the watch cycle's deadline ({seconds:g} s, watch.cycle_deadline_seconds)")


def format_status(result: CycleResult) -> str:
    """One line per cycle, e.g. ``cycle 3 12:05:00  new 4  changed 0  quotes 9  failures 1  feeds 3 polled / ...``."""
    clock = result.started_at.astimezone().strftime("%H:%M:%S")
    head = f"cycle {result.number} {clock}"
    if result.error:
        return f"{head}  error {result.error}  {result.seconds:.1f} s (retried next cycle)"
    get = result.get
    line = (
        f"{head}  new {get(counters.rows_added('articles'))}  changed {get(Count.CHANGED)}  quotes {get(Count.QUOTES)}"
        f"  failures {counters.failure_total(result.counts)}"
        f"  feeds {result.feeds} polled / {get(Count.FEEDS_NOT_MODIFIED)} not modified / {get(Count.FEEDS_FAILED)} error"
        f"  files {result.files}  {result.seconds:.1f} s"
    )
    return line if result.ran else f"{line}  (nothing due)"


def cycle_document(result: CycleResult) -> dict[str, Any]:
    """One cycle as a JSON-ready object (``watch --json`` prints one per line): the counts of
    ``run --json`` (pipeline.summary.headline_counts) and what the cycle did."""
    return {
        "event": "cycle",
        "cycle": result.number,
        "started_at": result.started_at.isoformat(),
        "duration_s": round(result.seconds, 3),
        "ran": result.ran,
        "error": result.error,
        "files": result.files,
        "feeds": result.feeds,
        "counts": headline_counts(result.counts),
        "failures_by_reason": dict(sorted(counters.failures_by_reason(result.counts).items())),
    }


def final_document(summary: WatchSummary) -> dict[str, Any]:
    return {"event": "stopped", "cycles": summary.cycles, "failed_cycles": summary.failed_cycles,
            "counts": headline_counts(summary.counts)}


def format_final(summary: WatchSummary) -> str:
    counts = summary.counts
    return (
        f"watch stopped after {summary.cycles} cycle(s): {counts.get(counters.rows_added('articles'), 0)} new article(s),"
        f" {counts.get(Count.CHANGED, 0)} changed, {counts.get(Count.QUOTES, 0)} quote(s), {counters.failure_total(counts)} failure(s)"
        + (f", {summary.failed_cycles} cycle(s) failed" if summary.failed_cycles else "")
    )


# --------------------------------------------------------------------------- the loop


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop``: fetches in progress end at once (dropped, so read again at the next
    start), and the cycle commits what it had read; a second signal exits at once.

    Exiting mid-write is safe: the writer only ever renames complete files into place, and nothing is
    recorded as ingested before its rows are written, so the next start redoes the cycle.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread; the caller owns ``stop``
        return

    def handle(signum: int, _frame: object) -> None:
        if stop.is_set():
            os.write(2, b"newsbeam watch: stopping now\n")
            os._exit(128 + signum)
        stop.set()
        # os.write, not print: a handler may interrupt a print of the main thread
        os.write(2, b"newsbeam watch: stopping: fetches in progress end now, what was read is committed"
                    b" (signal again to stop at once)\n")

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def watch(
    settings: Settings,
    specs: Optional[list[str]] = None,
    max_cycles: Optional[int] = None,
    *,
    stop: Optional[threading.Event] = None,
    on_cycle: Optional[Callable[[CycleResult], None]] = None,
    settle_seconds: float = SETTLE_SECONDS,
    out: Optional[TextIO] = None,
    as_json: bool = False,
) -> WatchSummary:
    """Ingest ``specs`` (or ``settings.inputs``) every ``settings.watch.interval_seconds`` until stopped.

    Stops after ``max_cycles`` cycles, when ``stop`` is set (by ``on_cycle``, another thread, or
    SIGINT/SIGTERM), or on a fatal error (ConfigError, DatasetError, DatasetBusy), which propagates.
    ``as_json`` prints each cycle's status, and the final line, as one JSON object per line.
    """
    specs = list(specs or settings.inputs)
    if not specs:
        raise ConfigError("watch needs something to watch: feed URLs, feed lists, folders, files or globs")
    if max_cycles is not None and max_cycles < 1:
        raise ConfigError(f"--cycles must be at least 1, got {max_cycles}")
    pipeline_options(settings)  # a bad runner setting fails now, with exit 2, not every cycle
    for model in settings.nlp.pipelines.values():  # so does a model that is not installed
        ensure_installed(model)
    interval = settings.watch.interval_seconds
    out = out or sys.stdout
    stop = stop or threading.Event()
    output = prepare_root(dataset_location(settings))
    totals: Counter = Counter()
    cycles = failed = 0
    # The lock is held for the whole watch, so no `newsbeam run` can interleave with a cycle.
    with dataset_lock(output), stop_on_signals(stop), StateFolder(output) as state, FileStateStore(
        state.folder / FILE_STATE
    ) as files_store:
        recover(output)
        ensure_tables(output)  # readable from the start, even when the first cycles find nothing to run
        log.info("newsbeam watch: %s every %s s into %s", ", ".join(specs), f"{interval:g}", output)
        start = time.monotonic()
        while True:
            cycles += 1
            result = run_cycle(
                cycles, specs, settings, output=output, state=state, files_store=files_store, settle_seconds=settle_seconds,
                first=cycles == 1, stop=stop,
            )
            totals.update(result.counts)
            failed += result.error is not None
            print(json.dumps(cycle_document(result)) if as_json else format_status(result), file=out, flush=True)
            if on_cycle is not None:
                on_cycle(result)
            if stop.is_set() or (max_cycles is not None and cycles >= max_cycles):
                break
            start = next_cycle_start(start, interval, time.monotonic())
            if stop.wait(max(0.0, start - time.monotonic())):  # a signal wakes the sleep at once
                break
    summary = WatchSummary(cycles=cycles, failed_cycles=failed, counts=dict(totals))
    print(json.dumps(final_document(summary)) if as_json else format_final(summary), file=out, flush=True)
    return summary


__all__ = [
    "CyclePlan",
    "CycleResult",
    "WatchSummary",
    "changed_files",
    "due_feeds",
    "format_status",
    "next_cycle_start",
    "plan_cycle",
    "run_cycle",
    "watch",
]

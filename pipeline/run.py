"""Build the pipeline from settings, and run it: the functions behind `newsbeam run`.

``build_pipeline`` returns the pipeline without running it (as Google's Dataflow samples do), so
that tests and users can add to it, or run it on a runner of their own choosing.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import counters
from pipeline.config import ConfigError, Settings
from pipeline.counters import Count
from pipeline.failures import Reason
from pipeline.local_runner import RUNNER_PATH as LOCAL_RUNNER
from pipeline.nlp.annotate import Annotate
from pipeline.nlp.model import ensure_installed
from pipeline.progress import LogProgress, RunProgress
from pipeline.records import Article, Failure, FeedPoll, Tally
from pipeline.sinks.dataset import (
    commit,
    compact,
    may_hold_content_ids,
    new_run_id,
    prepare_root,
    recover,
)
from pipeline.sinks.write import WriteDataset, read_staging_report, write_run_report
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.feed_state import STATE_FILE, FeedStateStore
from pipeline.sources.feedlists import FeedSpec
from pipeline.sources.feeds import FeedJob, poll_feeds
from pipeline.sources.files import file_sizes
from pipeline.stages import Deduplicate, ReadFeeds, ReadFiles, SkipStored, ToRows
from pipeline.storage.location import (
    Location,
    StorageError,
    has_scheme,
    is_object_store,
    scheme_of,
)
from pipeline.storage.lock import dataset_lock
from pipeline.storage.state import StateFolder

log = logging.getLogger(__name__)

# The bundled samples: inside the package where it was installed from a wheel or sdist (setup.py
# maps the top-level seeds/ onto pipeline/seeds/), beside the package in a checkout (editable
# install), else in the working folder.
_PACKAGE = Path(__file__).resolve().parent
SEEDS_CANDIDATES = (_PACKAGE / "seeds", _PACKAGE.parent / "seeds", Path("seeds"))


def default_inputs() -> list[str]:
    """The bundled seeds/, for a run given no input; a one-line error where there is none."""
    for candidate in SEEDS_CANDIDATES:
        if candidate.is_dir():
            return [str(candidate.resolve())]
    raise ConfigError("no input given, and no seeds/ folder here to fall back on: name files, folders or feeds")


@dataclass(frozen=True)
class InputPlan:
    """What the launcher found in the user's input specs, before any worker reads a byte."""

    paths: list[str] = field(default_factory=list)
    feeds: list[FeedSpec] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


FEED_SCHEMES = ("http", "https")


def is_url(spec: str) -> bool:
    return has_scheme(spec) and not Path(spec).exists()


def dataset_location(settings: Settings) -> Location:
    """The configured output as a Location (a local folder, or a bucket prefix); StorageError if unusable."""
    return Location.parse(settings.output, settings.storage.options)


def plan_inputs(specs: list[str], *, storage_options: Optional[dict[str, Any]] = None) -> InputPlan:
    """Split specs into local files (folders and globs expanded) and feeds (URLs and feed lists).

    s3:// and gs:// specs are files, folders or globs in a bucket; any other scheme is refused
    before any work (a typo in a scheduled job should fail loudly, not become an empty run).
    """
    from pipeline.sources.feedlists import is_feed_list, load_feed_list
    from pipeline.sources.files import expand_paths

    feeds: list[FeedSpec] = []
    failures: list[Failure] = []
    local: list[str] = []
    for spec in specs:
        scheme = scheme_of(spec) if is_url(spec) else "file"
        if scheme in FEED_SCHEMES:
            feeds.append(FeedSpec(url=spec))
        elif is_object_store(spec) or (scheme == "file" and has_scheme(spec)):
            local.append(spec)  # files, folders or globs, read through the bucket's (or the disk's) filesystem
        elif scheme != "file":
            raise StorageError(f"{spec}: unsupported scheme {scheme}:// (use http(s)://, s3://, gs:// or a local path)")
        elif Path(spec).is_file() and is_feed_list(spec):
            listed, problems = load_feed_list(spec)
            feeds.extend(listed)
            failures.extend(problems)
        else:
            local.append(spec)
    paths, missing = expand_paths(local, storage_options=storage_options) if local else ([], [])
    unique_feeds = list({feed.url: feed for feed in feeds}.values())
    return InputPlan(paths=paths, feeds=unique_feeds, failures=[*failures, *missing])


def feed_jobs(feeds: list[FeedSpec], store: FeedStateStore) -> list[FeedJob]:
    """Each feed with the validators and seen ids of its last successful poll."""
    jobs = []
    for spec in feeds:
        state = store.get(spec.url)
        jobs.append(FeedJob(spec, state.etag, state.last_modified, store.seen_ids(spec.url)))
    return jobs


def record_polls(store: FeedStateStore, polls: list[FeedPoll], *, at: datetime) -> None:
    """Called once the run's rows are written: only then may a feed's entries count as ingested."""
    for poll in polls:
        if poll.status == "ok":
            store.record_success(poll.url, etag=poll.etag, last_modified=poll.last_modified, entry_ids=poll.entry_ids, at=at)
        elif poll.status == "not_modified":
            store.record_not_modified(poll.url, at)
        else:
            store.record_failure(poll.url, at)


def pipeline_options(settings: Settings) -> PipelineOptions:
    """Beam options for the configured runner. The runner is always named: Beam's default and its
    DirectRunner first try to download and start Prism (pipeline/local_runner.py)."""
    runner = settings.runner
    if runner.name == "local":
        flags = [f"--runner={LOCAL_RUNNER}", "--direct_running_mode=in_memory", "--direct_num_workers=1"]
    elif runner.name == "multiprocess":
        flags = [
            f"--runner={LOCAL_RUNNER}",
            "--direct_running_mode=multi_processing",
            f"--direct_num_workers={runner.workers}",
            # What workers log reaches the user through the launcher's logging. Beam's worker
            # warns at every start ("No semi_persistent_directory found", about a staging folder
            # only remote runners have): keep Beam's errors and newsbeam's own warnings.
            "--default_sdk_harness_log_level=ERROR",
            '--sdk_harness_log_level_overrides={"pipeline": "WARNING"}',
        ]
    elif runner.name == "dask":
        if not runner.dask_address:
            raise ValueError("runner dask needs runner.dask_address (or --dask-address tcp://HOST:8786)")
        flags = ["--runner=apache_beam.runners.dask.dask_runner.DaskRunner", f"--dask_client_address={runner.dask_address}"]
    else:
        names = {"dataflow": "DataflowRunner", "flink": "FlinkRunner", "spark": "SparkRunner"}
        flags = [f"--runner={names[runner.name]}"]
    return PipelineOptions([*flags, *runner.options])


def build_pipeline(
    settings: Settings,
    plan: InputPlan,
    *,
    run_id: str,
    started_at: datetime,
    jobs: Optional[list[FeedJob]] = None,
    options: Optional[PipelineOptions] = None,
    location: Optional[Location] = None,
    polled: Optional[list[Any]] = None,
) -> beam.Pipeline:
    """The whole graph: read -> de-duplicate -> skip stored -> annotate -> rows -> stage.

    The staged files are published by :func:`run_plan` once the job is done (``commit``)."""
    output = location or dataset_location(settings)
    pipeline = beam.Pipeline(options=options or pipeline_options(settings))
    read = pipeline | "ReadFiles" >> ReadFiles(plan.paths, settings.input, started_at, storage_options=settings.storage.options)
    if polled is None:
        polled = pipeline | "ReadFeeds" >> ReadFeeds(jobs or [], settings.http, settings.input, started_at)
    else:  # the launcher polled the feeds already (watch): their entries go in as they are
        polled = pipeline | "PolledFeeds" >> beam.Create(polled)
    launcher_failures = pipeline | "InputFailures" >> beam.Create(plan.failures)
    (
        (read, polled, launcher_failures)
        | "AllInputs" >> beam.Flatten()
        | "Deduplicate" >> Deduplicate()
        | "SkipStored" >> SkipStored(output, legacy_ids=may_hold_content_ids(output))
        | "Annotate" >> Annotate(settings.nlp, file_sizes(plan.paths))
        | "ToRows" >> ToRows()
        | "WriteDataset" >> WriteDataset(output, run_id)
    )
    return pipeline


def compact_dataset(settings: Settings) -> int:
    """``newsbeam compact``: under the dataset lock, finish any interrupted commit, then merge every
    partition's small files. Returns how many files were merged."""
    output = prepare_root(dataset_location(settings))
    with dataset_lock(output):
        recover(output)
        return compact(output, run_id=new_run_id())


# What a run's status says (RunSummary.status; the CLI exits 0 for "ok", 2 for the others).
STATUS_OK = "ok"  # the job ran; bad documents, if any, are rows of the failures table
STATUS_UNOPENED_INPUT = "unopened_input"  # an input named by the user could not be opened; the rest was ingested
STATUS_NOTHING_READ = "nothing_read"  # inputs were given, and not one of them could be opened or fetched


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    output: str
    counts: dict[str, int]
    seconds: float
    parts: int = 1  # pipeline runs the input was split into (input.files_per_run)
    # Inputs named by the user that could not be opened at all (missing, a broken link, a folder
    # that cannot be listed): recorded as failures like any bad input, and the reason for exit 2.
    unopened_inputs: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()  # the input specs as the user gave them

    @property
    def failures_by_reason(self) -> dict[str, int]:
        return counters.failures_by_reason(self.counts)

    @property
    def not_annotated_by_language(self) -> dict[str, int]:
        """Articles stored without entities and quotes because no pipeline reads their language."""
        return counters.family(self.counts, counters.NOT_ANNOTATED_PREFIX)

    def get(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def articles_per_second(self) -> float:
        return self.get(Count.ARTICLES_READ) / self.seconds if self.seconds > 0 else 0.0

    @property
    def nothing_read(self) -> bool:
        """Something was to be opened (a file, a feed, a named path) and not one thing was. An empty
        folder or a glob matching nothing had nothing to open: that is an empty run, not this."""
        opened = self.get(Count.FILES_OPENED) + self.get(Count.FEEDS_FETCHED) + self.get(Count.FEEDS_NOT_MODIFIED)
        unopened = self.get(Count.FILES_UNOPENED) + self.get(Count.FEEDS_FAILED) + len(self.unopened_inputs)
        return opened == 0 and unopened > 0

    @property
    def status(self) -> str:
        if self.nothing_read:
            return STATUS_NOTHING_READ
        if self.unopened_inputs:
            return STATUS_UNOPENED_INPUT
        return STATUS_OK


def headline_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """The counts a user or a scheduler reads, by stable name, from a run's (or a watch cycle's)
    tallies: the human summary, ``--json`` and the run report all show these."""

    def get(name: str) -> int:
        return counts.get(name, 0)

    return {
        "documents_read": get(Count.DOCUMENTS_READ),
        "articles_read": get(Count.ARTICLES_READ),
        "articles_written": get(counters.rows_added("articles")) + get(counters.rows_replaced("articles")),
        "articles_new": get(counters.rows_added("articles")),
        "articles_changed": get(Count.CHANGED),
        "duplicates": get(Count.DUPLICATES),
        "unchanged": get(Count.UNCHANGED),
        "entities": get(Count.ENTITIES),
        "quotes": get(Count.QUOTES),
        "failures": counters.failure_total(counts),
        "failures_already_recorded": get(Count.FAILURES_ALREADY_RECORDED),
        "files_opened": get(Count.FILES_OPENED),
        "files_unopened": get(Count.FILES_UNOPENED),
        "feeds_fetched": get(Count.FEEDS_FETCHED),
        "feeds_not_modified": get(Count.FEEDS_NOT_MODIFIED),
        "feeds_failed": get(Count.FEEDS_FAILED),
    }


def summary_document(summary: RunSummary) -> dict[str, Any]:
    """The summary as one JSON-ready object: what ``newsbeam run --json`` prints, and the core of
    the run report in ``_runs/``. docs/scheduling.md lists the fields."""
    return {
        "run_id": summary.run_id,
        "status": summary.status,
        "output": summary.output,
        "inputs": list(summary.inputs),
        "unopened_inputs": list(summary.unopened_inputs),
        "duration_s": round(summary.seconds, 3),
        "parts": summary.parts,
        "counts": headline_counts(summary.counts),
        "failures_by_reason": dict(sorted(summary.failures_by_reason.items())),
        "not_annotated_by_language": dict(sorted(summary.not_annotated_by_language.items())),
        "articles_per_s": round(summary.articles_per_second, 3),
    }


def run(settings: Settings, specs: Optional[list[str]] = None, *, progress: Optional[RunProgress] = None) -> RunSummary:
    """Run one batch job over ``specs`` (or the configured inputs, or the bundled seeds).

    ``progress`` hears of each part as it starts and ends (the CLI's terminal display); by default
    each part is a log line."""
    progress = progress or LogProgress()
    specs = list(specs or settings.inputs or default_inputs())
    for model in settings.nlp.pipelines.values():
        ensure_installed(model)
    output = prepare_root(dataset_location(settings))
    plan = plan_inputs(specs, storage_options=settings.storage.options)
    with dataset_lock(output):
        if recover(output):
            log.info("newsbeam: finished an interrupted commit in %s", output)
        parts = split_plan(plan, files_per_run=settings.input.files_per_run)
        summaries: list[RunSummary] = []
        for number, part in enumerate(parts, start=1):
            progress.part_started(number, len(parts), files=len(part.paths), feeds=len(part.feeds))
            summaries.append(run_plan(settings, part, output=output, inputs=specs, part=(number, len(parts))))
            progress.part_finished(number, len(parts), combine_summaries(summaries))
        return replace(combine_summaries(summaries), inputs=tuple(specs), unopened_inputs=unopened_inputs(plan, specs))


def unopened_inputs(plan: InputPlan, specs: list[str]) -> tuple[str, ...]:
    """The named specs that planning could not open: an unreadable-path failure of the spec itself
    (a malformed line of a feed list is bad data inside a readable input, not this)."""
    named = set(specs)
    return tuple(dict.fromkeys(
        failure.origin for failure in plan.failures
        if failure.origin in named and failure.reason == Reason.UNREADABLE_PATH and not failure.locator
    ))


def split_plan(plan: InputPlan, *, files_per_run: int) -> list[InputPlan]:
    """Cut a large input into several pipeline runs of at most ``files_per_run`` files.

    The local runners hold every element between two stages in memory, so one run over an archive
    grows with the archive; runs of a bounded size keep peak memory flat, at the cost of a
    pipeline start-up per part. Feeds and the launcher's failures go with the first part. Each part
    sees what the parts before it wrote, so a re-run or an overlap costs no NLP.
    """
    chunks = [plan.paths[start : start + files_per_run] for start in range(0, len(plan.paths), files_per_run)]
    if not chunks:
        return [plan]
    return [InputPlan(paths=chunks[0], feeds=plan.feeds, failures=plan.failures)] + [
        InputPlan(paths=chunk) for chunk in chunks[1:]
    ]


def combine_summaries(summaries: list[RunSummary]) -> RunSummary:
    counts: Counter = Counter()
    for summary in summaries:
        counts.update(summary.counts)
    first = summaries[0]
    return RunSummary(
        run_id=first.run_id,
        output=first.output,
        counts=dict(sorted(counts.items())),
        seconds=sum(summary.seconds for summary in summaries),
        parts=len(summaries),
        unopened_inputs=first.unopened_inputs,
        inputs=first.inputs,
    )


def run_plan(
    settings: Settings,
    plan: InputPlan,
    *,
    output: Location,
    state: Optional[StateFolder] = None,
    poll_first: bool = False,
    inputs: Sequence[str] = (),
    part: tuple[int, int] = (1, 1),
    cutoff: Optional[Cutoff] = None,
) -> RunSummary:
    """One pipeline run over a planned input, then its commit and its run report; the caller holds
    the dataset lock. ``inputs`` are the specs as the user gave them (for the report and the status),
    ``part`` says which of how many pipeline runs of one ``newsbeam run`` this is.

    ``state`` is the watch's open state folder; a single run opens its own. With ``poll_first`` (the
    watch), the launcher polls the feeds itself before any pipeline starts, so a cycle in which every
    feed answers 304 Not Modified and no file changed costs its conditional requests and nothing else;
    ``cutoff`` (the cycle's deadline and stop) ends that polling, and the run goes on with what it got."""
    if state is None:
        with StateFolder(output) as own_state:
            return run_plan(settings, plan, output=output, state=own_state, poll_first=poll_first, inputs=inputs, part=part,
                            cutoff=cutoff)
    started = time.monotonic()
    started_at = datetime.now(timezone.utc)
    log.info("newsbeam: %d file(s) and %d feed(s) to read into %s", len(plan.paths), len(plan.feeds), output)
    run_id = new_run_id(started_at)
    with FeedStateStore(state.folder / STATE_FILE) as store:
        jobs = feed_jobs(plan.feeds, store)
        polled = poll_feeds(jobs, settings.http, settings.input, ingested_at=started_at, cutoff=cutoff) if poll_first else None
        if polled is not None and not plan.paths and not plan.failures and not any(
            isinstance(element, (Article, Failure)) for element in polled
        ):
            counts: Counter[str] = Counter()
            for tally in (element for element in polled if isinstance(element, Tally)):
                counts[tally.name] += tally.count
            record_polls(store, [poll for poll in polled if isinstance(poll, FeedPoll)], at=started_at)
            state.push()
            return RunSummary(run_id=run_id, output=str(output), counts=dict(counts), seconds=time.monotonic() - started,
                              unopened_inputs=unopened_inputs(plan, list(inputs)), inputs=tuple(inputs))
        pipeline = build_pipeline(
            settings, plan, run_id=run_id, started_at=started_at, jobs=jobs, location=output, polled=polled
        )
        result = pipeline.run()
        wait_for(result)
        report = read_staging_report(output, run_id)
        job_seconds = time.monotonic() - started
        published = commit(output, run_id, report["staged"], compact_after_files=settings.storage.compact_after_files)
        counts = committed_counts(report["counts"], published.rows_removed, published.files_compacted)
        # Only now are the feeds' entries in the dataset: a crash before this line polls them again.
        record_polls(store, report["feeds"], at=started_at)
    state.push()
    seconds = time.monotonic() - started
    timings = {
        "job": round(job_seconds, 3),
        "commit": round(seconds - job_seconds, 3),
        "identities": round(published.identity_seconds, 3),
    }
    summary = RunSummary(run_id=run_id, output=str(output), counts=counts, seconds=seconds,
                         unopened_inputs=unopened_inputs(plan, list(inputs)), inputs=tuple(inputs))
    write_run_report(run_report(summary, started_at=started_at, timings=timings, feeds=report["feeds"], part=part), output, run_id)
    return summary


def run_report(
    summary: RunSummary, *, started_at: datetime, timings: dict[str, float], feeds: list[FeedPoll], part: tuple[int, int]
) -> dict[str, Any]:
    """``_runs/<run id>.json`` of one pipeline run: the summary document, with when it started, where
    its time went, every tally by its internal name, and each feed's poll. A run split into parts
    writes one per part; each says which part it is, and its status is that part's."""
    number, parts = part
    return {
        **summary_document(summary),
        "part": number,
        "parts": parts,
        "started_at": started_at.isoformat(),
        "seconds_by_step": timings,
        "tallies": summary.counts,
        "feeds": [poll.__dict__ for poll in feeds],
    }


def committed_counts(counts: dict[str, int], rows_removed: int, files_compacted: int) -> dict[str, int]:
    """The job's counts, with what the articles written were: new, or replacing a stored version."""
    merged: Counter[str] = Counter(counts)
    written = merged.get(counters.rows_written("articles"), 0)
    merged[counters.rows_replaced("articles")] = merged.get(Count.CHANGED, 0)
    merged[counters.rows_added("articles")] = written - merged.get(Count.CHANGED, 0)
    merged[Count.ROWS_REMOVED] = rows_removed
    merged[Count.FILES_COMPACTED] = files_compacted
    return {name: value for name, value in sorted(merged.items()) if value or name.startswith(counters.ROWS_ADDED_PREFIX)}


def wait_for(result: beam.runners.runner.PipelineResult) -> None:
    """Wait for the job; raise unless it is DONE, then let go of a Dask client.

    The DaskRunner's result raises a worker's error from ``wait_until_finish`` like the others, but
    it keeps the ``distributed.Client`` it opened in ``run_pipeline`` connected for as long as the
    result lives (and it returns no metrics, hence counts come from the run report, never from
    ``result.metrics()``). Closing it here ends the launcher's connection with the job.
    """
    try:
        state = result.wait_until_finish()
        if state is not None and state != beam.runners.runner.PipelineState.DONE:
            raise RuntimeError(f"the pipeline ended in state {state}")
    finally:
        client = getattr(result, "client", None)  # DaskRunnerResult only
        if client is not None:
            client.close()


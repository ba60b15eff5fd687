"""Build the pipeline from settings, and run it: the functions behind `newsbeam run`.

Only that: input planning lives in ``pipeline/sources/plan.py``, runner options in
``pipeline/runner_options.py``, feed-state bookkeeping with the feeds (``pipeline/sources/feeds.py``),
the dataset lock in ``pipeline/storage/lock.py`` and the run summary in ``pipeline/summary.py``.

``build_pipeline`` returns the pipeline without running it (as Google's Dataflow samples do), so
that tests and users can add to it, or run it on a runner of their own choosing.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import counters
from pipeline.config import Settings
from pipeline.counters import Count
from pipeline.nlp.annotate import Annotate
from pipeline.nlp.model import ensure_installed
from pipeline.progress import LogProgress, RunProgress
from pipeline.records import Article, Failure, FeedPoll, Tally
from pipeline.sinks.dataset import (
    commit,
    compact,
    may_hold_content_ids,
    may_hold_old_url_ids,
    new_run_id,
    prepare_root,
    recover,
)
from pipeline.sinks.write import WriteDataset, read_staging_report, write_run_report
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.feed_state import STATE_FILE, FeedStateStore
from pipeline.sources.feeds import FeedJob, feed_jobs, poll_feeds, record_polls
from pipeline.sources.files import file_sizes
from pipeline.sources.plan import InputPlan, default_inputs, plan_inputs, split_plan, unopened_inputs
from pipeline.runner_options import pipeline_options
from pipeline.stages import Deduplicate, ReadFeeds, ReadFiles, SkipStored, shard_rows
from pipeline.storage.location import (
    Location,
)
from pipeline.storage.lock import dataset_lock
from pipeline.storage.state import StateFolder
from pipeline.summary import RunSummary, combine_summaries, summary_document

log = logging.getLogger(__name__)


def dataset_location(settings: Settings) -> Location:
    """The configured output as a Location (a local folder, or a bucket prefix); StorageError if unusable."""
    return Location.parse(settings.output, settings.storage.options)


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
    """The whole graph: read -> de-duplicate -> skip stored -> annotate, to rows batched per shard -> stage.

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
        | "SkipStored"
        >> SkipStored(output, legacy_ids=may_hold_content_ids(output), legacy_url_ids=may_hold_old_url_ids(output))
        | "Annotate" >> Annotate(settings.nlp, file_sizes(plan.paths), then=shard_rows)
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
        "stories": round(published.story_seconds, 3),
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


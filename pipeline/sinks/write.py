"""WriteDataset: TableRows -> staged partition files and the run's staging report; the graph's one sink.

Workers only stage: each (table, partition) group becomes one file below ``_staging/<run id>/`` and a
:class:`StagedPartition` that says where it goes and which stored rows it replaces. The launcher
publishes them once the job has finished (``pipeline.sinks.dataset.commit``), in an order that keeps
the dataset consistent for readers (articles after their entities and quotes, the index last), so
the graph needs no ordering of its own.

The report is combined ``without_defaults`` from a stream that always holds one seed tally, so that
it is written even for an empty input: a ``CombineGlobally`` with defaults injects its default
through a side input, which the DaskRunner computes again in every task that reads it. The
DaskRunner also computes only the graph behind the last transform applied: keep the report last and
everything else upstream of it (docs/architecture.md).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from typing import Any, Iterable, Iterator, Union

import apache_beam as beam

from pipeline import counters
from pipeline.counters import Count
from pipeline.records import FeedPoll, TableRow, Tally
from pipeline.sinks.dataset import STAGING_DIR, StagedPartition, stage_partition
from pipeline.sinks.batches import RowBatch
from pipeline.storage import objects
from pipeline.storage.location import Location

RUNS_DIR = "_runs"


def partition_key(item: Union[TableRow, RowBatch]) -> tuple[str, str]:
    return (item.table, item.partition)


def stage_group(
    group: tuple[tuple[str, str], Iterable[Union[TableRow, RowBatch]]], location: Location, run_id: str
) -> Iterator[Any]:
    (table, partition), items = group
    staged = stage_partition(location, run_id, table, partition, items)
    if staged.rows:
        yield Tally(counters.rows_written(table), staged.rows)
    yield staged


class BuildReport(beam.CombineFn):
    """Tallies, feed polls and staged partitions -> the staging report: summed counts, each feed's
    poll outcome, and what the launcher is to publish."""

    def create_accumulator(self) -> tuple[Counter, dict, list]:
        return Counter(), {}, []

    def add_input(self, accumulator: tuple[Counter, dict, list], element: Any) -> tuple[Counter, dict, list]:
        counts, polls, staged = accumulator
        if isinstance(element, FeedPoll):
            polls[element.url] = element
        elif isinstance(element, StagedPartition):
            staged.append(element)
        else:
            counts[element.name] += element.count
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[tuple[Counter, dict, list]]) -> tuple[Counter, dict, list]:
        counts: Counter = Counter()
        polls: dict = {}
        staged: list = []
        for more_counts, more_polls, more_staged in accumulators:
            counts.update(more_counts)
            polls.update(more_polls)
            staged.extend(more_staged)
        return counts, polls, staged

    def extract_output(self, accumulator: tuple[Counter, dict, list]) -> dict[str, Any]:
        counts, polls, staged = accumulator
        return {
            "counts": dict(sorted(counts.items())),
            "feeds": [asdict(polls[url]) for url in sorted(polls)],
            "staged": [asdict(item) for item in sorted(staged, key=lambda item: (item.table, item.partition))],
        }


def staging_report_path(run_id: str) -> str:
    return f"{STAGING_DIR}/{run_id}/report.json"


def run_report_path(run_id: str) -> str:
    return f"{RUNS_DIR}/{run_id}.json"


def write_staging_report(report: dict[str, Any], location: Location, run_id: str) -> str:
    path = staging_report_path(run_id)
    objects.write_bytes(location, path, json.dumps({"run_id": run_id, **report}, indent=1).encode())
    return path


def read_staging_report(location: Location, run_id: str) -> dict[str, Any]:
    """The job's report: counts, feed polls (as FeedPoll) and staged partitions (as StagedPartition)."""
    report = json.loads(objects.read_bytes(location, staging_report_path(run_id)).decode("utf-8"))
    report["feeds"] = [FeedPoll(**{**poll, "entry_ids": tuple(poll["entry_ids"])}) for poll in report["feeds"]]
    report["staged"] = [StagedPartition.from_dict(item) for item in report["staged"]]
    return report


def write_run_report(report: dict[str, Any], location: Location, run_id: str) -> str:
    """The run's report as users and schedulers read it (``_runs/<run id>.json``), once it is committed."""
    path = run_report_path(run_id)
    objects.write_bytes(location, path, json.dumps({"run_id": run_id, **report}, indent=2, default=str).encode())
    return path


class WriteDataset(beam.PTransform):
    """TableRow | RowBatch | Tally | FeedPoll -> staged files below ``_staging/<run_id>/`` and its report.

    Rows arrive batched per table partition by the NLP stage (``pipeline.sinks.batches``), or loose;
    statistics rows of one name key (``identity_deltas``) add up, in the batches and here."""

    def __init__(self, location: Location, run_id: str):
        super().__init__()
        self._location = location
        self.run_id = run_id

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        location, run_id = self._location, self.run_id
        tallies = elements | "Tallies" >> beam.Filter(lambda element: isinstance(element, (Tally, FeedPoll)))
        staged = (
            elements
            | "Rows" >> beam.Filter(lambda element: isinstance(element, (TableRow, RowBatch)))
            | "KeyByPartition" >> beam.Map(lambda item: (partition_key(item), item))
            | "GroupPartitions" >> beam.GroupByKey()
            | "StagePartitions" >> beam.FlatMap(stage_group, location, run_id)
        )
        seed = elements.pipeline | "ReportSeed" >> beam.Create([Tally(Count.PARTITIONS_STAGED, 0)])
        return (
            (seed, tallies, staged)
            | "AllTallies" >> beam.Flatten()
            | "BuildReport" >> beam.CombineGlobally(BuildReport()).without_defaults()
            | "WriteReport" >> beam.Map(write_staging_report, location, run_id)
        )

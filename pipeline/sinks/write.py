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
from typing import Any, Iterable, Iterator, Optional

import apache_beam as beam

from pipeline import counters
from pipeline.counters import Count
from pipeline.identity.evidence import NameStats, combine
from pipeline.records import FeedPoll, TableRow, Tally
from pipeline.sinks.dataset import STAGING_DIR, StagedPartition, stage_partition
from pipeline.sinks.identities import DELTA_PARTITION, row_stats, stats_row
from pipeline.storage import objects
from pipeline.storage.location import Location

RUNS_DIR = "_runs"


def partition_key(row: TableRow) -> tuple[str, str]:
    return (row.table, row.partition)


def stage_group(group: tuple[tuple[str, str], Iterable[TableRow]], location: Location, run_id: str) -> Iterator[Any]:
    (table, partition), rows = group
    staged = stage_partition(location, run_id, table, partition, rows)
    if staged.rows:
        yield Tally(counters.rows_written(table), staged.rows)
    yield staged


def is_identity_delta(row: TableRow) -> bool:
    return row.table == "identity_deltas"


class SumIdentityDeltas(beam.CombineFn):
    """The identity_deltas rows of one name key -> one row of their summed statistics.

    Every article adds about 15 such rows. Summed per key before the shuffle (Beam lifts a
    CombinePerKey's partial sums into the stage that produces its input), a run's deltas cross it
    once per key and bundle instead of once per article. The accumulator is (name key, stats)."""

    Accumulator = Optional[tuple[str, NameStats]]

    def create_accumulator(self) -> Accumulator:
        return None

    def add_input(self, accumulator: Accumulator, row: TableRow) -> Accumulator:
        return self._sum(accumulator, (row.row["name_key"], row_stats(row.row)))

    def merge_accumulators(self, accumulators: Iterable[Accumulator]) -> Accumulator:
        total = None
        for accumulator in accumulators:
            total = self._sum(total, accumulator)
        return total

    def extract_output(self, accumulator: Accumulator) -> TableRow:
        assert accumulator is not None  # CombinePerKey extracts only keys that had input
        key, stats = accumulator
        row = stats_row(key, stats, named=False)
        return TableRow("identity_deltas", DELTA_PARTITION, row["identity_id"], row)

    @staticmethod
    def _sum(a: Accumulator, b: Accumulator) -> Accumulator:
        if a is None or b is None:
            return a or b
        return a[0], combine(a[1], b[1])


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
    """TableRow | Tally | FeedPoll -> staged files below ``_staging/<run_id>/`` and its report."""

    def __init__(self, location: Location, run_id: str):
        super().__init__()
        self._location = location
        self.run_id = run_id

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        location, run_id = self._location, self.run_id
        tallies = elements | "Tallies" >> beam.Filter(lambda element: isinstance(element, (Tally, FeedPoll)))
        rows = elements | "Rows" >> beam.Filter(lambda element: isinstance(element, TableRow))
        identity_deltas = (
            rows
            | "IdentityDeltas" >> beam.Filter(is_identity_delta)
            | "KeyByNameKey" >> beam.Map(lambda row: (row.key, row))
            | "SumIdentityDeltas" >> beam.CombinePerKey(SumIdentityDeltas())
            | "SummedDeltas" >> beam.Values()
        )
        table_rows = rows | "TableRows" >> beam.Filter(lambda row: not is_identity_delta(row))
        staged = (
            (table_rows, identity_deltas)
            | "AllRows" >> beam.Flatten()
            | "KeyByPartition" >> beam.Map(lambda row: (partition_key(row), row))
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

"""WriteDataset: TableRows -> partition files, then the run report; the graph's one sink.

Order matters for crash safety. The `articles` table is what tells a later run that an article is
done (an article stored with the same content hash is skipped), so its partitions are written only
after every other table's partitions: a job killed in between leaves articles that the next run
sees as new and writes again, completely. The order is enforced by data, not by a side input: the
articles' partition keys only come out of a global Combine whose input also holds every result of
the first phase, and each articles partition is grouped with its key before it is written.

Why not a side input: the DaskRunner turns a side input into a nested ``compute()`` of the producing
branch inside every consuming task, outside the main task graph. With the first phase as a side
input, the whole pipeline (reading and spaCy included) ran again for each articles partition, and
a ``CombineGlobally`` with defaults (itself a side input) ran the whole job inside one task. Both
gave the right rows but did the work again (300 articles on two workers: 191 s, against 97 s now).
The report is therefore combined ``without_defaults`` from a stream that always holds one seed
tally, so that it is written even for an empty input. The DaskRunner also computes only the graph
behind the last transform applied: keep the report last and everything else upstream of it.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Iterator

import apache_beam as beam

from pipeline.records import FeedPoll, Tally, TableRow
from pipeline.sinks.dataset import PartitionWrite, write_bytes_atomically, write_partition

RUNS_DIR = "_runs"


def partition_key(row: TableRow) -> tuple[str, str]:
    return (row.table, row.partition)


def write_group(group: tuple[tuple[str, str], Iterable[TableRow]], output: str) -> Iterator[Tally]:
    (table, partition), rows = group
    written: PartitionWrite = write_partition(output, table, partition, rows)
    yield Tally(f"rows_added:{table}", written.rows_added)
    yield Tally(f"rows_replaced:{table}", written.rows_replaced)
    yield Tally(f"rows_removed:{table}", written.rows_removed)
    yield Tally("partitions_written")


def write_gated(group: tuple[tuple[str, str], Iterable[Any]], output: str) -> Iterator[Tally]:
    """write_group for one articles partition grouped with its gate (a ``None``), which exists only
    once the first phase is done; the gate is dropped, the rows are written."""
    key, items = group
    yield from write_group((key, (item for item in items if item is not None)), output)


class PartitionKeys(beam.CombineFn):
    """Phase-one tallies and articles partition keys -> the set of keys (tallies only make it wait)."""

    def create_accumulator(self) -> set:
        return set()

    def add_input(self, accumulator: set, element: Any) -> set:
        if isinstance(element, tuple):
            accumulator.add(element)
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[set]) -> set:
        return set().union(*accumulators)

    def extract_output(self, accumulator: set) -> list[tuple[str, str]]:
        return sorted(accumulator)


class BuildReport(beam.CombineFn):
    """Tallies and feed polls -> the run report: summed counts, and each feed's poll outcome."""

    def create_accumulator(self) -> tuple[Counter, dict]:
        return Counter(), {}

    def add_input(self, accumulator: tuple[Counter, dict], element: Any) -> tuple[Counter, dict]:
        counts, polls = accumulator
        if isinstance(element, FeedPoll):
            polls[element.url] = element
        else:
            counts[element.name] += element.count
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[tuple[Counter, dict]]) -> tuple[Counter, dict]:
        counts: Counter = Counter()
        polls: dict = {}
        for more_counts, more_polls in accumulators:
            counts.update(more_counts)
            polls.update(more_polls)
        return counts, polls

    def extract_output(self, accumulator: tuple[Counter, dict]) -> dict[str, Any]:
        counts, polls = accumulator
        return {
            "counts": dict(sorted(counts.items())),
            "feeds": [asdict(polls[url]) for url in sorted(polls)],
        }


def report_path(output: str, run_id: str) -> Path:
    return Path(output) / RUNS_DIR / f"{run_id}.json"


def write_report(report: dict[str, Any], output: str, run_id: str) -> str:
    path = report_path(output, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(path, json.dumps({"run_id": run_id, **report}, indent=2).encode())
    return str(path)


def read_report(output: str, run_id: str) -> dict[str, Any]:
    report = json.loads(report_path(output, run_id).read_text(encoding="utf-8"))
    report["feeds"] = [FeedPoll(**{**poll, "entry_ids": tuple(poll["entry_ids"])}) for poll in report["feeds"]]
    return report


class WriteDataset(beam.PTransform):
    """TableRow | Tally | FeedPoll -> the dataset under ``output`` and ``output/_runs/<run_id>.json``."""

    def __init__(self, output: str, run_id: str | None = None):
        super().__init__()
        self._output = output
        self.run_id = run_id or uuid.uuid4().hex

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        output = self._output
        tallies = elements | "Tallies" >> beam.Filter(lambda element: isinstance(element, (Tally, FeedPoll)))
        rows = elements | "Rows" >> beam.Filter(lambda element: isinstance(element, TableRow))
        first = (
            rows
            | "OtherTables" >> beam.Filter(lambda row: row.table != "articles")
            | "KeyOther" >> beam.Map(lambda row: (partition_key(row), row))
            | "GroupOther" >> beam.GroupByKey()
            | "WriteOther" >> beam.FlatMap(write_group, output)
        )
        articles = (
            rows
            | "ArticlesTable" >> beam.Filter(lambda row: row.table == "articles")
            | "KeyArticles" >> beam.Map(lambda row: (partition_key(row), row))
        )
        # The gate: one (key, None) per articles partition, out of a Combine that cannot fire before
        # all of `first` is in, so no articles file is written before the other tables' files.
        gate = (
            (first, articles | "ArticlesKeys" >> beam.Map(lambda keyed: keyed[0]))
            | "AfterOtherTables" >> beam.Flatten()
            | "CollectKeys" >> beam.CombineGlobally(PartitionKeys()).without_defaults()
            | "OpenGate" >> beam.FlatMap(lambda keys: [(key, None) for key in keys])
        )
        second = (
            (articles, gate)
            | "ArticlesAndGate" >> beam.Flatten()
            | "GroupArticles" >> beam.GroupByKey()
            | "WriteArticlesLast" >> beam.FlatMap(write_gated, output)
        )
        seed = elements.pipeline | "ReportSeed" >> beam.Create([Tally("partitions_written", 0)])
        return (
            (seed, tallies, first, second)
            | "AllTallies" >> beam.Flatten()
            | "BuildReport" >> beam.CombineGlobally(BuildReport()).without_defaults()
            | "WriteReport" >> beam.Map(write_report, output, self.run_id)
        )

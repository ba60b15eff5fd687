"""WriteDataset: TableRows -> partition files, then the run report; the graph's one sink.

Order matters for crash safety. The `articles` table is what tells a later run that an article is
done (an article stored with the same content hash is skipped), so its partitions are written only
after every other table's partitions: a job killed in between leaves articles that the next run
sees as new and writes again, completely. The order is enforced by handing the first phase's
results to the second as a side input, which works on every runner.
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


def write_after(group: tuple[tuple[str, str], Iterable[TableRow]], output: str, _before: Any) -> Iterator[Tally]:
    """write_group, run only once ``_before`` (the first phase's results) exists."""
    yield from write_group(group, output)


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
        second = (
            rows
            | "ArticlesTable" >> beam.Filter(lambda row: row.table == "articles")
            | "KeyArticles" >> beam.Map(lambda row: (partition_key(row), row))
            | "GroupArticles" >> beam.GroupByKey()
            | "WriteArticlesLast" >> beam.FlatMap(write_after, output, beam.pvalue.AsList(first))
        )
        return (
            (tallies, first, second)
            | "AllTallies" >> beam.Flatten()
            | "BuildReport" >> beam.CombineGlobally(BuildReport())
            | "WriteReport" >> beam.Map(write_report, output, self.run_id)
        )

"""What a run did, as the CLI, ``--json``, the run report and watch show it: one summary for all."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Mapping

from pipeline import counters
from pipeline.counters import Count

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

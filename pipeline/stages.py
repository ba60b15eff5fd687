"""The pipeline's stages before and after NLP, as composite PTransforms over plain functions.

Every stage carries bad input as data: a Failure element flows on beside the Articles, and counts
flow as Tally elements, so the graph has no tagged outputs and one sink (the DaskRunner gets tagged
outputs and several sinks silently wrong; DESIGN.md).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.utils.shared import Shared

from pipeline.config import HttpSettings, InputSettings
from pipeline.failures import Reason, make_failure
from pipeline.records import Annotated, Article, Failure, FeedPoll, Tally, TableRow
from pipeline.sinks.dataset import DatasetIndex, load_index
from pipeline.sinks.rows import article_rows, failure_row, partition_of, tombstones_for_moved_article

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------- reading


def read_and_parse(path: str, settings: InputSettings, ingested_at: datetime) -> Iterator[Any]:
    """One file -> its Articles and Failures, and a tally; never raises."""
    from pipeline.parse import parse_document
    from pipeline.sources.files import read_file

    try:
        raw = read_file(path, max_bytes=settings.max_file_bytes)
        if isinstance(raw, Failure):
            yield raw
            return
        yield Tally("documents_read")
        for result in parse_document(raw, settings, ingested_at=ingested_at):
            if isinstance(result, Article):
                yield Tally("articles_read")
            yield result
    except Exception as error:  # noqa: BLE001 - a reader bug becomes a failures row, not a crash
        yield make_failure("read", Reason.INTERNAL_ERROR, path, f"{type(error).__name__}: {error}")


class ReadFiles(beam.PTransform):
    """File paths -> Article | Failure | Tally. Reshuffled so that files spread over workers."""

    def __init__(self, paths: list[str], settings: InputSettings, ingested_at: datetime):
        super().__init__()
        self._paths = paths
        self._settings = settings
        self._ingested_at = ingested_at

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        return (
            pipeline
            | "Paths" >> beam.Create(self._paths)
            | "SpreadPaths" >> beam.Reshuffle()
            | "ReadAndParse" >> beam.FlatMap(read_and_parse, self._settings, self._ingested_at)
        )


class ReadFeeds(beam.PTransform):
    """Feed jobs -> Article | Failure | Tally | FeedPoll, one poll per feed, spread over workers."""

    def __init__(self, jobs: list[Any], http: HttpSettings, inputs: InputSettings, ingested_at: datetime):
        super().__init__()
        self._jobs = jobs
        self._http = http
        self._inputs = inputs
        self._ingested_at = ingested_at

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        from pipeline.sources.feeds import poll_feed

        return (
            pipeline
            | "FeedJobs" >> beam.Create(self._jobs)
            | "SpreadFeeds" >> beam.Reshuffle()
            | "PollFeeds" >> beam.FlatMap(
                lambda job, http, inputs, at: poll_feed(job, http, inputs, ingested_at=at),
                self._http, self._inputs, self._ingested_at,
            )
        )


# ---------------------------------------------------------------- de-duplication


def dedup_key(element: Any) -> str:
    if isinstance(element, Article):
        return f"article:{element.article_id}"
    if isinstance(element, Failure):
        return f"failure:{element.failure_id}"
    if isinstance(element, Tally):
        return f"tally:{element.name}"
    if isinstance(element, FeedPoll):
        return f"feedpoll:{element.url}"
    raise TypeError(f"unexpected element {type(element).__name__}")


def newest(articles: Iterable[Article]) -> Article:
    """The version that wins among copies of one article: newest publication, then newest ingestion.

    The content hash breaks the last tie so the choice never depends on the order of arrival.
    """
    return max(articles, key=lambda a: (a.published_at or _OLDEST, a.ingested_at, a.content_hash))


def resolve_group(key: str, elements: Iterable[Any]) -> Iterator[Any]:
    """One group of equal keys -> one element (and how many duplicates were dropped)."""
    items = list(elements)
    if key.startswith("tally:"):
        yield Tally(items[0].name, sum(item.count for item in items))
    elif key.startswith("article:"):
        yield newest(items)
        if len(items) > 1:
            yield Tally("duplicates", len(items) - 1)
    else:
        yield items[0]  # the same failure seen twice is one failure


class Deduplicate(beam.PTransform):
    """One element per article id (the newest version wins), per failure id, and per tally name."""

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        return (
            elements
            | "KeyForDedup" >> beam.Map(lambda element: (dedup_key(element), element))
            | "GroupEqual" >> beam.GroupByKey()
            | "KeepOne" >> beam.FlatMapTuple(resolve_group)
        )


# ---------------------------------------------------------------- incremental runs


def against_index(element: Any, index: DatasetIndex) -> Iterator[Any]:
    """Drop what the dataset already holds unchanged; clear the old home of an article that moved."""
    if isinstance(element, Article):
        stored = index.articles.get(element.article_id)
        if stored is not None and stored.content_hash == element.content_hash:
            yield Tally("unchanged")
            return
        if stored is not None:
            yield Tally("changed")
            if stored.partition != partition_of(element):
                yield from tombstones_for_moved_article(element.article_id, stored.partition)
        yield element
    elif isinstance(element, Failure) and element.failure_id in index.failure_ids:
        yield Tally("failures_already_recorded")
    else:
        yield element


class _IndexHolder:
    def __init__(self, output: str) -> None:
        self.index = load_index(output)


class _SkipStoredFn(beam.DoFn):
    _shared_index = Shared()

    def __init__(self, output: str, run_id: str):
        self._output = output
        self._run_id = run_id  # the tag: each run reads the index once per worker, fresh
        self._index: Optional[DatasetIndex] = None

    def setup(self) -> None:
        output = self._output
        self._index = self._shared_index.acquire(lambda: _IndexHolder(output), tag=self._run_id).index

    def process(self, element: Any) -> Iterator[Any]:
        assert self._index is not None
        yield from against_index(element, self._index)


class SkipStored(beam.PTransform):
    """Skip articles the dataset already holds with the same content hash (no NLP for them)."""

    def __init__(self, output: str, run_id: str):
        super().__init__()
        self._output = output
        self._run_id = run_id

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        return elements | "AgainstIndex" >> beam.ParDo(_SkipStoredFn(self._output, self._run_id))


# ---------------------------------------------------------------- rows


def to_rows(element: Any) -> Iterator[Any]:
    """Annotated and Failure -> TableRows (and tallies); tombstones, tallies and feed polls pass through."""
    if isinstance(element, Annotated):
        yield Tally("entities", len(element.entities))
        yield Tally("quotes", len(element.quotes))
        yield from article_rows(element)
    elif isinstance(element, Failure):
        yield Tally(f"failure:{element.reason}")
        yield failure_row(element)
    elif isinstance(element, (TableRow, Tally, FeedPoll)):
        yield element
    else:  # an Article that skipped annotation would be a wiring bug: surface it as a row
        yield failure_row(
            make_failure("rows", Reason.INTERNAL_ERROR, getattr(element, "origin", "?"), f"unexpected {type(element).__name__}")
        )


class ToRows(beam.PTransform):
    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        return elements | "ToRows" >> beam.FlatMap(to_rows)

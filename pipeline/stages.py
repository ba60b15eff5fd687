"""The pipeline's stages before and after NLP, as composite PTransforms over plain functions.

Every stage carries bad input as data: a Failure element flows on beside the Articles, and counts
flow as Tally elements, so the graph has no tagged outputs and one sink (the DaskRunner gets tagged
outputs and several sinks silently wrong; docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import chain
from datetime import datetime, timezone
from typing import AbstractSet, Any, Iterable, Iterator, Mapping, Optional

import apache_beam as beam

from pipeline import counters
from pipeline.config import HttpSettings, InputSettings
from pipeline.counters import Count
from pipeline.failures import Reason, make_failure
from pipeline.parse.legacy_url import url_article_id_before_1_4
from pipeline.records import (
    Annotated,
    Article,
    Failure,
    FeedPoll,
    RawDocument,
    TableRow,
    Tally,
    content_article_id,
    path_article_id,
)
from pipeline.sinks.batches import batch_rows
from pipeline.sinks.dataset import (
    StoredArticle,
    index_shard,
    read_article_index,
    read_failure_index,
)
from pipeline.sinks.rows import (
    article_rows,
    failure_index_row,
    failure_row,
    tombstones_for_replaced_article,
)
from pipeline.storage.location import Location

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------- reading


def read_and_parse(
    path: str, settings: InputSettings, ingested_at: datetime, storage_options: Optional[dict] = None
) -> Iterator[Any]:
    """One file -> its Articles and Failures, and a tally; never raises."""
    from pipeline.parse import parse_document
    from pipeline.sources.files import read_file

    try:
        raw = read_file(path, max_bytes=settings.max_file_bytes, storage_options=storage_options)
        # Opened or not: a run in which no input could be opened at all ends with exit status 2
        # (RunSummary.status), while an empty or oversized file was opened and is bad data.
        opened = not (isinstance(raw, Failure) and raw.reason == Reason.UNREADABLE_PATH.value)
        yield Tally(Count.FILES_OPENED if opened else "files_unopened")
        if isinstance(raw, Failure):
            yield raw
            return
        yield Tally(Count.DOCUMENTS_READ)
        raw = with_input_settings(raw, settings)
        for result in parse_document(raw, settings, ingested_at=ingested_at):
            if isinstance(result, Article):
                yield Tally(Count.ARTICLES_READ)
            yield result
    except Exception as error:  # noqa: BLE001 - a reader bug becomes a failures row, not a crash
        yield make_failure("read", Reason.INTERNAL_ERROR, path, f"{type(error).__name__}: {error}")


def with_input_settings(raw: RawDocument, settings: InputSettings) -> RawDocument:
    """A file's document with what the settings say of its input: its source (``input.sources``)
    and, with ``input.undated: modified``, its modification time to date undated articles."""
    from pipeline.sources.files import modification_time, source_for

    source = source_for(raw.origin, settings.sources) if settings.sources else None
    modified_at = modification_time(raw.origin) if settings.undated == "modified" else None
    if source is None and modified_at is None:
        return raw
    return replace(raw, source=source or raw.source, modified_at=modified_at)


class ReadFiles(beam.PTransform):
    """File paths -> Article | Failure | Tally. Reshuffled so that files spread over workers."""

    def __init__(
        self, paths: list[str], settings: InputSettings, ingested_at: datetime, *, storage_options: Optional[dict] = None
    ):
        super().__init__()
        self._paths = paths
        self._settings = settings
        self._ingested_at = ingested_at
        self._storage_options = storage_options or {}

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        return (
            pipeline
            | "Paths" >> beam.Create(self._paths)
            | "SpreadPaths" >> beam.Reshuffle()
            | "ReadAndParse" >> beam.FlatMap(read_and_parse, self._settings, self._ingested_at, self._storage_options)
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
        if legacy_content_id(element):
            # A whole file with no URL is known by its path, but an exact copy of it under another
            # name in the same input is still one article (the smallest id keeps it: see newest).
            return f"article:content:{element.content_hash}"
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

    The content hash, then the id (exact copies of a file under several names: the smallest id
    wins, as ``max`` keeps the first of equals) break the last ties, so the choice never depends
    on the order of arrival.
    """
    in_id_order = sorted(articles, key=lambda a: a.article_id)
    return max(in_id_order, key=lambda a: (a.published_at or _OLDEST, a.ingested_at, a.content_hash))


def resolve_group(key: str, elements: Iterable[Any]) -> Iterator[Any]:
    """One group of equal keys -> one element (and how many duplicates were dropped)."""
    items = list(elements)
    if key.startswith("tally:"):
        yield Tally(items[0].name, sum(item.count for item in items))
    elif key.startswith("article:"):
        yield newest(items)
        if len(items) > 1:
            yield Tally(Count.DUPLICATES, len(items) - 1)
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


def index_key(element: Any) -> str:
    """Articles and failures by the index shard that records them; anything else passes ("-")."""
    if isinstance(element, Article):
        return f"articles:{index_shard(element.article_id)}"
    if isinstance(element, Failure):
        return f"failures:{index_shard(element.failure_id)}"
    return "-"


def against_index(
    element: Any, stored_articles: Mapping[str, StoredArticle], recorded_failures: AbstractSet[str]
) -> Iterator[Any]:
    """Drop what the dataset already holds unchanged; clear the old rows of an article that changed."""
    if isinstance(element, Article):
        stored = stored_articles.get(element.article_id)
        if stored is not None and stored.content_hash == element.content_hash:
            yield Tally(Count.UNCHANGED)
            return
        if stored is not None:
            yield Tally(Count.CHANGED)
            yield from tombstones_for_replaced_article(element.article_id, stored.partition)
        yield element
    elif isinstance(element, Failure) and element.failure_id in recorded_failures:
        yield Tally(Count.FAILURES_ALREADY_RECORDED)
    else:
        yield element


def against_stored_shard(group: tuple[str, Iterable[Any]], location: Location) -> Iterator[Any]:
    """One index shard's worth of elements against that shard of the stored index: the only stored
    data a run reads to skip what it holds, so the cost follows the input, not the dataset."""
    key, elements = group
    items = list(elements)
    if key == "-":
        yield from items
        return
    kind, shard = key.split(":", 1)
    stored_articles: Mapping[str, StoredArticle] = {}
    recorded_failures: AbstractSet[str] = frozenset()
    if kind == "articles":
        stored_articles = read_article_index(location, shard, ids=(item.article_id for item in items))
    else:
        recorded_failures = read_failure_index(location, shard)
    for item in items:
        yield from against_index(item, stored_articles, recorded_failures)


def legacy_content_id(element: Any) -> Optional[str]:
    """The id that schema 1.2 and before gave ``element`` when it is a whole file with no URL (a
    hash of its text; since 1.3 it is a hash of its path), else None."""
    if isinstance(element, Article) and element.url is None and element.article_id == path_article_id(element.origin):
        return content_article_id(element.content_hash)
    return None


def legacy_url_id(element: Any) -> Optional[str]:
    """The id that schema 1.3 and before gave ``element`` when it is an article with a URL whose id
    has changed since (1.4 makes it from courlan's canonical URL, which drops more tracking
    parameters and sorts the rest), else None."""
    if isinstance(element, Article) and element.url:
        legacy = url_article_id_before_1_4(element.url)
        if legacy and legacy != element.article_id:
            return legacy
    return None


def legacy_id(element: Any, *, content_ids: bool, url_ids: bool) -> Optional[str]:
    """The id an older schema stored ``element`` under, of the rules the dataset may hold: a whole
    file with no URL by its text (before 1.3), an article by its URL's old canonical form (before 1.4).
    The two never both apply: the first is for articles without URL."""
    return (content_ids and legacy_content_id(element)) or (url_ids and legacy_url_id(element)) or None


def legacy_key(element: Any, *, content_ids: bool = True, url_ids: bool = False) -> str:
    """An article by the index shard of its older id; anything else passes ("-")."""
    legacy = legacy_id(element, content_ids=content_ids, url_ids=url_ids)
    return f"legacy:{index_shard(legacy)}" if legacy else "-"


def against_legacy_shard(
    group: tuple[str, Iterable[Any]], location: Location, *, content_ids: bool = True, url_ids: bool = False
) -> Iterator[Any]:
    """Articles a dataset of an older schema stored under an older id: their old rows are cleared,
    as for a changed article, and they are stored again under their id now."""
    key, elements = group
    items = list(elements)
    if key == "-":
        yield from items
        return
    legacy_ids = [legacy_id(item, content_ids=content_ids, url_ids=url_ids) for item in items]
    stored = read_article_index(location, key.split(":", 1)[1], ids=legacy_ids)
    for item, legacy in zip(items, legacy_ids):
        old = stored.get(legacy or "")
        if old is not None:
            yield Tally(Count.CHANGED)
            yield from tombstones_for_replaced_article(legacy, old.partition)
        yield item


class SkipStored(beam.PTransform):
    """Skip articles the dataset already holds with the same content hash (no NLP for them), and
    failures it has recorded; grouped by index shard so each shard of the index is read once.

    An article the index does not know by its id may be stored under an older one, when the dataset
    was created before the rule changed; it is looked up by that id too, and its old rows are replaced
    (:func:`against_legacy_shard`). ``legacy_ids``: created before schema 1.3, so a whole file with no
    URL may be stored under the id of its text. ``legacy_url_ids``: created before 1.4, so an article
    may be stored under the id of its URL's old canonical form (:func:`legacy_url_id`)."""

    def __init__(self, location: Location, *, legacy_ids: bool = False, legacy_url_ids: bool = False):
        super().__init__()
        self._location = location
        self._legacy_ids = legacy_ids
        self._legacy_url_ids = legacy_url_ids

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        checked = (
            elements
            | "KeyByIndexShard" >> beam.Map(lambda element: (index_key(element), element))
            | "GroupByIndexShard" >> beam.GroupByKey()
            | "AgainstIndex" >> beam.FlatMap(against_stored_shard, self._location)
        )
        if not (self._legacy_ids or self._legacy_url_ids):
            return checked
        rules = {"content_ids": self._legacy_ids, "url_ids": self._legacy_url_ids}
        return (
            checked
            | "KeyByLegacyShard" >> beam.Map(lambda element, rules: (legacy_key(element, **rules), element), rules)
            | "GroupByLegacyShard" >> beam.GroupByKey()
            | "AgainstLegacyIds" >> beam.FlatMap(against_legacy_shard, self._location, **rules)
        )


# ---------------------------------------------------------------- rows


def to_rows(element: Any) -> Iterator[Any]:
    """Annotated and Failure -> TableRows (and tallies); tombstones, tallies and feed polls pass through."""
    if isinstance(element, Annotated):
        yield Tally(Count.ENTITIES, len(element.entities))
        yield Tally(Count.QUOTES, len(element.quotes))
        yield from article_rows(element)
    elif isinstance(element, Failure):
        yield Tally(counters.failure(element.reason))
        yield failure_row(element)
        yield failure_index_row(element)
    elif isinstance(element, (TableRow, Tally, FeedPoll)):
        yield element
    else:  # an Article that skipped annotation would be a wiring bug: surface it as a row
        yield failure_row(
            make_failure("rows", Reason.INTERNAL_ERROR, getattr(element, "origin", "?"), f"unexpected {type(element).__name__}")
        )


def shard_rows(elements: Iterable[Any]) -> Iterator[Any]:
    """One NLP shard's output -> its rows in batches per table partition (``pipeline.sinks.batches``),
    tallies and feed polls as they come: ``Annotate``'s ``then``, so rows leave the shard columnar."""
    return batch_rows(chain.from_iterable(map(to_rows, elements)))

"""Polling one live feed: fetch (conditionally), parse its entries, fetch full text where asked.

Plain functions; the Beam adapter is ``pipeline.stages.ReadFeeds``. The feed's state (validators,
ids already seen) comes in as a snapshot taken by the launcher, and what changed goes out as a
FeedPoll element, so workers never write the state store (see records.FeedPoll for why).

A watch polls from the launcher with a ``Cutoff`` (its cycle's deadline and its stop event): a poll
that a stop cut short is dropped whole, so that the feed, not recorded as polled, is read again at the
next start; a feed not started before the cutoff waits for the next cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterator, Optional

from pipeline.config import HttpSettings, InputSettings
from pipeline.counters import Count
from pipeline.failures import Reason, make_failure
from pipeline.parse import parse_document
from pipeline.parse.legacy_url import url_article_id_before_1_4
from pipeline.parse.normalise import build_article
from pipeline.parse.provenance import Provenance
from pipeline.records import Article, Failure, FeedPoll, Tally
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.feed_state import FeedStateStore
from pipeline.sources.feedlists import FeedSpec
from pipeline.sources.http import FetchResult, HostPoliteness, fetch, to_raw_document
from pipeline.sources.robots import robots_allows

_politeness: dict[float, HostPoliteness] = {}


def politeness_gate(min_delay: float) -> HostPoliteness:
    """One gate per worker process, shared by all the feeds and pages it fetches."""
    return _politeness.setdefault(min_delay, HostPoliteness(min_delay))


@dataclass(frozen=True)
class FeedJob:
    """What a worker needs to poll one feed: the spec and the launcher's snapshot of its state."""

    spec: FeedSpec
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    seen_ids: frozenset[str] = frozenset()


def poll_feeds(
    jobs: list[FeedJob],
    http: HttpSettings,
    inputs: InputSettings,
    *,
    ingested_at: datetime,
    threads: int = 8,
    cutoff: Optional[Cutoff] = None,
) -> list[Any]:
    """Poll many feeds from this process, several hosts at once but one request at a time per host
    (the politeness gate), and return what they gave, in the order of ``jobs``; with a ``cutoff``,
    only the polls that it did not prevent or interrupt."""
    from concurrent.futures import ThreadPoolExecutor

    if not jobs:
        return []

    def poll_whole(job: FeedJob) -> list[Any]:
        if cutoff is not None and cutoff.expired():
            return []  # not started: neither polled nor failed, so still due
        elements = list(poll_feed(job, http, inputs, ingested_at=ingested_at, cutoff=cutoff))
        return [] if any(is_interrupted(element) for element in elements) else elements

    with ThreadPoolExecutor(max_workers=min(threads, len(jobs)), thread_name_prefix="newsbeam-poll") as pool:
        results = pool.map(poll_whole, jobs)
        return [element for elements in results for element in elements]


def is_interrupted(element: Any) -> bool:
    return isinstance(element, Failure) and element.reason == Reason.INTERRUPTED.value


def poll_feed(
    job: FeedJob, http: HttpSettings, inputs: InputSettings, *, ingested_at: datetime, cutoff: Optional[Cutoff] = None
) -> Iterator[Any]:
    """One feed -> Articles, Failures, tallies and one FeedPoll; never raises."""
    spec = job.spec
    gate = politeness_gate(http.min_host_delay)
    try:
        result = fetch(spec.url, http, etag=job.etag, last_modified=job.last_modified, politeness=gate, cutoff=cutoff)
        if isinstance(result, Failure):
            yield Tally(Count.FEEDS_FAILED)
            yield result
            yield FeedPoll(spec.url, "failed")
            return
        if result.not_modified:
            yield Tally(Count.FEEDS_NOT_MODIFIED)
            yield FeedPoll(spec.url, "not_modified", result.etag or job.etag, result.last_modified or job.last_modified)
            return
        yield Tally(Count.FEEDS_FETCHED)
        raw = to_raw_document(result, format_hint="feed", source=spec.name, feed_url=spec.url, language=spec.language)
        full_text = http.fetch_full_text if spec.full_text is None else spec.full_text
        entry_ids: list[str] = []
        for parsed in parse_document(raw, inputs, ingested_at=ingested_at):
            if isinstance(parsed, Article):
                entry_ids.append(parsed.article_id)
                if full_text and was_seen(parsed, job.seen_ids):
                    # Its full text is stored already; the feed's summary must not replace it.
                    yield Tally(Count.FEED_ENTRIES_SEEN)
                    continue
                if full_text and needs_full_text(parsed):
                    yield from with_full_text(parsed, http, inputs, gate=gate, ingested_at=ingested_at, cutoff=cutoff)
                    continue
                yield Tally(Count.ARTICLES_READ)
            yield parsed
        yield FeedPoll(spec.url, "ok", result.etag, result.last_modified, tuple(entry_ids))
    except Exception as error:  # noqa: BLE001 - a bug here costs one feed one poll, never the job
        yield make_failure("fetch", Reason.INTERNAL_ERROR, spec.url, f"{type(error).__name__}: {error}")
        yield FeedPoll(spec.url, "failed")


def was_seen(entry: Article, seen_ids: frozenset[str]) -> bool:
    """Whether an earlier poll stored the entry: by its id, or by the id of its URL before schema 1.4
    (a feed state written by an older newsbeam holds those; the article is stored under it)."""
    return entry.article_id in seen_ids or url_article_id_before_1_4(entry.url) in seen_ids


def needs_full_text(article: Article) -> bool:
    """True when the entry carried only its summary (the parser then uses the summary as the body)."""
    return bool(article.url) and (not article.summary or article.body.strip() == article.summary.strip())


def with_full_text(
    entry: Article,
    http: HttpSettings,
    inputs: InputSettings,
    *,
    gate: HostPoliteness,
    ingested_at: datetime,
    cutoff: Optional[Cutoff] = None,
) -> Iterator[Any]:
    """The entry with its linked page's main text as body; or, if that fails, a failure and the entry
    as it was; or, when the host's robots.txt does not allow the page, the entry as it was."""
    assert entry.url is not None
    allowed = robots_allows(entry.url, http, gate=gate, cutoff=cutoff)
    if isinstance(allowed, Failure):  # interrupted: dropped with the whole poll, as a page would be
        yield allowed
        return
    if not allowed:
        # Not a failure of the data: the publisher asks not to be fetched (or its rules are unknown yet).
        yield Tally(Count.FULL_TEXTS_DISALLOWED)
        yield Tally(Count.ARTICLES_READ)
        yield entry
        return
    page = fetch(entry.url, http, politeness=gate, cutoff=cutoff)
    problem: Optional[str] = None
    if is_interrupted(page):
        # passed on as it is, so the whole poll is dropped (poll_feeds): stored with its summary and
        # recorded as seen, the entry would never get its full text
        yield page
        return
    if isinstance(page, Failure):
        problem = f"{page.reason}: {page.detail}"
    elif isinstance(page, FetchResult) and not page.not_modified:
        raw = to_raw_document(page, format_hint="html", source=entry.source, feed_url=entry.feed_url)
        articles = [item for item in parse_document(raw, inputs, ingested_at=ingested_at) if isinstance(item, Article)]
        if articles:
            yield Tally(Count.ARTICLES_READ)
            yield Tally(Count.FULL_TEXTS_FETCHED)
            yield merge_full_text(entry, articles[0])
            return
        problem = "the linked page has no main text"
    else:
        problem = "the linked page answered 304 without having been asked conditionally"
    yield make_failure("fulltext", Reason.FULLTEXT_FAILED, entry.url, problem, locator=entry.feed_url)
    yield Tally(Count.ARTICLES_READ)
    yield entry


def merge_full_text(entry: Article, page: Article) -> Article:
    """The feed's metadata, the page's text: the entry's id and URL stay, so the article is the same one."""
    rebuilt = build_article(
        Provenance(origin=entry.origin, ingested_at=entry.ingested_at, feed_url=entry.feed_url),
        body=page.body,
        url=entry.url,
        title=entry.title or page.title,
        source=entry.source or page.source,
        summary=entry.summary,
        authors=entry.authors or page.authors,
        language=entry.language or page.language,
        published_at=entry.published_at or page.published_at,
    )
    return replace(rebuilt, article_id=entry.article_id)


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

"""The element types that flow between the pipeline's stages, in one place.

All of them are frozen dataclasses: hashable, picklable by reference on every
runner, and cheap to build.  Offsets are Python ``str`` indices into
``Article.body``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional, Union


def stable_id(*parts: object, length: int = 16) -> str:
    """A short, deterministic id from its parts (same input, same id, on any machine)."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def path_article_id(origin: str) -> str:
    """The id of an article that is a whole file with no URL: its path, so an edit replaces it."""
    return stable_id("path", origin)


def content_article_id(content_hash: str) -> str:
    """The id of an article with neither URL nor file of its own (a feed entry, a record of a dump),
    and, before schema 1.3, of a whole file with no URL."""
    return stable_id("content", content_hash)


@dataclass(frozen=True)
class RawDocument:
    """Bytes as read from a file or fetched from a URL, with where they came from."""

    origin: str  # path or URL the bytes came from; "path!member" for parts of archives
    data: bytes
    format_hint: Optional[str] = None  # "text" | "json" | "jsonl" | "html" | "feed"; None: sniff
    content_type: Optional[str] = None  # HTTP Content-Type, when fetched
    source: Optional[str] = None  # publisher or feed name, when known up front
    feed_url: Optional[str] = None
    language: Optional[str] = None
    fetched_at: Optional[datetime] = None
    modified_at: Optional[datetime] = None  # the file's modification time, when it is to date undated articles


@dataclass(frozen=True)
class Article:
    """One normalised article. ``body`` is the text that every offset points into."""

    article_id: str
    body: str
    origin: str
    ingested_at: datetime
    content_hash: str
    url: Optional[str] = None  # as published, without user credentials
    canonical_url: Optional[str] = None  # normalise.canonical_url: what the id is made from
    source: Optional[str] = None
    feed_url: Optional[str] = None
    title: Optional[str] = None
    summary: Optional[str] = None
    authors: tuple[str, ...] = ()
    language: Optional[str] = None
    published_at: Optional[datetime] = None  # timezone-aware UTC, or None when unknown
    place: Optional[str] = None  # dateline place ("MOSCOW"), when the text has one
    # The file's modification time, kept only when input.undated is "modified": an undated article
    # is then filed under it.
    modified_at: Optional[datetime] = None

    @property
    def dated_at(self) -> datetime:
        """The moment the article is filed under (its ``date`` partition): see :attr:`date_source`."""
        return self.published_at or self.modified_at or self.ingested_at

    @property
    def date_source(self) -> str:
        """Where :attr:`dated_at` comes from: "published", "modified" (its file) or "ingested"."""
        return "published" if self.published_at else "modified" if self.modified_at else "ingested"

    @property
    def word_count(self) -> int:
        return len(self.body.split())


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    """One named entity of an article, with every mention of it."""

    entity_id: str
    article_id: str
    name: str  # canonical within the article ("Sergey Lavrov" for "Lavrov")
    label: str  # spaCy label: PERSON, ORG, GPE, NORP, ...
    mentions: tuple[Mention, ...]

    @property
    def mention_count(self) -> int:
        return len(self.mentions)

    @property
    def first_offset(self) -> int:
        return min(mention.start for mention in self.mentions)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Quote:
    """Who said what: one quote with its speaker and cue."""

    quote_id: str
    article_id: str
    text: str
    kind: str  # "direct" | "mixed" | "indirect"
    spans: tuple[Span, ...]  # into Article.body; a split quote has several
    speaker: Optional[str] = None  # resolved name ("Sergey Lavrov")
    speaker_mention: Optional[str] = None  # as written ("he")
    speaker_start: Optional[int] = None
    speaker_end: Optional[int] = None
    speaker_entity_id: Optional[str] = None
    cue: Optional[str] = None  # lemma of the reporting verb or phrase ("say", "according to")
    cue_start: Optional[int] = None
    cue_end: Optional[int] = None
    cue_class: Optional[str] = None  # "speech" | "thought" | "intention" | "other": what the cue reports
    confidence: float = 0.0


@dataclass(frozen=True)
class Failure:
    """Bad input as data: one row of the ``failures`` table."""

    stage: str  # "read" | "parse" | "fetch" | "nlp" | ...
    reason: str  # a code from pipeline.failures.Reason
    origin: str  # the file or URL
    detail: str  # human-readable message
    occurred_at: datetime
    locator: Optional[str] = None  # where inside the origin ("line 17", "entry 3"), for a retry
    snippet: Optional[str] = None  # the first bytes/characters of the bad input, for a retry

    @property
    def failure_id(self) -> str:
        return stable_id(self.stage, self.reason, self.origin, self.locator)


@dataclass(frozen=True)
class Annotated:
    """An article with what the NLP stage found in it."""

    article: Article
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()


ParseResult = Union[Article, Failure]


@dataclass(frozen=True)
class Tally:
    """A count a stage reports (articles read, duplicates, ...), carried as data to the run report.

    Counts travel through the graph like rows instead of through Beam metrics, because not every
    runner here reports metrics, and a graph with one sink stays right on all of them.
    """

    name: str
    count: int = 1


@dataclass(frozen=True)
class FeedPoll:
    """The outcome of polling one feed, carried to the run report.

    The launcher records it in the feed state only after the run's rows are written, so a job that
    dies before that polls the feed again instead of losing its entries.
    """

    url: str
    status: str  # "ok" | "not_modified" | "failed"
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    entry_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableRow:
    """One row bound for a table partition, or (``row is None``) a tombstone.

    A tombstone removes every row of ``article_id`` from that table partition: it is how an article
    whose text changed loses its old entities and quotes, even where its new version has none, and
    even where its date (so its partition) moved.
    """

    table: str
    partition: str  # "YYYY-MM-DD"
    key: str  # the row's id; a new row replaces a stored row with the same key
    row: Optional[dict] = field(default=None, hash=False, compare=False)
    article_id: Optional[str] = None

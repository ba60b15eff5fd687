"""Small builders for records in tests: real records, with only what a test cares about spelled out."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Optional

from pipeline.records import Annotated, Article, Entity, Mention, Quote, Span, stable_id

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def make_article(
    body: str = "Officials said the bridge would reopen.",
    *,
    url: Optional[str] = "https://news.example.org/a",
    published_at: Optional[datetime] = NOW,
    ingested_at: datetime = NOW,
    title: str = "A title",
) -> Article:
    content_hash = hashlib.sha256(body.encode()).hexdigest()
    article_id = stable_id("url", url) if url else stable_id("content", content_hash)
    return Article(
        article_id=article_id,
        body=body,
        origin="test://" + (url or content_hash),
        ingested_at=ingested_at,
        content_hash=content_hash,
        url=url,
        canonical_url=url,
        title=title,
        published_at=published_at,
    )


def annotate_by_hand(article: Article, *, speaker: str = "Ana Lima", quote: Optional[str] = None) -> Annotated:
    """An Annotated with one PERSON entity and (when ``quote`` occurs in the body) one direct quote."""
    body = article.body
    start = body.find(speaker)
    mentions = (Mention(start, start + len(speaker), speaker),) if start >= 0 else (Mention(0, 1, body[:1]),)
    entity = Entity(stable_id(article.article_id, "PERSON", speaker), article.article_id, speaker, "PERSON", mentions)
    quotes = ()
    if quote and quote in body:
        q_start = body.index(quote)
        spans = (Span(q_start, q_start + len(quote)),)
        quotes = (
            Quote(
                quote_id=stable_id(article.article_id, spans),
                article_id=article.article_id,
                text=quote,
                kind="direct",
                spans=spans,
                speaker=speaker,
                speaker_mention=speaker,
                speaker_start=mentions[0].start,
                speaker_end=mentions[0].end,
                speaker_entity_id=entity.entity_id,
                cue="say",
                confidence=0.9,
            ),
        )
    return Annotated(article, (entity,), quotes)


def ingest_by_hand(location, *annotated: Annotated, run_id: Optional[str] = None):
    """What a pipeline run does with annotated articles, in this process: skip what is stored
    unchanged, clear the old rows of what changed, stage and commit the rest. Returns the publish
    report (pipeline.sinks.dataset.PublishReport)."""
    from pipeline.sinks.dataset import index_shard, read_article_index, write_rows
    from pipeline.stages import against_index, to_rows

    rows = []
    for item in annotated:
        article = item.article
        stored = read_article_index(location, index_shard(article.article_id), ids=[article.article_id])
        passed = list(against_index(article, stored, frozenset()))
        if article not in passed:
            continue  # stored unchanged
        for element in passed:
            source = item if element is article else element
            rows.extend(row for row in to_rows(source) if not hasattr(row, "name"))
    return write_rows(location, rows, run_id=run_id)

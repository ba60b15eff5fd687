"""Records to table rows: the one place that maps element types onto the dataset contract."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, Iterator, Optional

from pipeline.records import Annotated, Article, Failure, TableRow
from pipeline.sinks.dataset import index_shard
from pipeline.sinks.identities import entity_identity_id, identity_delta_rows
from pipeline.sinks.schema import ARTICLE_TABLES
from pipeline.sinks.stories import signature_row


def partition_of(article: Article) -> str:
    """``date=`` partition of an article: its publication date; when unknown, its file's modification
    date (``input.undated: modified``) or its ingestion date (``Article.date_source`` says which)."""
    return _day(article.dated_at)


def article_rows(annotated: Annotated) -> Iterator[TableRow]:
    """Every row of one annotated article, and its entry in the stored-article index.

    An article the dataset held before (its text changed) also gets tombstones, from SkipStored,
    which knows where its old rows are; a new article costs no look at stored files.
    """
    article = annotated.article
    partition = partition_of(article)
    yield TableRow("articles", partition, article.article_id, _article_row(article), article.article_id)
    index_row = {"article_id": article.article_id, "content_hash": article.content_hash, "partition": partition}
    yield TableRow("article_index", index_shard(article.article_id), article.article_id, index_row, article.article_id)
    identity_of = {entity.entity_id: entity_identity_id(entity) for entity in annotated.entities}
    for entity in annotated.entities:
        row = {
            "entity_id": entity.entity_id,
            "article_id": entity.article_id,
            "name": entity.name,
            "label": entity.label,
            "mentions": [{"start": m.start, "end": m.end, "text": m.text} for m in entity.mentions],
            "mention_count": entity.mention_count,
            "first_offset": entity.first_offset,
            "identity_id": identity_of[entity.entity_id],
        }
        yield TableRow("entities", partition, entity.entity_id, row, article.article_id)
    for quote in annotated.quotes:
        row = _fields_of(quote)
        row["spans"] = [{"start": span.start, "end": span.end} for span in quote.spans]
        row["speaker_identity_id"] = identity_of.get(quote.speaker_entity_id) if quote.speaker_entity_id else None
        yield TableRow("quotes", partition, quote.quote_id, row, article.article_id)
    yield from identity_delta_rows(annotated.entities, seen_at=article.dated_at)
    yield signature_row(article)


def tombstones_for_replaced_article(article_id: str, old_partition: str) -> Iterator[TableRow]:
    """Clear a stored article's old rows (its text changed) from the partition they are in, which
    may not be its new one (its date changed too), and its old index entry."""
    for table in ARTICLE_TABLES:
        yield tombstone(table, old_partition, article_id)
    yield tombstone("article_index", index_shard(article_id), article_id)
    yield tombstone("story_index", index_shard(article_id), article_id)


def tombstone(table: str, partition: str, article_id: str) -> TableRow:
    return TableRow(table, partition, key="", row=None, article_id=article_id)


def failure_row(failure: Failure) -> TableRow:
    row = asdict(failure)
    row["failure_id"] = failure.failure_id
    return TableRow("failures", _day(failure.occurred_at), failure.failure_id, row)


def failure_index_row(failure: Failure) -> TableRow:
    """The failure's entry in the index of recorded failures: the same failure is recorded once."""
    failure_id = failure.failure_id
    return TableRow("failure_index", index_shard(failure_id), failure_id, {"failure_id": failure_id})


def _article_row(article: Article) -> dict:
    row = _fields_of(article)
    row["authors"] = list(article.authors)
    row["word_count"] = article.word_count
    row["date_source"] = article.date_source
    return row


def _day(moment: Optional[datetime]) -> str:
    assert moment is not None, "every article has an ingestion time"
    return moment.date().isoformat()


def _fields_of(record: Any) -> dict[str, Any]:
    """A record's fields, one level deep: ``dataclasses.asdict`` deep-copies every value, and
    this runs for every row of every article."""
    return {field.name: getattr(record, field.name) for field in fields(record)}

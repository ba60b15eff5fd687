"""The dataset contract as Arrow schemas: table names, column names and types, partitioning.

Documented for humans in docs/dataset.md; bump SCHEMA_VERSION on any change a reader could notice
(a new column is a minor change, a renamed or retyped column a major one).
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1.0"
PARTITION_COLUMN = "date"  # Hive-style folder name: <table>/date=YYYY-MM-DD/
DATA_FILE = "data.parquet"  # one file per partition, replaced atomically
COMPRESSION = "zstd"

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

_MENTION = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])
_SPAN = pa.struct([("start", pa.int32()), ("end", pa.int32())])

ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("feed_url", pa.string()),
        ("title", pa.string()),
        ("body", pa.string()),
        ("summary", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("language", pa.string()),
        ("published_at", UTC_TIMESTAMP),
        ("ingested_at", UTC_TIMESTAMP),
        ("content_hash", pa.string()),
        ("word_count", pa.int32()),
        ("origin", pa.string()),
        ("place", pa.string()),
    ]
)

ENTITIES = pa.schema(
    [
        ("entity_id", pa.string()),
        ("article_id", pa.string()),
        ("name", pa.string()),
        ("label", pa.string()),
        ("mentions", pa.list_(_MENTION)),
        ("mention_count", pa.int32()),
        ("first_offset", pa.int32()),
    ]
)

QUOTES = pa.schema(
    [
        ("quote_id", pa.string()),
        ("article_id", pa.string()),
        ("text", pa.string()),
        ("kind", pa.string()),
        ("spans", pa.list_(_SPAN)),
        ("speaker", pa.string()),
        ("speaker_mention", pa.string()),
        ("speaker_start", pa.int32()),
        ("speaker_end", pa.int32()),
        ("speaker_entity_id", pa.string()),
        ("cue", pa.string()),
        ("cue_start", pa.int32()),
        ("cue_end", pa.int32()),
        ("confidence", pa.float32()),
    ]
)

FAILURES = pa.schema(
    [
        ("failure_id", pa.string()),
        ("stage", pa.string()),
        ("reason", pa.string()),
        ("origin", pa.string()),
        ("detail", pa.string()),
        ("occurred_at", UTC_TIMESTAMP),
        ("locator", pa.string()),
        ("snippet", pa.string()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "entities": ENTITIES,
    "quotes": QUOTES,
    "failures": FAILURES,
}
TABLES = tuple(SCHEMAS)
# Tables whose rows belong to one article and are replaced with it.
ARTICLE_TABLES = ("articles", "entities", "quotes")
KEY_COLUMNS = {
    "articles": "article_id",
    "entities": "entity_id",
    "quotes": "quote_id",
    "failures": "failure_id",
}

"""The dataset contract as Arrow schemas: table names, column names and types, partitioning.

Documented for humans in docs/dataset.md; bump SCHEMA_VERSION on any change a reader could notice
(a new column is a minor change, a renamed or retyped column a major one).
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1.4"
# Layout 2: a partition holds one file per run that added rows to it (``part-<run id>.parquet``),
# merged by compaction; layout 1 held one ``data.parquet`` per partition, rewritten by every run.
LAYOUT_VERSION = 2
PARTITION_COLUMN = "date"  # Hive-style folder name: <table>/date=YYYY-MM-DD/
DATA_SUFFIX = ".parquet"
COMPRESSION = "zstd"

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

_MENTION = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])
_SPAN = pa.struct([("start", pa.int32()), ("end", pa.int32())])

ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),  # as published, without user credentials
        ("canonical_url", pa.string()),  # 1.4: without tracking parameters; the article id is its hash
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
        ("modified_at", UTC_TIMESTAMP),  # the file's, when input.undated is "modified"
        ("date_source", pa.string()),  # what the date partition comes from: published, modified, ingested
        ("story_id", pa.string()),  # near-duplicate articles (copies, updates) share it; set at commit
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
        ("identity_id", pa.string()),  # -> identities: the name key this entity is known by
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
        ("cue_class", pa.string()),
        ("confidence", pa.float32()),
        ("speaker_identity_id", pa.string()),  # -> identities, when the speaker is a named entity
        ("quotation_id", pa.string()),  # the same words (exactly, or nearly within a story) share it; set at commit
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

_COUNT = lambda name: pa.struct([(name, pa.string()), ("count", pa.int64())])  # noqa: E731

# One row per name key seen anywhere in the dataset ("person:donald trump", "person:trump"), with
# additive statistics over every article that mentions it, and the identity it belongs to
# (canonical_id: itself for a real person's or organisation's own key, the full form's id for a
# short form that joined it). Sharded by id, not dated: a key is updated, not appended.
IDENTITIES = pa.schema(
    [
        ("identity_id", pa.string()),
        ("name_key", pa.string()),
        ("name", pa.string()),  # the fullest form used
        ("label", pa.string()),  # by vote over all mentions
        ("canonical_id", pa.string()),  # the identity this key is one of: group by this to count people
        ("aliases", pa.list_(_COUNT("name"))),  # surface forms with their mention counts
        ("labels", pa.list_(_COUNT("label"))),  # label votes
        ("links", pa.list_(_COUNT("name_key"))),  # keys it stood for inside one article, with article counts
        ("article_count", pa.int64()),
        ("mention_count", pa.int64()),
        ("first_seen", UTC_TIMESTAMP),
        ("last_seen", UTC_TIMESTAMP),
    ]
)
# What a run adds to the identities' statistics, staged only; and which keys' decisions read which
# other keys (so that a change to one re-decides the others).
IDENTITY_DELTAS = IDENTITIES
IDENTITY_DEPENDENTS = pa.schema(
    [("edge_id", pa.string()), ("identity_id", pa.string()), ("dependent_id", pa.string())]
)

# The dataset's own indexes, not part of the contract: what is stored, sharded by id so that a run
# reads only the shards of the ids it meets (its cost follows its input, not the dataset).
ARTICLE_INDEX = pa.schema(
    [
        ("article_id", pa.string()),
        ("content_hash", pa.string()),
        ("partition", pa.string()),  # the article's date partition, where its rows are
    ]
)
FAILURE_INDEX = pa.schema([("failure_id", pa.string())])
# Stories (pipeline/sinks/stories.py): each article's MinHash signature, staged by the workers; the
# stored signatures with each article's story and quotations, by article id; the LSH band keys that
# find candidates, sharded by key (a run reads the shards of its articles' keys only).
STORY_SIGNATURES = pa.schema(
    [
        ("article_id", pa.string()),
        ("dated_at", UTC_TIMESTAMP),  # the order the commit decides in: by date, then id
        ("minhash", pa.binary()),  # NUM_PERM little-endian uint32 values; empty when too short to judge
        ("shingles", pa.int32()),
    ]
)
_QUOTATION = pa.struct([("quotation_id", pa.string()), ("words", pa.string()), ("speaker", pa.string())])
STORY_INDEX = pa.schema(
    [
        ("article_id", pa.string()),
        ("story_id", pa.string()),
        ("minhash", pa.binary()),
        ("shingles", pa.int32()),
        ("quotations", pa.list_(_QUOTATION)),  # what a later copy's quotes are compared with
    ]
)
STORY_BANDS = pa.schema([("band", pa.int64()), ("article_id", pa.string())])

SCHEMAS: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "entities": ENTITIES,
    "quotes": QUOTES,
    "failures": FAILURES,
    "identities": IDENTITIES,
}
TABLES = tuple(SCHEMAS)  # the tables readers see
DATED_TABLES = ("articles", "entities", "quotes", "failures")
INDEX_SCHEMAS: dict[str, pa.Schema] = {
    "article_index": ARTICLE_INDEX,
    "failure_index": FAILURE_INDEX,
    "identity_deltas": IDENTITY_DELTAS,
    "identity_dependents": IDENTITY_DEPENDENTS,
    "story_signatures": STORY_SIGNATURES,
    "story_index": STORY_INDEX,
    "story_bands": STORY_BANDS,
}
ALL_SCHEMAS: dict[str, pa.Schema] = {**SCHEMAS, **INDEX_SCHEMAS}
# Where each table's folder is below the root: the indexes start with "_", which every Hive
# reader (pyarrow, DuckDB globs per table, Spark, Polars) skips.
TABLE_DIRS = {
    **{table: table for table in TABLES},
    "article_index": "_index/articles",
    "failure_index": "_index/failures",
    "identity_deltas": "_index/identity_deltas",  # only ever staged: merged into identities at commit
    "identity_dependents": "_index/identity_dependents",
    "story_signatures": "_index/story_signatures",  # only ever staged: read by the commit's story step
    "story_index": "_index/stories",
    "story_bands": "_index/story_bands",
}
PARTITION_COLUMNS = {
    **{table: PARTITION_COLUMN for table in DATED_TABLES},
    **{table: "shard" for table in ("identities", *INDEX_SCHEMAS)},
}
# Tables whose rows belong to one article and are replaced with it.
ARTICLE_TABLES = ("articles", "entities", "quotes")
KEY_COLUMNS = {
    "articles": "article_id",
    "entities": "entity_id",
    "quotes": "quote_id",
    "failures": "failure_id",
    "article_index": "article_id",
    "failure_index": "failure_id",
    "identities": "identity_id",
    "identity_deltas": "identity_id",
    "identity_dependents": "edge_id",
    "story_signatures": "article_id",
    "story_index": "article_id",
    "story_bands": ("band", "article_id"),
}
# The column that names the article a row belongs to, where rows are removed by article.
OWNER_COLUMNS = {
    "articles": "article_id",
    "entities": "article_id",
    "quotes": "article_id",
    "article_index": "article_id",
    "story_index": "article_id",
}
# Publication order of one commit: an article's entities and quotes are in place before the article
# itself, and the index (which tells later runs "stored") comes last.
PUBLISH_ORDER = ("entities", "quotes", "failures", "articles", "failure_index", "story_bands", "story_index", "article_index")

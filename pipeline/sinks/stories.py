"""Stories and quotations across articles, decided when a run commits.

Each article's MinHash signature is computed by the worker that annotated it and staged
(``story_signatures``). The commit, before its record is written, decides for the run's articles in
a fixed order (date, then id), each against:

- the stored articles that share an LSH band key with it (``_index/story_bands``, 256 shards by key:
  only the shards of the run's keys are read) and their signatures (``_index/stories``, by article id:
  only the shards of those candidates);
- the run's own articles decided before it.

An article joins the story of the most alike candidate (pipeline.stories.similarity), or starts one.
Its quotes get quotation ids: an exact copy's id, or that of a near copy by a compatible speaker among
the quotes of the articles of its story it was matched with (pipeline.stories.quotations). The ids
are written into the run's staged ``articles`` and ``quotes`` files, and the run's signatures,
quotations and band keys are staged for the indexes; publishing then goes on as for any staged file.

Once given, a story id never changes: stored rows are not rewritten when a later article would link
two stories (it joins the more alike one). An article replaced by a new version is matched again, and
usually meets its own old version: an update stays in its story. Cost: the index shards of the run's
band keys and candidates, never the dataset.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Optional, Sequence

import pyarrow as pa

from pipeline.records import Article, TableRow
from pipeline.sinks import dataset as ds
from pipeline.sinks.schema import ALL_SCHEMAS, COMPRESSION
from pipeline.storage import objects
from pipeline.storage.location import Location
from pipeline.stories.quotations import KnownQuotation, choose_quotation
from pipeline.stories.similarity import StoryCandidate, StorySignature, band_keys, decide_stories, story_signature

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def signature_row(article: Article) -> TableRow:
    """An article's signature, staged for the commit (by the first hex digit of its id: 16 groups)."""
    signature = story_signature(article.body)
    row = {
        "article_id": article.article_id,
        "dated_at": article.dated_at,
        "minhash": signature.to_bytes() if signature else b"",
        "shingles": signature.shingles if signature else 0,
    }
    return TableRow("story_signatures", article.article_id[:1].lower() or "0", article.article_id, row, article.article_id)


def band_shard(band: int) -> str:
    return f"{band & 0xFF:02x}"


@dataclass
class _Known:
    """What the decisions need of an article already decided: its story and signature, its quotations."""

    candidate: StoryCandidate
    quotations: list[KnownQuotation]


def link_run(location: Location, run_id: str, staged: Sequence[ds.StagedPartition]) -> list[ds.StagedPartition]:
    """Decide stories and quotations for a run's staged articles, write the ids into its staged files,
    and return the staged index partitions to publish with them."""
    signature_rows = _read_rows(location, [item.staged for item in staged if item.table == "story_signatures" and item.staged])
    if not signature_rows:
        return []
    signature_rows.sort(key=lambda row: (row["dated_at"] or _EPOCH, row["article_id"]))
    signatures = {row["article_id"]: _signature(row["minhash"], row["shingles"]) for row in signature_rows}
    keys = {article_id: band_keys(signature) if signature else [] for article_id, signature in signatures.items()}  # for the band index
    stored_by_band = _stored_bands(location, {key for article_keys in keys.values() for key in article_keys})
    stored = _stored_articles(location, {article_id for ids in stored_by_band.values() for article_id in ids})
    quote_partitions = [item for item in staged if item.table == "quotes" and item.staged]
    quotes_by_article = _quotes_by_article(location, quote_partitions)

    def stored_candidates(band_keys_of_article: list[int]) -> list[StoryCandidate]:
        found = {article_id for key in band_keys_of_article for article_id in stored_by_band.get(key, ())}
        return [stored[article_id].candidate for article_id in sorted(found) if article_id in stored]

    story_of: dict[str, str] = {}
    quotation_of: dict[str, str] = {}
    quotations_of: dict[str, list[KnownQuotation]] = {}  # this run's articles' quotations, as later ones see them

    def quotations_of_member(member: StoryCandidate) -> list[KnownQuotation]:
        # An earlier article of this run, else a stored one (an article's own old version included).
        if member.article_id in quotations_of:
            return quotations_of[member.article_id]
        return stored[member.article_id].quotations if member.article_id in stored else []

    items = [(row["article_id"], signatures[row["article_id"]]) for row in signature_rows]
    for article_id, story, members in decide_stories(items, stored_candidates):
        story_of[article_id] = story
        known = [quotation for member in members for quotation in quotations_of_member(member)]
        mine: list[KnownQuotation] = []
        for quote in quotes_by_article.get(article_id, ()):
            quotation = choose_quotation(quote["text"] or "", quote["speaker"], [*known, *mine])
            if quotation is None:
                continue
            quotation_of[quote["quote_id"]] = quotation.quotation_id
            mine.append(quotation)
        quotations_of[article_id] = mine

    _fill_column(location, [item for item in staged if item.table == "articles" and item.staged], "article_id", "story_id", story_of)
    _fill_column(location, quote_partitions, "quote_id", "quotation_id", quotation_of)
    return _stage_indexes(location, run_id, signature_rows, story_of, quotations_of, keys)


def _signature(minhash: Optional[bytes], shingles: Optional[int]) -> Optional[StorySignature]:
    return StorySignature.from_bytes(minhash, int(shingles or 0)) if minhash else None


def _read_rows(location: Location, paths: Iterable[Optional[str]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        if path:
            rows.extend(objects.read_parquet(location, path).to_pylist())
    return rows


def _stored_bands(location: Location, wanted: set[int]) -> dict[int, list[str]]:
    """Stored article ids under each of ``wanted``'s band keys, reading only those keys' shards."""
    by_shard: dict[str, list[int]] = defaultdict(list)
    for key in wanted:
        by_shard[band_shard(key)].append(key)

    def read_shard(shard: str) -> list[tuple[int, str]]:
        pairs: list[tuple[int, str]] = []
        for path in ds.partition_files(location, "story_bands", shard):
            table = objects.read_parquet(location, path, schema=ALL_SCHEMAS["story_bands"], filters=[("band", "in", by_shard[shard])])
            pairs.extend(zip(table.column("band").to_pylist(), table.column("article_id").to_pylist()))
        return pairs

    found: dict[int, dict[str, None]] = defaultdict(dict)  # ordered sets: a pair may sit in several files
    for pairs in objects.in_parallel(read_shard, sorted(by_shard)):
        for band, article_id in pairs:
            found[band][article_id] = None
    return {band: list(ids) for band, ids in found.items()}


def _stored_articles(location: Location, wanted: set[str]) -> dict[str, _Known]:
    """The stored story rows of ``wanted`` (the latest version of each), from their shards only."""
    by_shard: dict[str, list[str]] = defaultdict(list)
    for article_id in wanted:
        by_shard[ds.index_shard(article_id)].append(article_id)

    def read_shard(shard: str) -> dict[str, _Known]:
        rows: dict[str, _Known] = {}
        for path in ds.partition_files(location, "story_index", shard):  # oldest first: a later row wins
            table = objects.read_parquet(location, path, schema=ALL_SCHEMAS["story_index"], filters=[("article_id", "in", by_shard[shard])])
            for row in table.to_pylist():
                signature = _signature(row["minhash"], row["shingles"])
                if signature is None:
                    continue
                quotations = [
                    KnownQuotation(item["quotation_id"], tuple((item["words"] or "").split()), item["speaker"])
                    for item in row["quotations"] or ()
                ]
                rows[row["article_id"]] = _Known(StoryCandidate(row["article_id"], row["story_id"], signature), quotations)
        return rows

    stored: dict[str, _Known] = {}
    for rows in objects.in_parallel(read_shard, sorted(by_shard)):
        stored.update(rows)
    return stored


def _quotes_by_article(location: Location, partitions: Sequence[ds.StagedPartition]) -> dict[str, list[dict[str, Any]]]:
    """The run's quotes per article, in the order of the text (the quote rows are staged by id)."""
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in partitions:
        table = objects.read_parquet(location, item.staged, columns=["quote_id", "article_id", "text", "speaker", "spans"])  # type: ignore[arg-type]
        for row in table.to_pylist():
            by_article[row["article_id"]].append(row)
    for quotes in by_article.values():
        quotes.sort(key=lambda row: (row["spans"][0]["start"] if row["spans"] else 0, row["quote_id"]))
    return by_article


def _fill_column(location: Location, partitions: Sequence[ds.StagedPartition], key: str, column: str, values: dict[str, str]) -> None:
    """Write ``values`` (by ``key``) into ``column`` of the run's staged files; nothing visible changes."""
    for item in partitions:
        table = objects.read_parquet(location, item.staged, schema=ALL_SCHEMAS[item.table])  # type: ignore[arg-type]
        filled = pa.array([values.get(identifier) for identifier in table.column(key).to_pylist()], type=pa.string())
        table = table.set_column(table.schema.get_field_index(column), column, filled)
        objects.write_parquet(location, item.staged, table, compression=COMPRESSION, durable=False)  # type: ignore[arg-type]


def _stage_indexes(
    location: Location,
    run_id: str,
    signature_rows: Sequence[dict[str, Any]],
    story_of: dict[str, str],
    quotations_of: dict[str, list[KnownQuotation]],
    keys: dict[str, list[int]],
) -> list[ds.StagedPartition]:
    """Stage the run's rows of both story indexes, one file per shard, built column by column: a run
    into an empty dataset writes every one of the 2 x 256 shards, and that is the commit's largest
    cost here."""
    index_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    band_columns: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for row in signature_rows:
        article_id = row["article_id"]
        index_rows[ds.index_shard(article_id)].append({
            "article_id": article_id,
            "story_id": story_of[article_id],
            "minhash": row["minhash"],
            "shingles": row["shingles"],
            "quotations": [
                {"quotation_id": quotation.quotation_id, "words": " ".join(quotation.words), "speaker": quotation.speaker}
                for quotation in quotations_of.get(article_id, ())
            ],
        })
        for key in keys[article_id]:
            bands, articles = band_columns[band_shard(key)]
            bands.append(key)
            articles.append(article_id)

    def stage(work: tuple[str, str]) -> ds.StagedPartition:
        table_name, shard = work
        if table_name == "story_index":
            rows = sorted(index_rows[shard], key=lambda item: item["article_id"])
            table = pa.Table.from_pylist(rows, schema=ALL_SCHEMAS["story_index"])
        else:
            bands, articles = band_columns[shard]
            table = pa.table({"band": pa.array(bands, pa.int64()), "article_id": pa.array(articles, pa.string())},
                             schema=ALL_SCHEMAS["story_bands"]).sort_by([("band", "ascending"), ("article_id", "ascending")])
        staged = ds.staged_path(run_id, table_name, shard)
        objects.write_parquet(location, staged, table, compression=COMPRESSION, durable=False)
        return ds.StagedPartition(table_name, shard, table.num_rows, staged, ds.final_path(run_id, table_name, shard))

    work = [("story_index", shard) for shard in sorted(index_rows)] + [("story_bands", shard) for shard in sorted(band_columns)]
    return objects.in_parallel(stage, work)

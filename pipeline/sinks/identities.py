"""The ``identities`` table: one row per name key, its statistics, and the identity it belongs to.

Every entity row names its key's id (``entities.identity_id``, computed from the article alone, so
it never changes); every quote with a named speaker names the speaker's (``speaker_identity_id``).
Which keys are one real person or organisation is decided from statistics over the whole dataset
(pipeline.identity): the decision is stored in ``identities.canonical_id`` and changes as the
evidence grows, without any entity row being rewritten.

Incrementally, and exactly: a run stages the statistics its articles add (and, for articles it
replaces, those their old versions take back); its commit merges them into the shards of the keys
touched, re-decides those keys and every key whose last decision read one of them (the
``identity_dependents`` index records which decision read which key; a decision reads statistics,
never another key's decision). The
result equals deciding every key afresh over the final statistics, however the input was split
into runs, and costs the shards of the keys involved, not the dataset.

Re-applying a commit after a crash is safe: a shard rewritten by this run (``part-<run id>``) is
taken as done, and the others are recomputed from what they held before plus the staged deltas.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Optional

import pyarrow as pa

from pipeline.identity.evidence import NameStats, combine, observe_article, subtract
from pipeline.identity.names import label_class, name_key
from pipeline.identity.names import identity_id as key_identity_id
from pipeline.identity.resolve import canonical_key, label_of, preferred_name
from pipeline.records import Entity, Mention, TableRow
from pipeline.sinks import dataset as ds
from pipeline.sinks.schema import ALL_SCHEMAS, COMPRESSION
from pipeline.storage import objects
from pipeline.storage.location import Location

SHARD_DIGITS = 2
DELTA_PARTITION = "all"
REMOVALS_FILE = "identity_removals.parquet"


def entity_identity_id(entity: Entity) -> Optional[str]:
    """The id of the key an entity is known by, or None for labels that get no identity."""
    if label_class(entity.label) is None:
        return None
    key = name_key(entity.name, entity.label)
    return key_identity_id(key) if key.split(":", 1)[-1] else None


def identity_shard(identifier: str) -> str:
    return identifier[:SHARD_DIGITS]


# ---------------------------------------------------------------- rows <-> stats


def stats_row(key: str, stats: NameStats, *, canonical_id: Optional[str] = None, named: bool = True) -> dict[str, Any]:
    """The identities row of a key's statistics; ``named=False`` leaves name and label for the commit
    to work out (a staged delta's would be thrown away)."""
    return {
        "identity_id": key_identity_id(key),
        "name_key": key,
        "name": preferred_name(stats) if named and stats.forms else None,
        "label": label_of(stats) if named and stats.labels else None,
        "canonical_id": canonical_id,
        "aliases": [{"name": form, "count": count} for form, count in stats.forms],
        "labels": [{"label": label, "count": count} for label, count in stats.labels],
        "links": [{"name_key": other, "count": count} for other, count in stats.links],
        "article_count": stats.articles,
        "mention_count": stats.mentions,
        "first_seen": stats.first_seen,
        "last_seen": stats.last_seen,
    }


def row_stats(row: Mapping[str, Any]) -> NameStats:
    return NameStats(
        forms=tuple(sorted((item["name"], item["count"]) for item in row["aliases"] or ())),
        labels=tuple(sorted((item["label"], item["count"]) for item in row["labels"] or ())),
        articles=row["article_count"],
        mentions=row["mention_count"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        links=tuple(sorted((item["name_key"], item["count"]) for item in row["links"] or ())),
    )


def identity_delta_rows(entities: Sequence[Entity], *, seen_at: Optional[datetime]) -> Iterator[TableRow]:
    """What one article adds to the identities' statistics, as rows for the staging writer."""
    for key, stats in observe_article(entities, seen_at=seen_at).items():
        row = stats_row(key, stats, named=False)
        # One staged file of deltas per run, not one per shard: the commit reads them all anyway, and
        # 256 small files cost more to write and read than the statistics they hold.
        yield TableRow("identity_deltas", DELTA_PARTITION, row["identity_id"], row)


def combine_delta_rows(first: Optional[dict[str, Any]], second: dict[str, Any]) -> dict[str, Any]:
    """Two staged delta rows of one key -> one (the staging writer's merge for this table)."""
    if first is None:
        return second
    return stats_row(second["name_key"], combine(row_stats(first), row_stats(second)), named=False)


# ---------------------------------------------------------------- what replaced articles take back


def removed_contributions(location: Location, owners_by_partition: Mapping[str, set[str]]) -> list[dict[str, Any]]:
    """The statistics that the stored versions of replaced articles contributed, per key, summed: read
    from their entity rows before they are removed (so that the commit can take them back)."""
    by_article: dict[str, list[Entity]] = {}
    for partition, owners in owners_by_partition.items():
        for path in ds.partition_files(location, "entities", partition):
            table = objects.read_parquet(location, path, schema=ALL_SCHEMAS["entities"])
            for row in table.to_pylist():
                if row["article_id"] in owners:
                    mentions = tuple(Mention(m["start"], m["end"], m["text"]) for m in row["mentions"])
                    by_article.setdefault(row["article_id"], []).append(
                        Entity(row["entity_id"], row["article_id"], row["name"], row["label"], mentions)
                    )
    totals: dict[str, NameStats] = {}
    for article_id in sorted(by_article):
        for key, stats in observe_article(tuple(by_article[article_id]), seen_at=None).items():
            totals[key] = combine(totals[key], stats) if key in totals else stats
    return [stats_row(key, totals[key], named=False) for key in sorted(totals)]


def stage_removals(location: Location, run_id: str, rows: list[dict[str, Any]]) -> Optional[str]:
    if not rows:
        return None
    path = f"{ds.STAGING_DIR}/{run_id}/{REMOVALS_FILE}"
    objects.write_parquet(location, path, pa.Table.from_pylist(rows, schema=ALL_SCHEMAS["identities"]), compression=COMPRESSION,
                          durable=False)
    return path


# ---------------------------------------------------------------- the commit's update


class _Shards:
    """The identities shards this commit reads, each as it was before it, or as this run left it."""

    def __init__(self, location: Location, run_id: str) -> None:
        self._location = location
        self._run_id = run_id
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}  # shard -> identity id -> row
        self.done: set[str] = set()  # shards this run already rewrote (a commit finished again)
        self.old_files: dict[str, list[str]] = {}

    def load(self, shard: str) -> dict[str, dict[str, Any]]:
        if shard not in self.rows:
            self._keep(shard, *self._read(shard))
        return self.rows[shard]

    def load_all(self, shards: Iterable[str]) -> None:
        """Read these shards at once, in parallel."""
        wanted = sorted(set(shards) - set(self.rows))
        for shard, (files, mine, rows) in zip(wanted, objects.in_parallel(self._read, wanted)):
            self._keep(shard, files, mine, rows)

    def _read(self, shard: str) -> tuple[list[str], list[str], dict[str, dict[str, Any]]]:
        files = ds.partition_files(self._location, "identities", shard)
        mine = [path for path in files if posixpath.basename(path).startswith(f"part-{self._run_id}")]
        rows: dict[str, dict[str, Any]] = {}
        for path in mine or files:  # oldest first: a later file's row wins
            for row in objects.read_parquet(self._location, path, schema=ALL_SCHEMAS["identities"]).to_pylist():
                rows[row["identity_id"]] = row
        return files, mine, rows

    def _keep(self, shard: str, files: list[str], mine: list[str], rows: dict[str, dict[str, Any]]) -> None:
        if mine:
            self.done.add(shard)
        self.rows[shard] = rows
        self.old_files[shard] = [path for path in files if path not in mine]

    def get(self, identifier: str) -> Optional[dict[str, Any]]:
        return self.load(identity_shard(identifier)).get(identifier)


def update_identities(location: Location, run_id: str, delta_files: Sequence[str], removals_file: Optional[str]) -> int:
    """Merge a run's staged statistics into ``identities`` and re-decide what they can change; returns
    the number of identity rows written."""
    deltas = _read_stats(location, delta_files)
    removals = _read_stats(location, [removals_file] if removals_file else [])
    if not deltas and not removals:
        return 0
    shards = _Shards(location, run_id)
    shards.load_all(identity_shard(identifier) for identifier in (*deltas, *removals))
    changed: dict[str, dict[str, Any]] = {}  # identity id -> its new row
    gone: set[str] = set()  # keys whose every article was replaced away
    for identifier in sorted(set(deltas) | set(removals)):
        if identity_shard(identifier) in shards.done:
            continue  # this commit already rewrote the shard (it is being finished again)
        stored = shards.get(identifier)
        key = (deltas.get(identifier) or removals[identifier])[0]
        stats: Optional[NameStats] = row_stats(stored) if stored else None
        if identifier in removals and stats is not None:
            stats = subtract(stats, removals[identifier][1])
        if identifier in deltas:
            stats = combine(stats, deltas[identifier][1]) if stats else deltas[identifier][1]
        if stats is None:
            gone.add(identifier)
        else:
            changed[identifier] = stats_row(key, stats, canonical_id=stored["canonical_id"] if stored else None)

    def current(identifier: str) -> Optional[dict[str, Any]]:
        if identifier in gone:
            return None
        return changed.get(identifier) or shards.get(identifier)

    # A decision reads statistics only (never another key's decision), so one wave is exact: the keys
    # whose statistics changed, and every key whose last decision read one of them.
    touched = set(changed) | gone
    dependents = _dependents(location, touched)
    shards.load_all(identity_shard(identifier) for identifier in dependents)
    edges: set[tuple[str, str]] = set()
    for identifier in sorted(touched | dependents):
        row = current(identifier)
        if row is None:
            continue
        seen: list[str] = []

        def lookup(key: str) -> Optional[NameStats]:
            other = key_identity_id(key)
            seen.append(other)
            found = current(other)
            return row_stats(found) if found else None

        canonical = key_identity_id(canonical_key(row["name_key"], lookup))
        edges.update((other, identifier) for other in seen if other != identifier)
        if canonical != row["canonical_id"]:
            changed[identifier] = {**row, "canonical_id": canonical}
    written = _write_shards(location, run_id, shards, changed, gone)
    _write_dependents(location, run_id, edges)
    return written


def _read_stats(location: Location, paths: Iterable[str]) -> dict[str, tuple[str, NameStats]]:
    """identity id -> (key, stats) summed over the staged files."""
    merged: dict[str, tuple[str, NameStats]] = {}
    for path in paths:
        if not objects.exists(location, path):
            continue  # a commit finished again after its staging was cleaned: nothing left to add
        for row in objects.read_parquet(location, path, schema=ALL_SCHEMAS["identities"]).to_pylist():
            stats = row_stats(row)
            identifier = row["identity_id"]
            merged[identifier] = (row["name_key"], combine(merged[identifier][1], stats) if identifier in merged else stats)
    return merged


def _dependents(location: Location, identifiers: set[str]) -> set[str]:
    """Keys whose last decision read one of ``identifiers``."""
    found: set[str] = set()
    by_shard: dict[str, set[str]] = {}
    for identifier in identifiers:
        by_shard.setdefault(identity_shard(identifier), set()).add(identifier)

    def read_shard(shard: str) -> list[tuple[str, str]]:
        pairs = []
        for path in ds.partition_files(location, "identity_dependents", shard):
            table = objects.read_parquet(location, path, schema=ALL_SCHEMAS["identity_dependents"])
            pairs.extend(zip(table.column("identity_id").to_pylist(), table.column("dependent_id").to_pylist()))
        return pairs

    for shard, pairs in zip(by_shard, objects.in_parallel(read_shard, list(by_shard))):
        found.update(dependent for identity, dependent in pairs if identity in by_shard[shard])
    return found


def _write_shards(location: Location, run_id: str, shards: _Shards, changed: dict, gone: set[str]) -> int:
    changed_by_shard: dict[str, dict[str, dict[str, Any]]] = {}
    for identifier, row in changed.items():
        changed_by_shard.setdefault(identity_shard(identifier), {})[identifier] = row
    gone_by_shard: dict[str, set[str]] = {}
    for identifier in gone:
        gone_by_shard.setdefault(identity_shard(identifier), set()).add(identifier)
    touched = sorted((set(changed_by_shard) | set(gone_by_shard)) - shards.done)

    def write_shard(shard: str) -> int:
        rows = {**shards.load(shard), **changed_by_shard.get(shard, {})}
        for identifier in gone_by_shard.get(shard, ()):
            rows.pop(identifier, None)
        target = f"{ds.partition_path('identities', shard)}/{ds.data_file_name(run_id)}"
        table = pa.Table.from_pylist([rows[key] for key in sorted(rows)], schema=ALL_SCHEMAS["identities"])
        objects.write_parquet(location, target, table, compression=COMPRESSION, durable=False)
        return len(rows)

    written = sum(objects.in_parallel(write_shard, touched))
    objects.sync(location)  # the new shard files are durable before the ones they replace go
    objects.delete_files(location, [path for shard in touched for path in shards.old_files.get(shard, [])])
    return written


def _write_dependents(location: Location, run_id: str, edges: set[tuple[str, str]]) -> None:
    by_shard: dict[str, list[dict[str, str]]] = {}
    for identity, dependent in sorted(edges):
        edge_id = hashlib.sha256(f"{identity}>{dependent}".encode()).hexdigest()[:16]
        by_shard.setdefault(identity_shard(identity), []).append(
            {"edge_id": edge_id, "identity_id": identity, "dependent_id": dependent}
        )

    def write_shard(shard: str) -> None:
        target = f"{ds.partition_path('identity_dependents', shard)}/{ds.data_file_name(run_id)}"
        if objects.exists(location, target):
            return  # this commit, finished again
        # Edges a former run recorded are written again rather than looked up first: a repeated edge
        # only re-decides a key once more, and compaction keeps one copy per edge.
        table = pa.Table.from_pylist(by_shard[shard], schema=ALL_SCHEMAS["identity_dependents"])
        objects.write_parquet(location, target, table, compression=COMPRESSION, durable=False)
        ds.compact_partition(location, "identity_dependents", shard, run_id=run_id)

    objects.in_parallel(write_shard, sorted(by_shard))

"""The identities table kept incrementally: exact whatever the split into runs, and cheap per run."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.identity.names import identity_id, name_key
from pipeline.records import Annotated, Entity, Mention, stable_id
from pipeline.sinks import dataset as ds
from pipeline.storage.location import Location
from tests.factories import NOW, ingest_by_hand, make_article


def _annotated(number: int, *names: tuple[str, str, tuple[str, ...]], body: str = "") -> Annotated:
    """An article whose entities are ``(canonical name, label, mention texts)``."""
    article = make_article(body or f"Story {number}.", url=f"https://x.example/{number}", published_at=NOW + timedelta(days=number))
    entities = []
    offset = 0
    for name, label, texts in names:
        mentions = []
        for text in texts:
            mentions.append(Mention(offset, offset + len(text), text))
            offset += len(text) + 1
        entities.append(Entity(stable_id(article.article_id, label, name), article.article_id, name, label, tuple(mentions)))
    return Annotated(article, tuple(entities), ())


CORPUS = [
    _annotated(1, ("Donald Trump", "PERSON", ("Donald Trump", "Trump"))),
    _annotated(2, ("Trump", "PERSON", ("Trump",)), ("European Union", "ORG", ("European Union", "EU"))),
    _annotated(3, ("Donald Trump", "PERSON", ("Donald Trump", "Trump", "Trump"))),
    _annotated(4, ("Hillary Clinton", "PERSON", ("Hillary Clinton", "Clinton"))),
    _annotated(5, ("Bill Clinton", "PERSON", ("Bill Clinton", "Clinton"))),
    _annotated(6, ("Clinton", "PERSON", ("Clinton",)), ("EU", "ORG", ("EU",))),
]


def _identities(location: Location) -> list[tuple]:
    table = ds.open_table(location, "identities")
    rows = table.to_table().to_pylist() if table else []
    return sorted(
        (row["name_key"], row["canonical_id"], row["article_count"], row["mention_count"], row["name"], row["label"],
         tuple((a["name"], a["count"]) for a in row["aliases"]), row["first_seen"], row["last_seen"])
        for row in rows
    )


def _canonical(location: Location, name: str, label: str = "PERSON") -> str:
    rows = {row["identity_id"]: row for row in ds.open_table(location, "identities").to_table().to_pylist()}
    return rows[rows[identity_id(name_key(name, label))]["canonical_id"]]["name"]


@pytest.fixture
def location(tmp_path: Path) -> Location:
    return ds.prepare_root(Location.parse(str(tmp_path / "data")))


def test_short_forms_join_their_full_form_and_ambiguous_ones_stay_apart(location: Location) -> None:
    ingest_by_hand(location, *CORPUS)
    assert _canonical(location, "Trump") == "Donald Trump"
    assert _canonical(location, "EU", "ORG") == "European Union"
    assert _canonical(location, "Clinton") == "Clinton"  # Bill and Hillary: never merged blindly
    assert _canonical(location, "Hillary Clinton") == "Hillary Clinton"


def test_entity_and_speaker_rows_carry_the_key_id_that_identities_resolve(location: Location) -> None:
    ingest_by_hand(location, *CORPUS)
    entity_ids = set(ds.open_table(location, "entities").to_table(columns=["identity_id"]).column("identity_id").to_pylist())
    identity_ids = set(ds.open_table(location, "identities").to_table(columns=["identity_id"]).column("identity_id").to_pylist())
    assert entity_ids <= identity_ids


@pytest.mark.parametrize("split", [(6,), (1, 1, 1, 1, 1, 1), (2, 3, 1), (1, 5)])
def test_the_same_corpus_in_any_number_of_runs_gives_the_same_identities(tmp_path: Path, split: tuple[int, ...]) -> None:
    whole = ds.prepare_root(Location.parse(str(tmp_path / "whole")))
    ingest_by_hand(whole, *CORPUS)
    parts = ds.prepare_root(Location.parse(str(tmp_path / "parts")))
    start = 0
    for size in split:
        ingest_by_hand(parts, *CORPUS[start:start + size])
        start += size
    assert _identities(parts) == _identities(whole)


def test_the_order_of_the_runs_does_not_matter_either(tmp_path: Path) -> None:
    results = []
    for number, order in enumerate(itertools.islice(itertools.permutations(range(len(CORPUS))), 0, 720, 181)):
        location = ds.prepare_root(Location.parse(str(tmp_path / f"order-{number}")))
        for index in order:
            ingest_by_hand(location, CORPUS[index])
        results.append(_identities(location))
    assert all(result == results[0] for result in results)


def test_a_later_article_that_makes_a_short_form_ambiguous_splits_it_off(location: Location) -> None:
    ingest_by_hand(location, CORPUS[3], CORPUS[5])  # only Hillary so far: "Clinton" is hers
    assert _canonical(location, "Clinton") == "Hillary Clinton"
    ingest_by_hand(location, CORPUS[4], _annotated(7, ("Bill Clinton", "PERSON", ("Bill Clinton", "Clinton"))))
    assert _canonical(location, "Clinton") == "Clinton"


def test_a_replaced_article_takes_its_statistics_back(location: Location, tmp_path: Path) -> None:
    ingest_by_hand(location, *CORPUS)
    edited = _annotated(3, ("Mike Pence", "PERSON", ("Mike Pence", "Pence")), body="Story 3, corrected.")
    ingest_by_hand(location, edited)
    clean = ds.prepare_root(Location.parse(str(tmp_path / "clean")))
    ingest_by_hand(clean, *CORPUS[:2], edited, *CORPUS[3:])
    # Counts, names, labels and decisions are exact; first and last seen are bounds, which a
    # replaced article cannot narrow (docs/identity.md).
    assert [row[:7] for row in _identities(location)] == [row[:7] for row in _identities(clean)]
    assert _canonical(location, "Pence") == "Mike Pence"

"""The identity evaluation: AIDA links onto CoNLL spans, team folding, matching and the scores, on tiny hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.identity import (
    Document,
    GoldMention,
    Matched,
    fold_team,
    load_split,
    main,
    match,
    read_aida,
    score,
)
from pipeline.records import Entity, Mention

TRAIN = """\
-DOCSTART- -X- -X- O

Jane NNP B-NP I-PER
Smith NNP I-NP I-PER
left VBD B-VP O
Paris NNP B-NP I-LOC
. . O O
"""
VALID = """\
-DOCSTART- -X- -X- O

Smith NNP B-NP I-PER
met VBD B-VP O
Japan NNP B-NP I-LOC
's POS B-NP O
German JJ I-NP I-MISC
coach NN I-NP O
Bob NNP B-NP I-PER
Jones NNP I-NP I-PER
in IN B-PP O
Zürich NNP B-NP I-LOC
. . O O
"""
AIDA = (
    "-DOCSTART- (1 PARIS)\n"
    "0\tJane_Smith\thttp://en.wikipedia.org/wiki/Jane_Smith\t1\t/m/1\n"
    "3\tParis\thttp://en.wikipedia.org/wiki/Paris\t2\t/m/2\n"
    "-DOCSTART- (2testa JAPAN)\n"
    "0\tJane_Smith\thttp://en.wikipedia.org/wiki/Jane_Smith\t1\t/m/1\n"
    "2\tJapan_national_football_team\thttp://en.wikipedia.org/wiki/Japan_national_football_team\t3\t/m/3\n"
    "4\tGermany\thttp://en.wikipedia.org/wiki/Germany\t4\t/m/4\n"
    "6\t--NME--\n"
    "9\tZ\\u00fcrich\thttp://en.wikipedia.org/wiki/Z%C3%BCrich\t5\t/m/5\n"
)


@pytest.fixture()
def data(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "train.txt").write_text(TRAIN, encoding="utf-8")
    (tmp_path / "valid.txt").write_text(VALID, encoding="utf-8")
    (tmp_path / "aida.tsv").write_text(AIDA, encoding="utf-8")
    return tmp_path, tmp_path / "aida.tsv"


@pytest.mark.parametrize(("entity", "place"), [
    ("Japan national football team", "Japan"),
    ("United States men's national soccer team", "United States"),
    ("England cricket team", "England"),
    ("Spain Fed Cup team", "Spain"),
    ("Surrey County Cricket Club", "Surrey"),
    ("New York Yankees", "New York Yankees"),  # a club, not a national team: kept
    ("TVM (cycling team)", "TVM (cycling team)"),
])
def test_fold_team(entity, place):
    assert fold_team(entity) == place


def test_read_aida_keeps_nil_as_none_and_unescapes_names(data):
    _, aida = data
    documents = read_aida(aida)
    assert len(documents) == 2
    assert documents[1][3] == (6, None)
    assert documents[1][4] == (9, "Zürich")


@pytest.mark.parametrize(("split", "expected"), [
    ("train", [("Jane Smith", "Jane Smith"), ("Paris", "Paris")]),
    # "German" (MISC) is not scored, "Bob Jones" (NIL) is not linked, the team is folded.
    ("testa", [("Smith", "Jane Smith"), ("Japan", "Japan"), ("Zürich", "Zürich")]),
])
def test_load_split_puts_linked_mentions_on_conll_spans(data, split, expected):
    conll, aida = data
    [document] = load_split(split, conll=conll, aida=aida)
    assert [(document.text[m.start:m.end], m.entity) for m in document.mentions] == expected


def _entity(name: str, *spans: tuple[int, int]) -> Entity:
    return Entity(entity_id=name, article_id="d", name=name, label="PERSON",
                  mentions=tuple(Mention(start, end, name) for start, end in spans))


def test_match_is_one_to_one_largest_overlap_first():
    document = Document("d", "x" * 40, (GoldMention(0, 5, "A"), GoldMention(6, 10, "B"), GoldMention(20, 25, "C")))
    entities = (_entity("long", (0, 10)), _entity("short", (6, 9)))
    assert match(document, entities, lambda entity: entity.name) == [
        Matched("d", "A", "long"),  # 5 characters shared, more than "long" shares with B
        Matched("d", "B", "short"),
    ]


def test_score_counts_only_pairs_from_two_documents():
    matched = [Matched("d1", "A", "x"), Matched("d1", "A", "x"), Matched("d2", "A", "x"), Matched("d2", "B", "x")]
    result = score(matched, gold_mentions=5)
    assert result.coverage == pytest.approx(0.8)
    # System cluster x: 2 + 2 mentions in d1, d2 = 4 cross pairs, 2 of them A-A; gold A has 2 cross pairs.
    assert (result.cross_document.precision, result.cross_document.recall) == pytest.approx((0.5, 1.0))
    # B-cubed: each A sees 3/4 of its cluster right, B 1/4; every gold entity is whole in one cluster.
    assert (result.bcubed.precision, result.bcubed.recall) == pytest.approx((0.625, 1.0))


def test_score_of_a_split_entity_loses_recall_not_precision():
    matched = [Matched("d1", "A", "x"), Matched("d2", "A", "y"), Matched("d3", "A", "x")]
    result = score(matched, gold_mentions=3)
    assert result.cross_document.precision == 1.0
    assert result.cross_document.recall == pytest.approx(1 / 3)


def test_command_prints_json_for_both_systems(data, capsys):
    conll, aida = data
    assert main(["--split", "testa", "--conll", str(conll), "--aida", str(aida), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["documents"] == 1 and set(summary["scores"]) == {"article", "dataset"}
    assert summary["scores"]["dataset"]["gold_mentions"] == 3


def test_command_without_data_exits_2(tmp_path, capsys):
    assert main(["--conll", str(tmp_path), "--aida", str(tmp_path / "none.tsv")]) == 2
    assert "no evaluation data" in capsys.readouterr().err

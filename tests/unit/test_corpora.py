"""Evaluation corpora are found from an argument or $NEWSBEAM_EVAL_DATA, never from a guessed place."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation.corpora import DATA_ROOT_VARIABLE, POLNEAR, EvaluationDataMissing, corpus_path


def test_an_argument_wins_over_the_variable(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(DATA_ROOT_VARIABLE, str(tmp_path / "root"))
    assert corpus_path(POLNEAR, tmp_path / "mine") == tmp_path / "mine"


def test_the_variable_names_the_folder_holding_every_corpus(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(DATA_ROOT_VARIABLE, str(tmp_path))
    assert corpus_path(POLNEAR) == tmp_path / "polnear" / "derived"


def test_without_either_the_error_says_what_to_set(monkeypatch):
    monkeypatch.delenv(DATA_ROOT_VARIABLE, raising=False)
    with pytest.raises(EvaluationDataMissing, match=DATA_ROOT_VARIABLE):
        corpus_path(POLNEAR)


@pytest.mark.parametrize("command", ["eval-quotes", "eval-entities", "eval-identity", "eval-stories"])
def test_an_evaluation_without_data_exits_2_with_one_line(command, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.delenv(DATA_ROOT_VARIABLE, raising=False)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert DATA_ROOT_VARIABLE in err and err.count("\n") == 1

"""The evaluation command end to end on a tiny hand-made corpus (no PolNeAR needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.quotes import main

TEXT = '"We will win," Jane Smith said. Officials said the bridge was old.'


def record(*, primary: bool, attributions: list[dict]) -> dict:
    return {"doc_id": "d1", "split": "dev", "annotator": "a", "primary": primary, "text": TEXT,
            "attributions": attributions}


def attribution(content: tuple[int, int], source: tuple[int, int], *, quoted: bool) -> dict:
    return {
        "id": "E1", "type": "Attribution",
        "source": [{"start": source[0], "end": source[1], "text": TEXT[source[0]:source[1]]}],
        "cue": [],
        "content": [{"start": content[0], "end": content[1], "text": TEXT[content[0]:content[1]]}],
        "content_has_double_quote_marks": quoted,
    }


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    gold = [
        attribution((0, 14), (15, 25), quoted=True),  # "We will win," — Jane Smith
        attribution((46, 65), (32, 41), quoted=False),  # the bridge was old — Officials
    ]
    lines = [record(primary=True, attributions=gold), record(primary=False, attributions=[])]
    (tmp_path / "dev.jsonl").write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    return tmp_path


def test_json_scores_of_a_perfect_article(corpus, capsys):
    assert main(["--data", str(corpus), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["articles"] == 1  # the non-primary record is not scored
    for subset in ("direct+mixed", "all"):
        for threshold in ("0.3", "0.8"):
            assert summary["scores"][subset][threshold]["who_said_what_f1"] == 1.0


def test_table_output(corpus, capsys):
    assert main(["--data", str(corpus), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "direct+mixed" in out and "who-said-what F1" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--split", "train"], "no PolNeAR data"), (["--model", "no_such_model_xyz"], "not installed")],
)
def test_errors_are_one_line_and_exit_2(corpus, capsys, args, message):
    assert main(["--data", str(corpus), *args]) == 2
    assert message in capsys.readouterr().err


def test_the_cli_hands_its_options_to_the_evaluation(corpus, capsys):
    from pipeline.cli import main as cli_main

    assert cli_main(["eval-quotes", "--data", str(corpus), "--split", "dev", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["split"] == "dev"


def test_other_commands_still_reject_unknown_options(capsys):
    from pipeline.cli import main as cli_main

    with pytest.raises(SystemExit) as stopped:
        cli_main(["query", "SELECT 1", "--no-such-option"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err

"""`newsbeam run` and `newsbeam query` end to end, as a user runs them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow.dataset as pads
import pytest

from pipeline.query import run_query
from tests.conftest import run_newsbeam

pytestmark = pytest.mark.slow


def _query(data: Path, sql: str) -> list[dict]:
    result = run_newsbeam("query", "--data", str(data), "--format", "json", sql)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_seed_article_gives_lavrov_and_his_quotes(shared_dir: Path, tmp_path: Path) -> None:
    seed = shared_dir / "seeds" / "tass-lavrov-2024-05-18.txt"
    result = run_newsbeam("run", str(seed), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr

    people = _query(tmp_path / "out", "SELECT name, mention_count FROM entities WHERE label = 'PERSON'")
    lavrov = [row for row in people if "Lavrov" in row["name"]]
    assert lavrov == [{"name": "Sergey Lavrov", "mention_count": lavrov[0]["mention_count"]}]
    assert lavrov[0]["mention_count"] >= 4

    direct = _query(tmp_path / "out", "SELECT speaker, speaker_entity_id FROM quotes WHERE kind = 'direct'")
    assert len(direct) >= 4
    assert {row["speaker"] for row in direct} == {"Sergey Lavrov"}
    article = _query(tmp_path / "out", "SELECT place, source, CAST(date AS VARCHAR) AS day FROM articles")
    assert article == [{"place": "MOSCOW", "source": "TASS", "day": "2024-05-18"}]


def test_an_article_in_another_language_is_stored_without_english_rules(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "de.txt").write_text(
        "Neue Brücke in Köln\n\nDie Ministerin Anna Schmidt sprach am Montag in Köln. "
        '"Wir bauen die Brücke bis Juni wieder auf", sagte Schmidt vor Journalisten im Rathaus.\n', encoding="utf-8")
    (inbox / "en.txt").write_text(
        "Bridge to reopen\n\nMayor Daniel Okafor spoke on Monday. "
        '"We will rebuild the bridge by June," Okafor told reporters at the town hall.\n', encoding="utf-8")
    result = run_newsbeam("run", str(inbox), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "not annotated      de 1" in result.stdout

    rows = _query(tmp_path / "out", """
        SELECT a.language, count(DISTINCT q.quote_id) AS quotes, count(DISTINCT e.entity_id) AS entities
        FROM articles a LEFT JOIN quotes q USING (article_id) LEFT JOIN entities e USING (article_id)
        GROUP BY a.language ORDER BY a.language""")
    assert [row["language"] for row in rows] == ["de", "en"]
    assert (rows[0]["quotes"], rows[0]["entities"]) == (0, 0)
    assert rows[1]["quotes"] >= 1 and rows[1]["entities"] >= 1


def test_two_runs_leave_the_same_rows_and_real_readers_see_the_partitions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_newsbeam("run", "--output", str(out))  # no input: the bundled seeds
    assert first.returncode == 0, first.stderr
    assert "articles read" in first.stdout and "failures" in first.stdout
    counts_sql = (
        "SELECT (SELECT count(*) FROM articles) a, (SELECT count(DISTINCT article_id) FROM articles) ua, "
        "(SELECT count(*) FROM entities) e, (SELECT count(DISTINCT entity_id) FROM entities) ue, "
        "(SELECT count(*) FROM quotes) q, (SELECT count(DISTINCT quote_id) FROM quotes) uq"
    )
    before = _query(out, counts_sql)[0]
    assert before["a"] >= 5 and before["q"] >= 5
    assert (before["a"], before["e"], before["q"]) == (before["ua"], before["ue"], before["uq"])
    # The seeds hold a wire story and another outlet's copy of it (other headline, its own boilerplate,
    # one line cut, one added): two articles of one story, whose shared quotations count once.
    copies = _query(out, "SELECT articles, outlets FROM stories WHERE articles > 1")
    assert copies == [{"articles": 2, "outlets": 2}]
    shared = _query(out, "SELECT count(*) AS n FROM quotations WHERE articles = 2")
    assert shared[0]["n"] >= 3

    second = run_newsbeam("run", "--output", str(out))
    assert second.returncode == 0, second.stderr
    assert _query(out, counts_sql)[0] == before
    assert f"{before['a']} already stored unchanged" in second.stdout

    # The same input cut into bounded pipeline runs (to bound memory) gives the same dataset.
    parts_out = tmp_path / "parts"
    in_parts = run_newsbeam("run", "--output", str(parts_out), "--set", "input.files_per_run=2")
    assert in_parts.returncode == 0, in_parts.stderr
    assert "(4 parts)" in in_parts.stdout
    assert _query(parts_out, counts_sql)[0] == before

    articles = pads.dataset(out / "articles", format="parquet", partitioning="hive").to_table()
    assert "date" in articles.column_names and articles.num_rows == before["a"]
    days = duckdb.sql(
        f"SELECT DISTINCT date FROM read_parquet('{out}/quotes/*/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert days and all(str(day).startswith("20") for (day,) in days)


def test_a_french_article_is_read_with_the_french_rules(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fr.txt").write_text(
        "Le pont de Tours rouvre\n\nLa maire de Tours, Hélène Garnier, a inauguré lundi le pont rénové. "
        "«\u00a0Les habitants ont été patients\u00a0», a-t-elle déclaré devant la presse. "
        "Selon M. Paul Mercier, directeur des travaux, le chantier a coûté douze millions d'euros.\n"
        "« Nous avons tenu les délais », explique M. Mercier.\n", encoding="utf-8")
    result = run_newsbeam("run", str(inbox), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "not annotated" not in result.stdout

    assert _query(tmp_path / "out", "SELECT language FROM articles") == [{"language": "fr"}]
    people = {row["name"] for row in _query(tmp_path / "out", "SELECT name FROM entities WHERE label = 'PERSON'")}
    assert {"Hélène Garnier", "Paul Mercier"} <= people
    quotes = _query(tmp_path / "out", "SELECT kind, text, speaker, cue FROM quotes ORDER BY cue_start")
    assert quotes == [
        {"kind": "direct", "text": "Les habitants ont été patients", "speaker": "Hélène Garnier", "cue": "déclarer"},
        {"kind": "indirect", "text": "le chantier a coûté douze millions d'euros", "speaker": "Paul Mercier",
         "cue": "selon"},
        {"kind": "direct", "text": "Nous avons tenu les délais", "speaker": "Paul Mercier", "cue": "expliquer"},
    ]


def _bad_inputs(folder: Path) -> dict[str, Path]:
    """One file per class of bad input, each with the reason code it must produce."""
    folder.mkdir()
    (folder / "good.txt").write_text('Harbour news\n\n"The ferry runs again," Mayor Ana Lima said on Monday.\n')
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    whole = gzip.compress(("Title: Cut\n\n" + "A sentence about the harbour. " * 400).encode())
    (folder / "cut.txt.gz").write_bytes(whole[: len(whole) // 2])
    (folder / "lines.jsonl").write_text(
        json.dumps({"title": "Fine", "text": "A fine line of news about the port.", "url": "https://x.example/fine"})
        + "\n{not json\n"
        + json.dumps({"title": "No text here", "url": "https://x.example/none"})
        + "\n"
    )
    (folder / "blank.html").write_text("<html><head><title>t</title></head><body><script>var x = 1;</script></body></html>")
    (folder / "broken.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel><<<>>>&&&')
    (folder / "huge.txt").write_text("Title: Huge\n\n" + "word " * 30000)
    return {
        "empty_file": folder / "empty.txt",
        "binary_file": folder / "binary.txt",
        "truncated_gzip": folder / "cut.txt.gz",
        "malformed_json": folder / "lines.jsonl",
        "json_without_text": folder / "lines.jsonl",
        "html_without_text": folder / "blank.html",
        "malformed_feed": folder / "broken.xml",
        "too_large": folder / "huge.txt",
    }


def test_each_bad_input_is_a_failures_row_and_the_rest_lands(tmp_path: Path) -> None:
    expected = _bad_inputs(tmp_path / "in")
    missing = tmp_path / "in" / "does-not-exist.txt"
    out = tmp_path / "out"
    result = run_newsbeam(
        "run", str(tmp_path / "in"), str(missing), "--output", str(out), "--set", "input.max_article_chars=100000",
    )
    # The rest lands; a path named on the command line that does not exist is a failures row too,
    # and exit status 2 with one line, so that a scheduler hears of the typo.
    assert result.returncode == 2, result.stderr
    assert f"could not open {str(missing)!r}" in result.stderr and "Traceback" not in result.stderr
    failures = _query(out, "SELECT reason, origin FROM failures")
    found = {(row["reason"], row["origin"]) for row in failures}
    for reason, path in expected.items():
        assert (reason, str(path)) in found, f"no {reason} row for {path.name}: {sorted(found)}"
    assert ("unreadable_path", str(missing)) in found
    titles = {row["title"] for row in _query(out, "SELECT title FROM articles")}
    assert {"Harbour news", "Fine"} <= titles
    assert "failures" in result.stdout and "truncated_gzip" in result.stdout

    # Bad documents inside a readable input are data: exit 0.
    again = run_newsbeam("run", str(tmp_path / "in"), "--output", str(tmp_path / "out2"),
                         "--set", "input.max_article_chars=100000")
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "nlp.batch_size=zero"], "nlp.batch_size"),
        (["--config", "/nonexistent/config.yaml"], "cannot read config"),
        (["--set", "nlp.pipelines.en=no_such_model"], "spaCy model 'no_such_model' is not installed"),
    ],
)
def test_a_job_that_cannot_run_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_newsbeam("run", "--output", str(tmp_path / "out"), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unwritable_output_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_newsbeam("run", "--output", str(blocker / "out"))
    assert result.returncode == 2
    assert "cannot write the dataset" in result.stderr and "Traceback" not in result.stderr


def test_compact_merges_small_files_and_readers_see_the_same_rows(tmp_path: Path) -> None:
    from pipeline.sinks.dataset import prepare_root
    from pipeline.storage.location import Location
    from tests.factories import annotate_by_hand, ingest_by_hand, make_article

    out = tmp_path / "data"
    location = prepare_root(Location.parse(str(out)))
    for number in range(3):
        ingest_by_hand(location, annotate_by_hand(make_article(f'Ana Lima said: "Part {number}."', url=f"https://x.example/{number}"),
                                                   quote=f"Part {number}."))
    before = sorted(row[0] for row in run_query(out, "SELECT quote_id FROM quotes")[1])
    assert len(list((out / "quotes" / "date=2026-03-02").glob("*.parquet"))) == 3
    result = run_newsbeam("compact", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "small file(s) merged" in result.stdout
    assert len(list((out / "quotes" / "date=2026-03-02").glob("*.parquet"))) == 1
    assert sorted(row[0] for row in run_query(out, "SELECT quote_id FROM quotes")[1]) == before


def test_an_edited_file_without_url_replaces_its_article(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    story = folder / "harbour-2026-03-02.txt"
    story.write_text('Harbour plan\n\nMayor Dana Whitfield spoke. "We open the bridge soon," Whitfield said.\n', encoding="utf-8")
    out = tmp_path / "out"
    assert run_newsbeam("run", str(folder), "--output", str(out), "--quiet").returncode == 0

    story.write_text('Harbour plan\n\nMayor Dana Whitfield spoke. "We close the bridge instead," Whitfield said.\n', encoding="utf-8")
    edited = run_newsbeam("run", str(folder), "--output", str(out), "--quiet")
    assert edited.returncode == 0, edited.stderr
    assert "1 changed" in edited.stdout
    assert _query(out, "SELECT count(*) AS n FROM articles") == [{"n": 1}]
    assert _query(out, "SELECT text FROM quotes") == [{"text": "We close the bridge instead,"}]


def test_a_folder_can_name_its_source_and_date_undated_files_by_their_modification(tmp_path: Path) -> None:
    import os
    from datetime import datetime, timezone

    folder = tmp_path / "gazette"
    folder.mkdir()
    story = folder / "council.txt"
    story.write_text('Council meets\n\nMayor Dana Whitfield spoke. "We open the bridge soon," Whitfield said.\n', encoding="utf-8")
    modified = datetime(2021, 7, 4, 9, 0, tzinfo=timezone.utc).timestamp()
    os.utime(story, (modified, modified))
    out = tmp_path / "out"
    result = run_newsbeam("run", str(folder), "--output", str(out), "--source", "Harbour Gazette",
                          "--set", "input.undated=modified", "--quiet")
    assert result.returncode == 0, result.stderr
    rows = _query(out, "SELECT source, date_source, CAST(date AS VARCHAR) AS day, published_at IS NULL AS undated FROM articles")
    assert rows == [{"source": "Harbour Gazette", "date_source": "modified", "day": "2021-07-04", "undated": True}]

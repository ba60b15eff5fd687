"""pipeline/report.py on small datasets written by hand (no pipeline run): what the page holds."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from pipeline.query import QueryError, connect
from pipeline.report import charts, collect, write_report
from pipeline.sinks.dataset import prepare_root
from pipeline.storage.location import Location
from tests.factories import annotate_by_hand, ingest_by_hand, make_article

MARKUP_NAME = "Ana <b>Lima</b>"


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    """Two articles quoting one speaker whose name holds markup, and one quoting someone else."""
    root = tmp_path / "data"
    location = prepare_root(Location.parse(str(root)))
    bodies = [(MARKUP_NAME, f'{MARKUP_NAME} said: "One </script> & two."'), (MARKUP_NAME, f'{MARKUP_NAME} said: "Three."'),
              ("Rui Costa", 'Rui Costa said: "Four."')]
    for index, (speaker, body) in enumerate(bodies):
        quote = body[body.index('"') + 1: -1]
        ingest_by_hand(location, annotate_by_hand(make_article(body, url=f"https://x.example/{index}"), speaker=speaker, quote=quote))
    return root


def test_the_report_counts_by_identity_and_escapes_every_text_from_the_data(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    report = write_report(dataset, out)
    assert report.totals == {"articles": 3, "quotes": 3, "speakers": 2, "entities": 2, "failures": 0}
    text = out.read_text(encoding="utf-8")
    page = lxml.html.fromstring(text)

    rows = page.get_element_by_id("speakers").xpath("./tbody/tr")
    cells = [[cell.text_content().strip() for cell in row.xpath("./td")][:5] for row in rows]
    assert cells == [[MARKUP_NAME, "PERSON", "2", "2", "0"], ["Rui Costa", "PERSON", "1", "1", "0"]]
    assert sorted(q.text_content() for q in rows[0].xpath(".//q")) == ["One </script> & two.", "Three."]
    # as text, never as markup: not in the tables, not in the charts' JSON either
    assert "<b>Lima</b>" not in text and "One </script>" not in text
    assert "Ana &lt;b&gt;Lima&lt;/b&gt;" in text
    assert not page.xpath("//b[not(@data-total)]")
    assert len(page.xpath("//script")) == 1 + len(charts(report))  # the quote's </script> closed nothing


def test_a_speaker_quoted_in_two_articles_is_not_quoted_together_with_themselves(dataset: Path) -> None:
    report = collect(connect(dataset), data=str(dataset))
    assert report.together.rows == []  # the two speakers never share an article
    assert [row[1] for row in report.speakers.rows] == [MARKUP_NAME, "Rui Costa"]


def test_an_empty_dataset_gives_a_page_without_charts(tmp_path: Path) -> None:
    prepare_root(Location.parse(str(tmp_path / "empty")))
    out = tmp_path / "report.html"
    report = write_report(tmp_path / "empty", out)
    assert set(report.totals.values()) == {0} and charts(report) == []
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert not page.xpath("//div[contains(@class, 'plotly-graph-div')]")
    assert "None in this dataset." in page.text_content()


def test_a_backwards_window_and_a_missing_dataset_are_errors(dataset: Path, tmp_path: Path) -> None:
    from datetime import date

    with pytest.raises(QueryError, match="after --until"):
        write_report(dataset, tmp_path / "r.html", since=date(2026, 3, 5), until=date(2026, 3, 1))
    with pytest.raises(QueryError, match="no dataset"):
        write_report(tmp_path / "nowhere", tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()

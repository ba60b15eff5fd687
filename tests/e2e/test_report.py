"""`newsbeam report` end to end: a dataset made by `newsbeam run` on the repo's seeds (and one article
full of markup, and two bad files), the report rendered by the CLI, its tables checked against the
Parquet files read back by pyarrow and a DuckDB of the test's own, and the page drawn by headless
Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import lxml.html
import pyarrow.dataset as ds
import pytest

from pipeline.query import run_query
from pipeline.report import QUOTES_PER_SPEAKER, TOP
from tests.conftest import REPO_ROOT, run_newsbeam

pytestmark = pytest.mark.slow

# Text a browser would take for markup if the report did not escape it.
MARKUP_ARTICLE = """Title: Bridge <script>alert("title")</script> & "tolls" vote
Date: 2026-03-04
Source: The <i>Escaped</i> & Co Times
Author: Rui Costa

LISBON, March 4 - The city council voted on Tuesday to scrap the bridge tolls from May.
"We will open the <b>new</b> bridge & the old road to everyone, free of charge," mayor Ana Lima told reporters.
Opposition leader Tomas Vieira said the plan was "a promise <img src=x onerror=alert(1)> nobody can pay for".
"""
MARKUP_SOURCE = "The <i>Escaped</i> & Co Times"
CHARTS = ("chart-per-day", "chart-speakers", "chart-entities", "chart-sources", "chart-failures")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    extra = root / "extra"
    extra.mkdir()
    (extra / "markup-2026-03-04.txt").write_text(MARKUP_ARTICLE, encoding="utf-8")
    (extra / "empty.txt").write_text("")  # empty_file
    (extra / "broken.json").write_text('{"title": "broken')  # malformed_json
    done = run_newsbeam("run", str(REPO_ROOT / "seeds"), str(extra), "--output", str(root / "data"), "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "data"


def _report(dataset: Path, out: Path, *args: str) -> Path:
    done = run_newsbeam("report", "--data", str(dataset), "--out", str(out), *args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"-> {out}" in done.stdout
    return out


@pytest.fixture(scope="module")
def report(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _report(dataset, tmp_path_factory.mktemp("out") / "report.html")


def _page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def _cells(page: lxml.html.HtmlElement, table_id: str) -> list[list[str]]:
    """The text of each body cell of one table, as a browser shows it (entities decoded)."""
    return [[cell.text_content().strip() for cell in row.xpath("./td")] for row in page.get_element_by_id(table_id).xpath("./tbody/tr")]


def _table(dataset: Path, name: str):
    return ds.dataset(dataset / name, partitioning="hive", format="parquet").to_table()


def _shown(value) -> str:
    return "(none)" if value is None else str(value)


def test_the_report_tables_match_sql_and_pyarrow_over_the_same_parquet(dataset: Path, report: Path) -> None:
    page = _page(report)
    articles, quotes, failures, identities = (_table(dataset, name).to_pylist() for name in ("articles", "quotes", "failures", "identities"))

    totals = {element.get("data-total"): int(element.text_content()) for element in page.xpath("//*[@data-total]")}
    assert totals["articles"] == len(articles) == 12  # the seeds (the French one and a wire copy included) and the markup article
    assert totals["quotes"] == len(quotes) and totals["failures"] == len(failures) == 2

    # per day: a DuckDB of the test's own over the files, not the report's views
    files = lambda table: str(dataset / table / "date=*" / "*.parquet")  # noqa: E731
    per_day = duckdb.sql(f"""
        SELECT day::VARCHAR, sum(a)::INT, sum(q)::INT FROM (
            SELECT date AS day, 1 AS a, 0 AS q FROM read_parquet('{files("articles")}', hive_partitioning = true)
            UNION ALL SELECT date, 0, 1 FROM read_parquet('{files("quotes")}', hive_partitioning = true))
        GROUP BY day ORDER BY day""").fetchall()
    assert _cells(page, "per-day") == [[day, str(a), str(q)] for day, a, q in per_day]

    # the most quoted, by identity, as the speakers view counts them
    _, speakers = run_query(dataset, "SELECT speaker, label, quotes, articles, outlets FROM speakers")
    shown = [row[:5] for row in _cells(page, "speakers")]
    assert len(shown) == min(TOP, len(speakers)) and shown
    assert {tuple(row) for row in shown} <= {tuple(_shown(value) for value in row) for row in speakers}
    counts = [int(row[2]) for row in shown]
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] >= max([quotes for speaker, _, quotes, _, _ in speakers if speaker not in {row[0] for row in shown}], default=0)

    # each speaker's top quotations are theirs, as many as they have up to QUOTES_PER_SPEAKER
    _, said = run_query(dataset, "SELECT speaker, text FROM speaker_quotes")
    by_speaker = {row[0]: [] for row in said}
    for speaker, text in said:
        by_speaker[speaker].append(text)
    for row in page.get_element_by_id("speakers").xpath("./tbody/tr"):
        speaker = row.xpath("./td")[0].text_content()
        listed = [quotation.text_content() for quotation in row.xpath(".//q")]
        assert len(listed) == min(QUOTES_PER_SPEAKER, len(by_speaker[speaker]))
        assert set(listed) <= set(by_speaker[speaker])

    # the most mentioned, as the people view counts them
    _, people = run_query(dataset, "SELECT name, label, articles, mentions FROM people")
    mentioned = _cells(page, "entities")
    assert len(mentioned) == min(TOP, len(people))
    assert {tuple(row) for row in mentioned} <= {tuple(_shown(value) for value in row) for row in people}
    assert [int(row[3]) for row in mentioned] == sorted((int(row[3]) for row in mentioned), reverse=True)

    # quoted together, recomputed from the rows: speech quotes, speakers grouped by canonical identity
    canonical = {row["identity_id"]: row["canonical_id"] for row in identities}
    name = {row["identity_id"]: row["name"] for row in identities}
    in_article: dict[str, set[str]] = {}
    for quote in quotes:
        if quote["speaker_identity_id"] and (quote["cue_class"] or "speech") == "speech":
            in_article.setdefault(quote["article_id"], set()).add(canonical[quote["speaker_identity_id"]])
    pairs = Counter(frozenset(name[a] for a in (first, second))
                    for ids in in_article.values() for first in ids for second in ids if first < second)
    together = {(frozenset(row[:2]), int(row[2])) for row in _cells(page, "together")}
    assert together == {(pair, count) for pair, count in pairs.items()}
    assert (frozenset({"Ana Lima", "Tomas Vieira"}), 1) in together

    # sources and failures, counted from the rows
    quotes_per_article = Counter(quote["article_id"] for quote in quotes)
    sources = Counter(_shown(article["source"]) for article in articles)
    source_quotes = Counter()
    for article in articles:
        source_quotes[_shown(article["source"])] += quotes_per_article[article["article_id"]]
    assert sorted(_cells(page, "sources")) == sorted([source, str(n), str(source_quotes[source])] for source, n in sources.items())
    assert sorted(row[:2] for row in _cells(page, "failures")) == [["empty_file", "1"], ["malformed_json", "1"]]


def test_text_from_the_data_is_escaped_and_the_page_needs_no_network(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    page = _page(report)
    # the markup in the data is text on the page, never elements
    for raw in ("<i>Escaped</i>", '<script>alert("title")', "<img src=x", "<b>new</b>"):
        assert raw not in text
    assert "The &lt;i&gt;Escaped&lt;/i&gt; &amp; Co Times" in text
    assert not page.xpath("//i | //img | //b[not(@data-total)]")
    assert [MARKUP_SOURCE, "1", "3"] in _cells(page, "sources")
    quotations = [element.text_content() for element in page.xpath("//q")]
    assert "We will open the <b>new</b> bridge & the old road to everyone, free of charge," in quotations
    # offline: nothing is loaded from anywhere; plotly.js is inline, once
    assert not page.xpath("//*[@src] | //link")
    assert text.count("* plotly.js v") == 1
    scripts = page.xpath("//script")
    assert len(scripts) == 1 + len(CHARTS)  # plotly.js, then one newPlot per chart
    assert [div.get("id") for div in page.xpath("//div[contains(@class, 'plotly-graph-div')]")] == list(CHARTS)


def test_since_and_until_narrow_the_report_to_those_days(dataset: Path, tmp_path: Path) -> None:
    out = _report(dataset, tmp_path / "window.html", "--since", "2026-03-02", "--until", "2026-03-04")
    page = _page(out)
    days = [row[0] for row in _cells(page, "per-day")]
    assert days == ["2026-03-02", "2026-03-03", "2026-03-04"]
    in_window = [row for row in _table(dataset, "articles").to_pylist() if "2026-03-02" <= str(row["date"]) <= "2026-03-04"]
    totals = {element.get("data-total"): int(element.text_content()) for element in page.xpath("//*[@data-total]")}
    assert totals["articles"] == len(in_window) == 5  # the wire copy of the ferry story is dated 2026-03-02 too
    assert totals["failures"] == 0  # the failures are dated the day they were recorded, not in March
    assert "days 2026-03-02 to 2026-03-04" in page.text_content()

    done = run_newsbeam("report", "--data", str(dataset), "--out", str(tmp_path / "bad.html"), "--since", "2026-03-05", "--until", "2026-03-01")
    assert done.returncode == 2 and "after --until" in done.stderr and not (tmp_path / "bad.html").exists()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium's own connections fail on this closed network.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")


@pytest.fixture(scope="module")
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail(f"chromium not found at {CHROMIUM}: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install -y --no-install-recommends chromium); CI installs it and runs this test")
    return CHROMIUM


def _chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_headless_chromium_draws_every_chart(report: Path, chromium: str, tmp_path: Path) -> None:
    from PIL import Image

    url = report.resolve().as_uri()
    dom = _chromium(chromium, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", url).stdout
    drawn = lxml.html.fromstring(dom)
    tables = {"chart-per-day": 2 * len(_cells(drawn, "per-day")), "chart-speakers": len(_cells(drawn, "speakers")),
              "chart-entities": len(_cells(drawn, "entities")), "chart-sources": len(_cells(drawn, "sources")),
              "chart-failures": len(_cells(drawn, "failures"))}
    for chart_id in CHARTS:
        div = drawn.get_element_by_id(chart_id)
        assert div.xpath(".//*[local-name()='svg' and contains(concat(' ', @class, ' '), ' main-svg ')]"), chart_id
        # one bar per row of the chart's table (the per-day chart has two per day: articles, quotes)
        bars = div.xpath(".//*[local-name()='g' and contains(concat(' ', @class, ' '), ' point ')]")
        assert len(bars) == tables[chart_id], chart_id
    # an escaped label is drawn as the text it is
    labels = ["".join(text.itertext()) for text in drawn.get_element_by_id("chart-sources").xpath(".//*[local-name()='text']")]
    assert MARKUP_SOURCE in labels

    screenshot = tmp_path / "report.png"
    _chromium(chromium, tmp_path / "profile", "--virtual-time-budget=5000", f"--screenshot={screenshot}", "--window-size=1200,2000", url)
    image = Image.open(screenshot).convert("RGB")
    assert image.size == (1200, 2000)
    colours = image.getcolors(maxcolors=1 << 20) or []
    inked = sum(count for count, colour in colours if colour != (255, 255, 255))
    assert len(colours) > 50 and inked > 0.05 * image.size[0] * image.size[1]  # text and bars, not a blank page

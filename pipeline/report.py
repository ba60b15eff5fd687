"""`newsbeam report`: one self-contained HTML file that summarises a dataset, offline.

The numbers are DuckDB SQL over :func:`pipeline.query.connect`'s read-only views (the ``speakers``,
``speaker_quotes`` and ``people`` views answer "who" by identity, so "Trump" and "Donald Trump" are
one row when the dataset says so). The charts are plotly figures; plotly.js is embedded inline once,
so the file opens with no network. The page is a Jinja2 template with autoescaping on: every text
that comes from the data (names, quotations, titles, sources, failure details) is HTML-escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from pipeline import __version__
from pipeline.query import QueryError, connect

TOP = 15  # rows in each "most ..." table and chart
QUOTES_PER_SPEAKER = 3


@dataclass(frozen=True)
class Table:
    """One table of the report: its column headings and its rows, as the SQL returned them."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows, computed once from the dataset."""

    data: str
    since: date | None
    until: date | None
    totals: dict[str, int]
    per_day: Table  # day, articles, quotes
    speakers: Table  # identity_id, speaker, label, quotes, articles, outlets
    quotations: dict[str, list[tuple[Any, ...]]]  # identity_id -> [(text, kind, day, title, source)]
    entities: Table  # name, label, articles, mentions
    together: Table  # speaker, speaker, articles
    sources: Table  # source, articles, quotes
    failures: Table  # reason, failures, example origin
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


# The report's SQL, over the views of pipeline/query.py. A day is the `date` partition: the
# publication date, else the ingestion date (docs/dataset.md).
TOTALS_SQL = """
    SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM quotes), (SELECT count(*) FROM speakers),
           (SELECT count(*) FROM people), (SELECT count(*) FROM failures)
"""
PER_DAY_SQL = """
    WITH a AS (SELECT date, count(*) AS n FROM articles GROUP BY date),
         q AS (SELECT date, count(*) AS n FROM quotes GROUP BY date)
    SELECT coalesce(a.date, q.date) AS day, coalesce(a.n, 0) AS articles, coalesce(q.n, 0) AS quotes
    FROM a FULL JOIN q ON a.date = q.date
    WHERE coalesce(a.date, q.date) IS NOT NULL
    ORDER BY day
"""
SPEAKERS_SQL = """
    SELECT identity_id, speaker, label, quotes, articles, outlets
    FROM speakers ORDER BY quotes DESC, articles DESC, speaker LIMIT ?
"""
# Each speaker's quotations worth reading first: direct words before paraphrase, then the surest,
# then the longest.
QUOTATIONS_SQL = """
    SELECT identity_id, text, kind, day, title, source FROM (
        SELECT s.identity_id, s.text, s.kind, s.date AS day, a.title, a.source,
               row_number() OVER (PARTITION BY s.identity_id
                                  ORDER BY s.kind = 'direct' DESC, s.confidence DESC NULLS LAST,
                                           length(s.text) DESC, s.quote_id) AS rank
        FROM speaker_quotes s LEFT JOIN articles a ON a.article_id = s.article_id
        WHERE list_contains(?::VARCHAR[], s.identity_id)
    ) WHERE rank <= ? ORDER BY identity_id, rank
"""
ENTITIES_SQL = """
    SELECT name, label, articles, mentions FROM people
    ORDER BY mentions DESC, articles DESC, name LIMIT ?
"""
# Two speakers are quoted together when both are quoted in one article.
TOGETHER_SQL = """
    WITH quoted AS (SELECT DISTINCT article_id, identity_id, speaker FROM speaker_quotes)
    SELECT a.speaker, b.speaker, count(*) AS articles
    FROM quoted a JOIN quoted b ON a.article_id = b.article_id AND a.identity_id < b.identity_id
    GROUP BY a.identity_id, b.identity_id, a.speaker, b.speaker
    ORDER BY articles DESC, least(a.speaker, b.speaker), greatest(a.speaker, b.speaker) LIMIT ?
"""
SOURCES_SQL = """
    WITH q AS (SELECT article_id, count(*) AS n FROM quotes GROUP BY article_id)
    SELECT a.source, count(*) AS articles, coalesce(sum(q.n), 0)::BIGINT AS quotes
    FROM articles a LEFT JOIN q ON q.article_id = a.article_id
    GROUP BY a.source ORDER BY articles DESC, quotes DESC, a.source NULLS LAST
"""
FAILURES_SQL = """
    SELECT reason, count(*) AS failures, min(origin) AS example
    FROM failures GROUP BY reason ORDER BY failures DESC, reason
"""


def collect(connection: duckdb.DuckDBPyConnection, *, data: str, since: date | None = None, until: date | None = None,
            top: int = TOP, quotes_per_speaker: int = QUOTES_PER_SPEAKER) -> ReportData:
    """Run the report's SQL over ``connection`` (a :func:`pipeline.query.connect` connection)."""
    def table(sql: str, columns: tuple[str, ...], *parameters: Any) -> Table:
        return Table(columns, connection.execute(sql, list(parameters)).fetchall())

    try:
        articles, quotes, speakers, people, failures = connection.execute(TOTALS_SQL).fetchone()
        speakers_table = table(SPEAKERS_SQL, ("identity_id", "speaker", "label", "quotes", "articles", "outlets"), top)
        quotations: dict[str, list[tuple[Any, ...]]] = {}
        ids = [row[0] for row in speakers_table.rows]
        for identity_id, *quotation in connection.execute(QUOTATIONS_SQL, [ids, quotes_per_speaker]).fetchall():
            quotations.setdefault(identity_id, []).append(tuple(quotation))
        return ReportData(
            data=data, since=since, until=until,
            totals={"articles": articles, "quotes": quotes, "speakers": speakers, "entities": people, "failures": failures},
            per_day=table(PER_DAY_SQL, ("day", "articles", "quotes")),
            speakers=speakers_table,
            quotations=quotations,
            entities=table(ENTITIES_SQL, ("name", "label", "articles", "mentions"), top),
            together=table(TOGETHER_SQL, ("speaker", "quoted with", "articles"), top),
            sources=table(SOURCES_SQL, ("source", "articles", "quotes")),
            failures=table(FAILURES_SQL, ("reason", "failures", "example")),
        )
    except duckdb.Error as error:  # a dataset too old for a view the report reads
        raise QueryError(str(error).splitlines()[0]) from None


@dataclass(frozen=True)
class Chart:
    """One plotly chart: the id of its div and the HTML plotly writes for it (div and script)."""

    chart_id: str
    title: str
    html: Markup


def charts(report: ReportData) -> list[Chart]:
    """The report's charts, each drawn from one of its tables; a table with no rows has no chart."""
    figures: list[tuple[str, str, go.Figure | None]] = [
        ("chart-per-day", "Articles and quotes per day", _per_day_figure(report.per_day)),
        ("chart-speakers", "Most quoted", _bar_figure(report.speakers, label=1, value=3, name="quotes")),
        ("chart-entities", "Most mentioned", _bar_figure(report.entities, label=0, value=3, name="mentions")),
        ("chart-sources", "Articles by source", _bar_figure(report.sources, label=0, value=1, name="articles")),
        ("chart-failures", "Failures by reason", _bar_figure(report.failures, label=0, value=1, name="failures")),
    ]
    return [Chart(chart_id, title, _figure_html(figure, chart_id)) for chart_id, title, figure in figures if figure is not None]


def _per_day_figure(table: Table) -> go.Figure | None:
    if not table.rows:
        return None
    days = [row[0].isoformat() for row in table.rows]
    figure = go.Figure([go.Bar(name="articles", x=days, y=[row[1] for row in table.rows]),
                        go.Bar(name="quotes", x=days, y=[row[2] for row in table.rows])])
    figure.update_layout(barmode="group", xaxis={"type": "date"}, yaxis=_count_axis(row[1:] for row in table.rows), height=360)
    return figure


def _bar_figure(table: Table, *, label: int, value: int, name: str) -> go.Figure | None:
    """A horizontal bar chart, largest on top."""
    if not table.rows:
        return None
    rows = list(reversed(table.rows))
    # plotly.js reads tags such as <b> and <a> in labels: escaped, a name is shown as written
    labels = [_chart_text(row[label]) for row in rows]
    figure = go.Figure(go.Bar(name=name, orientation="h", x=[row[value] for row in rows], y=labels))
    figure.update_layout(height=max(240, 28 * len(rows) + 100), yaxis={"type": "category", "automargin": True},
                         xaxis=_count_axis([row[value]] for row in rows))
    return figure


def _count_axis(values: Any) -> dict[str, Any]:
    """An axis of counts: whole-number ticks (plotly would mark 0.5 on an axis up to 3)."""
    largest = max((value or 0 for row in values for value in row), default=0)
    return {"rangemode": "tozero", **({"dtick": 1} if largest <= 10 else {"tickformat": ",d"})}


def _chart_text(value: Any) -> str:
    return html.escape("(none)" if value is None else str(value), quote=False)


def _figure_html(figure: go.Figure, chart_id: str) -> Markup:
    figure.update_layout(margin={"t": 20, "r": 20}, template="plotly_white", showlegend=len(figure.data) > 1)
    # plotly.js is in the page once (the template's head); plotly escapes <, > and / in the JSON it
    # writes into the script, so no text from the data can close it.
    return Markup(pio.to_html(figure, include_plotlyjs=False, full_html=False, div_id=chart_id, validate=True,
                              config={"displaylogo": False, "responsive": True}))


def render(report: ReportData) -> str:
    """The whole page: template, tables, charts and plotly.js inline."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = environment.from_string(resources.files("pipeline").joinpath("templates", "report.html.j2").read_text(encoding="utf-8"))
    return template.render(report=report, charts=charts(report), plotly_js=Markup(get_plotlyjs()), version=__version__)


def write_report(data: str | Path, out: str | Path, *, since: date | None = None, until: date | None = None,
                 storage_options: dict[str, Any] | None = None) -> ReportData:
    """Render the report of ``data`` (a folder or bucket prefix) between ``since`` and ``until``
    (``date`` partitions, both included) into the file ``out``."""
    if since and until and since > until:
        raise QueryError(f"--since {since} is after --until {until}")
    connection = connect(data, storage_options=storage_options, since=since, until=until)
    try:
        report = collect(connection, data=str(data), since=since, until=until)
    finally:
        connection.close()
    try:
        Path(out).write_text(render(report), encoding="utf-8")
    except OSError as error:
        raise QueryError(f"cannot write {out}: {error.strerror or error}") from None
    return report

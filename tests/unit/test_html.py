from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.failures import Reason
from pipeline.parse.html import html_to_text, parse_html
from pipeline.parse.provenance import Provenance
from pipeline.records import Article, Failure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def test_page_main_text_and_metadata() -> None:
    article = parse_html((FIXTURES / "page.html").read_text(encoding="utf-8"), Provenance(origin="page.html", ingested_at=NOW))
    assert isinstance(article, Article), article
    assert article.title == "Bridge to close for repairs"
    assert article.body.startswith("The old town bridge will close")
    assert "Home" not in article.body and "Copyright" not in article.body
    assert article.canonical_url == "https://example.com/news/bridge"
    assert article.url == "https://example.com/news/bridge/"  # the page's rel=canonical, as trafilatura reads it
    assert (article.source, article.authors, article.language) == ("Example Gazette", ("Ann Lee",), "en-gb")
    assert article.published_at == datetime(2024, 5, 18, 7, tzinfo=timezone.utc)


@pytest.mark.parametrize("html", [(FIXTURES / "no-text.html").read_text(encoding="utf-8"), "", "<html></html>"])
def test_page_without_text_is_a_failure(html: str) -> None:
    result = parse_html(html, Provenance(origin="x.html", ingested_at=NOW))
    assert isinstance(result, Failure) and result.reason == Reason.HTML_WITHOUT_TEXT


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>Hello <b>world</b> &amp; co</p><p>Second<br>line</p>", "Hello world & co\nSecond\nline"),
        ("<script>track()</script><style>p{}</style><!-- c --><p>Kept</p>", "Kept"),
        ("<ul><li>a</li><li>b</li></ul>tail", "a\nb\ntail"),
        ("plain &lt;text&gt;", "plain <text>"),
        ("", ""),
    ],
)
def test_html_fragments_to_text(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text

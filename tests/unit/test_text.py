from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.failures import Reason
from pipeline.parse.provenance import Provenance
from pipeline.parse.text import find_dateline, parse_text
from pipeline.records import Article, Failure

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def _parse_file(path: Path) -> Article:
    if not path.exists():
        pytest.skip(f"{path} not present")
    article = parse_text(path.read_text(encoding="utf-8"), Provenance(origin=str(path), ingested_at=NOW))
    assert isinstance(article, Article), article
    return article


def test_tass_seed_has_place_source_and_date_from_the_file_name() -> None:
    article = _parse_file(SHARED / "seeds" / "tass-lavrov-2024-05-18.txt")
    assert (article.place, article.source) == ("MOSCOW", "TASS")
    assert article.published_at == datetime(2024, 5, 18, tzinfo=timezone.utc)
    assert article.title is None
    assert article.body.startswith("MOSCOW, May 18. /TASS/. Russia remains open")  # the dateline stays


def test_bbc_headline_is_the_title_and_the_rest_the_body() -> None:
    article = _parse_file(SHARED / "eval" / "bbc-news" / "bbc" / "politics" / "001.txt")
    assert article.title == "Labour plans maternity pay rise"
    assert article.body.startswith("Maternity pay for new mothers")


def test_title_line_followed_by_a_blank_line() -> None:
    article = _parse_file(FIXTURES / "bbc-style.txt")
    assert article.title == "Council approves new riverside park"
    assert article.body.startswith("The city council approved")
    assert article.body.endswith("she told reporters.")


def test_markdown_heading_and_agency_dateline_with_year_from_name() -> None:
    article = _parse_file(FIXTURES / "wire-2023-11-02.md")
    assert article.title == "Talks resume in Geneva"
    assert (article.place, article.source) == ("GENEVA", "Reuters")
    assert article.published_at == datetime(2023, 11, 2, tzinfo=timezone.utc)
    assert article.body.startswith("GENEVA, Nov. 2 (Reuters) - Negotiators")


def test_header_block_fields() -> None:
    article = _parse_file(FIXTURES / "headers.txt")
    assert article.title == "Harbour reopens after storm"
    assert article.canonical_url == "https://news.example.com/harbour"
    assert article.url == "https://News.Example.com/harbour/?utm_source=feed"  # as written in the header
    assert article.source == "Example Gazette"
    assert article.authors == ("Ann Lee", "Bo Chen")
    assert article.language == "en"
    assert article.published_at == datetime(2024, 3, 5, 7, 30, tzinfo=timezone.utc)
    assert article.body == "The harbour reopened on Tuesday after a week of storms, officials said."


@pytest.mark.parametrize(
    ("opening", "place", "month_day", "year", "source"),
    [
        ("MOSCOW, May 18. /TASS/. Russia said", "MOSCOW", "May 18", None, "TASS"),
        ("WASHINGTON (Reuters) - The U.S. said", "WASHINGTON", None, None, "Reuters"),
        ("LONDON, May 18 (AP) — Britain said", "LONDON", "May 18", None, "AP"),
        ("ST. PETERSBURG, Sept. 3, 2023 (AFP) - x", "ST. PETERSBURG", "Sept. 3", 2023, "AFP"),
        ("PARIS — France said", "PARIS", None, None, None),
        ("NEW YORK -- Stocks rose", "NEW YORK", None, None, None),
    ],
)
def test_datelines(opening: str, place: str, month_day: str | None, year: int | None, source: str | None) -> None:
    dateline = find_dateline(opening)
    assert dateline is not None
    assert (dateline.place, dateline.month_day, dateline.year, dateline.source) == (place, month_day, year, source)


@pytest.mark.parametrize("opening", ["The end - it was near", "Paris — said someone", "I — went home", "A, May 1. /x"])
def test_ordinary_openings_are_no_datelines(opening: str) -> None:
    assert find_dateline(opening) is None


def test_dateline_without_any_year_leaves_the_date_unknown() -> None:
    article = parse_text("LONDON, May 18 (AP) — Britain said.", Provenance(origin="/in/story.txt", ingested_at=NOW))
    assert isinstance(article, Article)
    assert article.place == "LONDON" and article.published_at is None


def test_date_header_gives_the_dateline_its_year() -> None:
    text = "Date: 2021\n\nLONDON, May 18 (AP) — Britain said."
    article = parse_text(text, Provenance(origin="/in/story.txt", ingested_at=NOW))
    assert article.published_at == datetime(2021, 5, 18, tzinfo=timezone.utc)


def test_windows_line_ends_are_normalised() -> None:
    article = parse_text("Headline\r\n\r\nLine one.\r\nLine two.\r\n", Provenance(origin="o", ingested_at=NOW))
    assert (article.title, article.body) == ("Headline", "Line one.\nLine two.")


def test_single_paragraph_is_body_not_title() -> None:
    article = parse_text("Just one line of news.", Provenance(origin="o", ingested_at=NOW))
    assert (article.title, article.body) == (None, "Just one line of news.")


@pytest.mark.parametrize("text", ["", "   \n\n", "A title only\n\n", "# Heading only\n", "Title: t\nDate: 2024-01-01\n\n"])
def test_no_body_is_a_no_text_failure(text: str) -> None:
    result = parse_text(text, Provenance(origin="o", ingested_at=NOW))
    assert isinstance(result, Failure) and result.reason == Reason.NO_TEXT


def test_one_line_with_a_final_newline_is_body() -> None:
    article = parse_text("One line of news.\n", Provenance(origin="o", ingested_at=NOW))
    assert (article.title, article.body) == (None, "One line of news.")

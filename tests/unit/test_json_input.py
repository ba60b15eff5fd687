from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.failures import Reason
from pipeline.parse.json_input import parse_json, parse_jsonl
from pipeline.parse.provenance import Provenance
from pipeline.records import Article, Failure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
FIELDS = load_settings().input.json_fields
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def _jsonl(text: str) -> list:
    return parse_jsonl(text, Provenance(origin="in.jsonl", ingested_at=NOW), fields=FIELDS)


def _json(text: str) -> list:
    return parse_json(text, Provenance(origin="in.json", ingested_at=NOW), fields=FIELDS)


def test_jsonl_bad_lines_fail_alone_and_the_rest_land() -> None:
    results = _jsonl((FIXTURES / "articles.jsonl").read_text(encoding="utf-8"))
    assert [type(result).__name__ for result in results] == ["Article", "Failure", "Failure", "Article"]
    first, malformed, textless, last = results
    assert (malformed.reason, malformed.locator) == (Reason.MALFORMED_JSON, "line 2")
    assert (textless.reason, textless.locator) == (Reason.JSON_WITHOUT_TEXT, "line 3")
    assert first.body == "  Body one, kept exactly.  "  # exactly as given, offsets line up
    assert (first.title, first.source, first.authors) == ("First", "Example Wire", ("Ann Lee",))
    assert first.published_at == datetime(2024, 5, 18, 10, tzinfo=timezone.utc)
    assert (last.title, last.url, last.authors) == ("Third", "https://example.com/a/3", ("Bo Chen",))


def test_json_object_with_an_articles_list() -> None:
    results = _json((FIXTURES / "articles.json").read_text(encoding="utf-8"))
    one, two, three = results
    assert (one.body, one.published_at) == ("Body one.", datetime(2024, 5, 18, tzinfo=timezone.utc))
    assert (two.body, two.summary, two.language) == ("Only a description.", "Only a description.", "en")
    assert isinstance(three, Failure) and (three.reason, three.locator) == (Reason.JSON_WITHOUT_TEXT, "item 3")


@pytest.mark.parametrize(
    "document",
    [
        {"text": "T"},
        [{"text": "T"}],
        {"items": [{"text": "T"}]},
        {"data": [{"text": "T"}]},
    ],
)
def test_json_shapes(document: object) -> None:
    [article] = _json(json.dumps(document))
    assert isinstance(article, Article) and article.body == "T"


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ("Ann Lee", ("Ann Lee",)),
        ("By Ann Lee and Bo Chen", ("Ann Lee", "Bo Chen")),
        ("Lee, Ann", ("Lee, Ann",)),
        (["Ann Lee", " Bo  Chen "], ("Ann Lee", "Bo Chen")),
        ([{"name": "Ann Lee"}, {"name": "Bo Chen"}, {"url": "x"}], ("Ann Lee", "Bo Chen")),
        ({"name": "Ann Lee"}, ("Ann Lee",)),
    ],
)
def test_author_shapes(authors: object, expected: tuple[str, ...]) -> None:
    [article] = _json(json.dumps({"text": "T", "authors": authors}))
    assert article.authors == expected


def test_dotted_keys_reach_into_objects_and_non_strings_fall_through() -> None:
    [article] = _json(json.dumps({"text": "T", "source": {"id": "bbc", "name": "BBC News"}, "url": {"x": 1}, "link": "https://e.com/a"}))
    assert (article.source, article.url) == ("BBC News", "https://e.com/a")


def test_url_gives_the_article_id_and_without_one_the_content_does() -> None:
    first, second, third = _json(json.dumps([
        {"text": "A", "url": "https://e.com/a?utm_source=x"}, {"text": "B", "url": "https://E.com/a/"}, {"text": "A"},
    ]))
    assert first.article_id == second.article_id != third.article_id


@pytest.mark.parametrize("text", ['{"text": "a"', "[" * 100_000, "1" * 5000, "{'single': 'quotes'}"])
def test_malformed_json_documents(text: str) -> None:
    [failure] = _json(text)
    assert isinstance(failure, Failure) and failure.reason == Reason.MALFORMED_JSON


@pytest.mark.parametrize("document", ["null", "42", '"text"', "[1, 2]", '{"text": 5}', '{"body": ["a", "b"]}', "[]"])
def test_records_without_text(document: str) -> None:
    results = _json(document)
    assert all(isinstance(result, Failure) and result.reason == Reason.JSON_WITHOUT_TEXT for result in results)


def test_jsonl_skips_blank_lines_but_counts_them() -> None:
    results = _jsonl('{"text": "a"}\n\n   \n{"text": \n')
    assert isinstance(results[0], Article)
    assert (results[1].reason, results[1].locator) == (Reason.MALFORMED_JSON, "line 4")
    assert len(results) == 2


def test_lone_surrogates_keep_offsets() -> None:
    [article] = _jsonl('{"text": "a\\ud800b"}')
    assert article.body == "a\ufffdb"

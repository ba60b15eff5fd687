from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.failures import Reason
from pipeline.parse import parse_document, sniff_format
from pipeline.records import Article, Failure, RawDocument
from pipeline.sources.files import read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
SETTINGS = load_settings().input
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def _parse(data: bytes, *, hint: str | None = None, settings=SETTINGS, **kwargs: object) -> list:
    return parse_document(RawDocument(origin="doc", data=data, format_hint=hint, **kwargs), settings, ingested_at=NOW)


def _reasons(results: list) -> list[str]:
    return [result.reason if isinstance(result, Failure) else "article" for result in results]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bbc-style.txt", ["article"]),
        ("wire-2023-11-02.md", ["article"]),
        ("articles.jsonl", ["article", "malformed_json", "json_without_text", "article"]),
        ("articles.json", ["article", "article", "json_without_text"]),
        ("page.html", ["article"]),
        ("no-text.html", ["html_without_text"]),
        ("feed.rss", ["article", "article", "entry_without_text"]),
        ("feed.atom", ["article"]),
        ("feed.json", ["article", "entry_without_text"]),
        ("malformed.xml", ["malformed_feed"]),
        ("empty-feed.rss", ["feed_without_entries"]),
    ],
)
@pytest.mark.parametrize("hinted", [True, False], ids=["hint", "sniffed"])
def test_fixtures_by_hint_and_by_sniffing(name: str, expected: list[str], hinted: bool, tmp_path: Path) -> None:
    path = tmp_path / name if hinted else tmp_path / "no-extension"
    path.write_bytes((FIXTURES / name).read_bytes())
    raw = read_file(str(path), max_bytes=SETTINGS.max_file_bytes)
    if name == "feed.json" and hinted:  # .json is hinted as JSON input; a JSON Feed is sniffed
        raw = RawDocument(origin=raw.origin, data=raw.data)
    assert _reasons(parse_document(raw, SETTINGS, ingested_at=NOW)) == expected


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ('{"text": "a"}', "json"),
        ('\ufeff  {"text": "a"}\n{"text": "b"}\n', "jsonl"),
        ('{\n  "text": "a"\n}\n', "json"),
        ("[1]", "json"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": []}', "feed"),
        ('<?xml version="1.0"?>\n<!-- c -->\n<rss version="2.0">', "feed"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        ("<rdf:RDF xmlns:rdf='x'>", "feed"),
        ("<!DOCTYPE html><html>", "html"),
        ("<div>fragment</div>", "html"),
        ("Plain words.", "text"),
    ],
)
def test_sniff_format(text: str, form: str) -> None:
    assert sniff_format(text) == form


def test_gzipped_latin1_text_decodes_without_mojibake(tmp_path: Path) -> None:
    path = tmp_path / "story"
    path.write_bytes(gzip.compress((FIXTURES / "cp1252.txt").read_bytes()))
    [article] = parse_document(read_file(str(path), max_bytes=10_000), SETTINGS, ingested_at=NOW)
    assert article.body.startswith("Café owners “welcome” the £ 5m fund")


def test_declared_content_type_charset_is_honoured() -> None:
    [article] = _parse("Москва".encode("koi8-r"), hint="text", content_type="text/plain; charset=koi8-r")
    assert article.body == "Москва"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", Reason.EMPTY_FILE),
        (b" \n ", Reason.EMPTY_FILE),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), Reason.BINARY_FILE),
        (b"\xff\xfe\x00", Reason.UNDECODABLE),
    ],
)
def test_unusable_bytes(data: bytes, reason: Reason) -> None:
    assert _reasons(_parse(data)) == [reason.value]


def test_only_the_article_over_the_size_limit_fails() -> None:
    settings = SETTINGS.model_copy(update={"max_article_chars": 10})
    results = _parse(b'{"text": "short"}\n{"text": "far too long a body"}\n', settings=settings)
    assert _reasons(results) == ["article", "too_large"]
    assert results[1].locator.startswith("article ")


def test_unknown_hint_is_unsupported() -> None:
    assert _reasons(_parse(b"%PDF-1.7 text", hint="pdf")) == ["unsupported_format"]


def test_unexpected_errors_become_internal_error_failures() -> None:
    [failure] = parse_document(RawDocument(origin="doc", data=None), SETTINGS, ingested_at=NOW)  # type: ignore[arg-type]
    assert (failure.stage, failure.reason, failure.origin) == ("parse", Reason.INTERNAL_ERROR, "doc")


def test_raw_document_metadata_reaches_the_article() -> None:
    raw = RawDocument(origin="doc", data=b"Words here.", source="Wire", language="EN", feed_url="https://e.com/f")
    [article] = parse_document(raw, SETTINGS, ingested_at=NOW)
    assert isinstance(article, Article)
    assert (article.source, article.language, article.feed_url, article.ingested_at) == ("Wire", "en", "https://e.com/f", NOW)


@pytest.mark.parametrize("data", [b"\x1c", "\u2028\n\u2029\n".encode()])
def test_a_document_of_only_unicode_whitespace_is_a_no_text_failure(data: bytes) -> None:
    results = parse_document(RawDocument(origin="blank.jsonl", data=data, format_hint="jsonl"), SETTINGS, ingested_at=NOW)
    assert [(type(result).__name__, result.reason) for result in results] == [("Failure", "no_text")]


def test_a_whole_file_without_url_is_identified_by_its_path_and_an_entry_by_its_text():
    from datetime import datetime, timezone

    from pipeline.parse.normalise import build_article
    from pipeline.parse.provenance import Provenance

    now = datetime(2026, 3, 2, tzinfo=timezone.utc)
    first = build_article(Provenance(origin="/in/a.txt", ingested_at=now), body="First version.", whole_document=True)
    edited = build_article(Provenance(origin="/in/a.txt", ingested_at=now), body="Edited version.", whole_document=True)
    elsewhere = build_article(Provenance(origin="/in/b.txt", ingested_at=now), body="First version.", whole_document=True)
    assert first.article_id == edited.article_id != elsewhere.article_id
    assert first.content_hash != edited.content_hash  # so the next run sees a change, and replaces
    # Entries of one feed or dump share their origin: without a URL, their text tells them apart.
    one = build_article(Provenance(origin="/in/feed.xml", ingested_at=now), body="Entry one.")
    two = build_article(Provenance(origin="/in/feed.xml", ingested_at=now), body="Entry two.")
    assert one.article_id != two.article_id
    # A URL still wins over the path.
    linked = build_article(Provenance(origin="/in/a.txt", ingested_at=now), body="x", url="https://example.org/a", whole_document=True)
    assert linked.article_id != first.article_id

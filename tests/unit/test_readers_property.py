"""Property tests: whatever bytes come in, read_file and parse_document return Articles or Failures."""

from __future__ import annotations

import gzip
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.config import load_settings
from pipeline.parse import parse_document
from pipeline.records import Article, Failure, RawDocument
from pipeline.sources.files import read_file

SETTINGS = load_settings().input
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
FORMATS = [None, "text", "json", "jsonl", "html", "feed"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(
        st.sampled_from(["text", "body", "title", "url", "date", "authors", "source", "items", "x"]) | st.text(max_size=8),
        children,
        max_size=5,
    ),
    max_leaves=30,
)

xmlish = st.lists(
    st.sampled_from(
        ["<rss>", "</rss>", "<channel>", "<item>", "</item>", "<title>", "</title>", "<description>", "<feed>",
         "<entry>", "<content type='html'>", "&amp;", "&lt;p&gt;", "<![CDATA[", "]]>", "<?xml version='1.0'?>",
         "<!DOCTYPE x>", "<!ENTITY e 'v'>", "<html>", "<p>", "text", " ", "\n", "\x00", "é", "&e;", "<"]
    )
    | st.text(max_size=10),
    max_size=40,
).map("".join)


def _assert_only_articles_and_failures(results: list) -> None:
    assert results
    assert all(isinstance(result, (Article, Failure)) for result in results)


@pytest.mark.parametrize("hint", FORMATS)
@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=2000))
def test_random_bytes(hint: str | None, data: bytes) -> None:
    _assert_only_articles_and_failures(
        parse_document(RawDocument(origin="b", data=data, format_hint=hint), SETTINGS, ingested_at=NOW)
    )


@pytest.mark.parametrize("hint", [None, "json", "jsonl", "feed"])
@settings(max_examples=60, deadline=None)
@given(value=json_values, lines=st.booleans())
def test_random_json(hint: str | None, value: object, lines: bool) -> None:
    text = "\n".join(json.dumps(item) for item in value) if lines and isinstance(value, list) else json.dumps(value)
    raw = RawDocument(origin="j", data=text.encode("utf-8"), format_hint=hint)
    _assert_only_articles_and_failures(parse_document(raw, SETTINGS, ingested_at=NOW))


@pytest.mark.parametrize("hint", [None, "feed", "html"])
@settings(max_examples=60, deadline=None)
@given(text=xmlish)
def test_random_xmlish_text(hint: str | None, text: str) -> None:
    raw = RawDocument(origin="x", data=text.encode("utf-8"), format_hint=hint)
    _assert_only_articles_and_failures(parse_document(raw, SETTINGS, ingested_at=NOW))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), compress=st.booleans(), cut=st.integers(min_value=0, max_value=60), suffix=st.sampled_from([".txt", ".json", ".xml.gz", ""]))
def test_read_then_parse_random_files(data: bytes, compress: bool, cut: int, suffix: str) -> None:
    content = gzip.compress(data)[: -cut or None] if compress else data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        raw = read_file(str(path), max_bytes=2500)
    if isinstance(raw, Failure):
        assert raw.stage == "read"
        return
    assert isinstance(raw, RawDocument) and len(raw.data) <= 2500
    _assert_only_articles_and_failures(parse_document(raw, SETTINGS, ingested_at=NOW))

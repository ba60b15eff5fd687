"""Parsers: turn RawDocuments into Articles (or Failures)."""

from __future__ import annotations

import json
import re
from datetime import datetime

from pipeline.config import InputSettings
from pipeline.failures import Reason, make_failure
from pipeline.parse.decode import decode_bytes, looks_binary, sniff_declared_charset
from pipeline.parse.feeds import parse_feed
from pipeline.parse.html import parse_html
from pipeline.parse.json_input import parse_json, parse_jsonl
from pipeline.parse.normalise import published_url
from pipeline.parse.provenance import STAGE, Provenance
from pipeline.parse.text import parse_text
from pipeline.records import Article, ParseResult, RawDocument

_SNIFF_CHARS = 4096
_FIRST_ELEMENT = re.compile(r"<([A-Za-z][\w:.-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})


def parse_document(raw: RawDocument, settings: InputSettings, *, ingested_at: datetime) -> list[ParseResult]:
    """Every Article in ``raw``, and a Failure for every part of it that is no article. Never raises."""
    try:
        results = _parse(raw, settings, ingested_at=ingested_at)
        if not results:  # e.g. JSON Lines of nothing but whitespace: nothing may vanish without a row
            return [make_failure(STAGE, Reason.NO_TEXT, raw.origin, "no article in the document", snippet=raw.data)]
        return [enforce_max_chars(result, max_chars=settings.max_article_chars) for result in results]
    except Exception as error:  # noqa: BLE001 - one bad document must not stop the job
        origin = getattr(raw, "origin", None) or repr(raw)[:200]
        detail = f"unexpected {type(error).__name__} while parsing: {error}"
        return [make_failure(STAGE, Reason.INTERNAL_ERROR, str(origin), detail, snippet=getattr(raw, "data", None))]


def sniff_format(text: str) -> str:
    """"json", "jsonl", "feed", "html" or "text", from how the text begins."""
    head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    if head.startswith("{") and "jsonfeed.org/version" in head:
        return "feed"
    if head.startswith(("{", "[")):
        return "jsonl" if head.startswith("{") and _first_line_is_object(text) else "json"
    if head.startswith("<"):
        first = _FIRST_ELEMENT.search(head)
        local_name = first.group(1).rsplit(":", 1)[-1].lower() if first else ""
        return "feed" if local_name in _FEED_ROOTS else "html"
    return "text"


def enforce_max_chars(result: ParseResult, *, max_chars: int) -> ParseResult:
    """An article whose body exceeds the limit becomes a TOO_LARGE failure; its siblings are untouched."""
    if not isinstance(result, Article) or len(result.body) <= max_chars:
        return result
    detail = f"article body has {len(result.body)} characters, over the limit of {max_chars}"
    return make_failure(
        STAGE, Reason.TOO_LARGE, result.origin, detail, locator=f"article {result.article_id}", snippet=result.body
    )


def _parse(raw: RawDocument, settings: InputSettings, *, ingested_at: datetime) -> list[ParseResult]:
    if not raw.data.strip():
        return [make_failure(STAGE, Reason.EMPTY_FILE, raw.origin, "no content")]
    if raw.format_hint == "feed":
        # feedparser decodes by itself: BOM, XML declaration and HTTP charset, in the order XML wants.
        return _parse_feed(raw, ingested_at=ingested_at)
    decoded = decode_bytes(
        raw.data,
        declared=sniff_declared_charset(raw.data, content_type=raw.content_type),
        fallback=settings.fallback_encoding,
    )
    if decoded is None:
        if looks_binary(raw.data):
            return [make_failure(STAGE, Reason.BINARY_FILE, raw.origin, "binary data, not text", snippet=raw.data)]
        return [make_failure(STAGE, Reason.UNDECODABLE, raw.origin, "no candidate encoding decodes it", snippet=raw.data)]
    text = decoded[0]
    form = raw.format_hint or sniff_format(text)
    provenance = Provenance.of(raw, ingested_at)
    if form == "text":
        return [parse_text(text, provenance)]
    if form == "html":
        return [parse_html(text, provenance, url=published_url(raw.origin))]
    if form == "json":
        return parse_json(text, provenance, fields=settings.json_fields)
    if form == "jsonl":
        return parse_jsonl(text, provenance, fields=settings.json_fields)
    if form == "feed":
        return _parse_feed(raw, ingested_at=ingested_at)
    return [make_failure(STAGE, Reason.UNSUPPORTED_FORMAT, raw.origin, f"unknown format hint {form!r}")]


def _parse_feed(raw: RawDocument, *, ingested_at: datetime) -> list[ParseResult]:
    return parse_feed(raw.data, Provenance.of(raw, ingested_at), content_type=raw.content_type)


def _first_line_is_object(text: str) -> bool:
    """JSON Lines: the first line is a whole object and more lines follow."""
    first, _, rest = text.lstrip("\ufeff \t\r\n").partition("\n")
    if not rest.strip():
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False

"""RSS, Atom, RDF and JSON Feed documents: one Article per entry.

feedparser gets the bytes wrapped in a BytesIO, never a str or bytes object: given those it would
treat a value that looks like a URL or a file name as one and fetch or open it. It parses with
external entities disabled (``feature_external_ges`` off) and strips entity declarations that expand
other entities, but only those that start a line: a one-line DOCTYPE keeps them, and then only
expat's amplification limit stops a "billion laughs" bomb, after seconds of work, and it does not
stop one long entity referenced a million times. So a document that declares an entity expanding
another, or whose entities would make it many times its size, is refused here, before feedparser
sees it (:func:`entity_expansion_problem`). The read size limit bounds everything else.

feedparser 6 has no JSON Feed support, so JSON Feed (jsonfeed.org) is mapped here directly.
Locators count entries from 1 ("entry 3").
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, Optional

import feedparser

from pipeline.failures import Reason, make_failure
from pipeline.parse.decode import decode_bytes
from pipeline.parse.html import html_to_text
from pipeline.parse.normalise import build_article, decode_character_references, split_authors
from pipeline.parse.provenance import STAGE, Provenance
from pipeline.records import ParseResult

_JSON_FEED_MARK = "jsonfeed.org/version"
_PLAIN_TYPES = frozenset({"text/plain", "text"})
# An entity declaration, general or parameter: <!ENTITY name "value"> or <!ENTITY % name 'value'>.
_ENTITY_DECLARATION = re.compile(rb"""<!ENTITY\s+(%\s+)?([\w:.-]+)\s+(["'])(.*?)\3""", re.DOTALL)
# Inside a value: a reference to another entity, also when its "&" or "%" is written as a character
# reference (expanded when the value is declared, so "&#38;l8;" becomes the reference "&l8;"; the
# XHTML DTD's own "&#38;#38;" stays a character reference and is harmless).
_REFERENCE_IN_VALUE = re.compile(rb"(?:[&%]|&#0*(?:38|37);|&#x0*(?:26|25);)[A-Za-z_:][\w:.-]*;", re.IGNORECASE)
_GENERAL_REFERENCE = re.compile(rb"&([\w:.-]+);")
# How much larger than the document its entities may make it, at least ENTITY_EXPANSION_FLOOR bytes:
# a real feed declares a few short entities (&nbsp;); a "quadratic blowup" repeats one long one.
ENTITY_EXPANSION_FACTOR = 4
ENTITY_EXPANSION_FLOOR = 1_000_000



def parse_feed(data: bytes, provenance: Provenance, *, content_type: Optional[str] = None) -> list[ParseResult]:
    """Articles (or failures) for the entries of one feed document."""
    if data.lstrip()[:1] == b"{":
        return parse_json_feed(data, provenance)
    origin = provenance.origin
    problem = entity_expansion_problem(data)
    if problem:
        return [make_failure(STAGE, Reason.MALFORMED_FEED, origin, problem, snippet=data)]
    headers = {"content-type": content_type} if content_type else {}
    if provenance.feed_url:
        headers["content-location"] = provenance.feed_url  # resolves relative entry links; nothing is fetched
    # No sanitising or link resolving inside the HTML: it only ever becomes plain text here, and those
    # passes run feedparser's slow SGML parser over every entry (seconds on a 2 MB feed).
    parsed = feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    if not parsed.entries:
        if parsed.bozo:
            detail = f"not a readable feed: {parsed.get('bozo_exception')}"
            return [make_failure(STAGE, Reason.MALFORMED_FEED, origin, detail, snippet=data)]
        return [make_failure(STAGE, Reason.FEED_WITHOUT_ENTRIES, origin, "the feed has no entries", snippet=data)]
    feed = parsed.feed
    of_feed = provenance.filled(source=_plain(feed, "title"), language=feed.get("language"))
    return [
        entry_to_article(entry, of_feed, locator=f"entry {number}")
        for number, entry in enumerate(parsed.entries, start=1)
    ]


def entry_to_article(entry: Mapping[str, Any], provenance: Provenance, *, locator: str) -> ParseResult:
    """A feedparser entry: full content when there is some, else its summary/description."""
    summary = _plain(entry, "summary")
    body = content_text(entry) or summary
    if not body:
        return make_failure(
            STAGE, Reason.ENTRY_WITHOUT_TEXT, provenance.origin, "entry has neither content nor summary", locator=locator,
            snippet=entry.get("title") or entry.get("link"),
        )
    return build_article(
        provenance,
        body=body,
        url=entry.get("link"),
        title=_plain(entry, "title"),
        summary=summary if summary != body else None,
        authors=list(entry_authors(entry)),
        language=_entry_language(entry),
        published_at=entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("published"),
    )


def content_text(entry: Mapping[str, Any]) -> Optional[str]:
    """The longest of the entry's <content> parts, as plain text."""
    texts = [_as_plain_text(part.get("value") or "", part.get("type")) for part in entry.get("content") or []]
    texts = [text for text in texts if text]
    return max(texts, key=len) if texts else None


def entry_authors(entry: Mapping[str, Any]) -> Iterator[str]:
    named = [author.get("name") for author in entry.get("authors") or [] if isinstance(author, Mapping)]
    named = [name for name in named if name]
    if named:
        yield from named
    elif entry.get("author"):
        yield from split_authors(entry["author"])


def entity_expansion_problem(data: bytes) -> Optional[str]:
    """Why the document's entity declarations are refused, or None.

    Refused: an entity whose value refers to another entity (billion laughs, written plainly or
    with character references), and declarations whose references would expand the document past
    :data:`ENTITY_EXPANSION_FACTOR` times its size (one long entity referenced a million times:
    expat's amplification limit lets that through, and it costs gigabytes)."""
    if b"<!ENTITY" not in data:
        return None
    declarations = list(_ENTITY_DECLARATION.finditer(data))
    if any(_REFERENCE_IN_VALUE.search(match.group(4)) for match in declarations):
        return "declares entities that expand other entities (an entity-expansion bomb?)"
    # One pass over the document for every reference, not one per declared entity: a document can
    # declare thousands of them.
    uses = Counter(_GENERAL_REFERENCE.findall(data))
    expanded = sum(len(match.group(4)) * uses[match.group(2)] for match in declarations if not match.group(1))
    if expanded > max(ENTITY_EXPANSION_FLOOR, ENTITY_EXPANSION_FACTOR * len(data)):
        return f"its entities would expand it to {expanded:,} bytes (an entity-expansion bomb?)"
    return None


def parse_json_feed(data: bytes, provenance: Provenance) -> list[ParseResult]:
    """A JSON Feed (https://jsonfeed.org/version/1.1): items with content_text or content_html."""
    origin = provenance.origin
    decoded = decode_bytes(data, fallback="utf-8")
    try:
        document = json.loads(decoded[0]) if decoded else None
    except (ValueError, RecursionError) as error:
        return [make_failure(STAGE, Reason.MALFORMED_FEED, origin, f"invalid JSON feed: {error}", snippet=data)]
    if not isinstance(document, dict) or _JSON_FEED_MARK not in str(document.get("version", "")):
        return [make_failure(STAGE, Reason.MALFORMED_FEED, origin, "JSON that is not a JSON Feed", snippet=data)]
    items = document.get("items")
    if not isinstance(items, list) or not items:
        return [make_failure(STAGE, Reason.FEED_WITHOUT_ENTRIES, origin, "the JSON feed has no items", snippet=data)]
    of_feed = provenance.filled(
        source=_string(document.get("title")),
        feed_url=_string(document.get("feed_url")),
        language=_string(document.get("language")),
    )
    return [
        json_feed_item_to_article(item, of_feed, locator=f"entry {number}")
        for number, item in enumerate(items, start=1)
    ]


def json_feed_item_to_article(item: object, provenance: Provenance, *, locator: str) -> ParseResult:
    item = item if isinstance(item, dict) else {}
    summary = _as_plain_text(_string(item.get("summary")) or "", "text/html") or None
    body = (
        _as_plain_text(_string(item.get("content_text")) or "", "text")
        or _as_plain_text(_string(item.get("content_html")) or "", "text/html")
        or summary
    )
    if not body or not body.strip():
        return make_failure(STAGE, Reason.ENTRY_WITHOUT_TEXT, provenance.origin, "item has no content", locator=locator)
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    return build_article(
        provenance,
        body=body,
        url=_string(item.get("url")) or _string(item.get("external_url")),
        title=_as_plain_text(_string(item.get("title")) or "", "text") or None,
        summary=summary if summary != body else None,
        authors=[
            decode_character_references(_string(author.get("name")) or "") for author in authors if isinstance(author, dict)
        ],
        language=_string(item.get("language")),
        published_at=item.get("date_published") or item.get("date_modified"),
    )


def _plain(mapping: Mapping[str, Any], key: str) -> Optional[str]:
    """A text construct (title, summary) as plain text, whatever type feedparser says it holds."""
    value = mapping.get(key)
    if not isinstance(value, str):
        return None
    detail = mapping.get(f"{key}_detail") or {}
    return _as_plain_text(value, detail.get("type")) or None


def _as_plain_text(value: str, content_type: Optional[str]) -> str:
    """A feed field as plain text. HTML goes through html_to_text, whose parser decodes its character
    references; plain text has them decoded here, once: a feed that writes "caf&amp;#233;" (or a JSON
    Feed "caf&#233;") means "café", and the XML parse has only undone the first escape."""
    if content_type in _PLAIN_TYPES:
        return decode_character_references(value).strip()
    return html_to_text(value)


def _entry_language(entry: Mapping[str, Any]) -> Optional[str]:
    for part in entry.get("content") or []:
        if part.get("language"):
            return part["language"]
    return (entry.get("summary_detail") or {}).get("language")


def _string(value: object) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None

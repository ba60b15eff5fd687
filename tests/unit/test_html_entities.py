"""Character references are decoded once in what every reader gives as title, body and summary."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from pipeline.config import load_settings
from pipeline.parse import parse_document
from pipeline.parse.normalise import decode_character_references
from pipeline.records import Article, RawDocument

SETTINGS = load_settings().input
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)

# What a reader is given (plain text) and what the article must say.
ESCAPED = "A caf&#233 signed a communiqu&#233; at AT&T; R&D and Q&A, &amp;#233; stays one level down."
DECODED = "A café signed a communiqué at AT&T; R&D and Q&A, &#233; stays one level down."
TITLE, TITLE_DECODED = "Pass&eacute; news &#8211; Blair&#146;s day", "Passé news – Blair’s day"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;")


# The same text as HTML writes it: there the markup parser decodes the references.
AS_HTML = "A caf&#233 signed a communiqu&#233; at AT&amp;T; R&amp;D and Q&amp;A"
HEAD = "A café signed a communiqué at AT&T; R&D and Q&A"  # what every reader must give


def _html_page() -> str:
    # Only the head: trafilatura itself unescapes its text once more, so a page's "&amp;#233;" comes out "é".
    filler = ". The rest of the article goes on for long enough to be the page's main text" * 4
    body = AS_HTML + filler
    return (
        f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
        f"<p>{body}{filler}</p></article></body></html>"
    )


def _rss() -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item>'
        f"<title>{_xml(TITLE)}</title><description>{_xml(AS_HTML + ', &amp;#233; stays one level down.')}</description>"
        "<link>https://example.org/1</link></item></channel></rss>"
    )


def _atom_text() -> str:
    # type="text": the XML parse leaves the publisher's references, which the reader decodes.
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><id>1</id>'
        f'<title type="text">{_xml(TITLE)}</title><content type="text">{_xml(ESCAPED)}</content>'
        '<link href="https://example.org/1"/></entry></feed>'
    )


def _json_feed() -> str:
    item = {"id": "1", "title": TITLE, "content_text": ESCAPED, "url": "https://example.org/1"}
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "F", "items": [item]})


DOCUMENTS = {
    "text": (f"{TITLE}\n\n{ESCAPED}\n", "text"),
    "text-header": (f"Title: {TITLE}\nURL: https://example.org/a?x=1&copy=2\n\n{ESCAPED}\n", "text"),
    "json": (json.dumps({"title": TITLE, "text": ESCAPED}), "json"),
    "jsonl": (json.dumps({"title": TITLE, "text": ESCAPED}) + "\n" + json.dumps({"text": ESCAPED}) + "\n", "jsonl"),
    "html": (_html_page(), "html"),
    "rss": (_rss(), "feed"),
    "atom": (_atom_text(), "feed"),
    "json-feed": (_json_feed(), "feed"),
}


def _articles(name: str, *, hinted: bool = True) -> list[Article]:
    data, hint = DOCUMENTS[name]
    raw = RawDocument(origin=f"doc-{name}", data=data.encode("utf-8"), format_hint=hint if hinted else None)
    results = parse_document(raw, SETTINGS, ingested_at=NOW)
    assert all(isinstance(result, Article) for result in results), results
    return results


@pytest.mark.parametrize("hinted", [True, False], ids=["hint", "sniffed"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_reader_decodes_the_body_once(name: str, hinted: bool) -> None:
    for article in _articles(name, hinted=hinted):
        assert article.body.startswith(HEAD)
        assert name == "html" or article.body == DECODED


@pytest.mark.parametrize("name", sorted(set(DOCUMENTS) - {"jsonl"}))
def test_every_reader_decodes_the_title(name: str) -> None:
    (article,) = _articles(name)
    assert article.title == TITLE_DECODED


def test_json_summary_and_authors_are_decoded_and_bylines_split_after() -> None:
    record = {"text": ESCAPED, "summary": "Caf&#233; talk", "author": "Jos&#233; Garc&#237;a and Ann Lee"}
    (article,) = parse_document(RawDocument(origin="d", data=json.dumps(record).encode(), format_hint="json"),
                                SETTINGS, ingested_at=NOW)
    assert article.summary == "Café talk"
    assert article.authors == ("José García", "Ann Lee")


def test_references_are_decoded_before_line_ends_are_normalised_and_the_body_stripped() -> None:
    raw = RawDocument(origin="d", data=b"First&#13;&#10;second line.&#10;", format_hint="text")
    (article,) = parse_document(raw, SETTINGS, ingested_at=NOW)
    assert article.body == "First\nsecond line."


def test_a_url_in_a_header_keeps_its_parameters() -> None:
    (article,) = _articles("text-header")
    assert article.url == "https://example.org/a?x=1&copy=2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("caf&#233", "café"),  # numeric, no semicolon
        ("caf&#xE9;", "café"),
        ("Blair&#146;s", "Blair’s"),  # the Windows-1252 meaning, as browsers read it
        ("pass&eacute x", "passé x"),  # a legacy name, no semicolon
        ("&amp;#233;", "&#233;"),  # one level only: no double decoding
        ("&amp;amp;", "&amp;"),
        ("AT&T, R&D, Q&A, M&S, P&O", "AT&T, R&D, Q&A, M&S, P&O"),
        ("Business&ethics and Local&regional", "Business&ethics and Local&regional"),  # html.unescape breaks these
        ("a?x=1&copy=2", "a?x=1&copy=2"),
        ("&copy 2004", "© 2004"),
        ("&unknown; & &#", "&unknown; & &#"),
        ("&#0;", "\ufffd"),
    ],
)
def test_decode_character_references(text: str, expected: str) -> None:
    assert decode_character_references(text) == expected

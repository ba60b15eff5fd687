from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.failures import Reason
from pipeline.parse.feeds import parse_feed
from pipeline.parse.provenance import Provenance
from pipeline.records import Article, Failure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def _parse(name: str, **provenance: object) -> list:
    return parse_feed((FIXTURES / name).read_bytes(), Provenance(origin=name, ingested_at=NOW, **provenance))


def test_rss_entries_content_summary_and_missing_text() -> None:
    full, summary_only, empty = _parse("feed.rss", feed_url="https://example.com/feed.rss")
    assert full.body == "Full text, first paragraph.\nSecond paragraph with a link."
    assert full.summary == "Short summary."
    assert (full.title, full.canonical_url) == ("Ministers meet & agree", "https://example.com/news/1")
    assert full.url == "https://example.com/news/1?utm_source=rss#top"  # as published
    assert (full.source, full.feed_url, full.language) == ("Example Wire", "https://example.com/feed.rss", "en-us")
    assert full.authors == ("Ann Lee",)
    assert full.published_at == datetime(2024, 5, 18, 7, tzinfo=timezone.utc)
    assert (summary_only.body, summary_only.summary) == ("Only a description here.", None)
    assert summary_only.published_at == datetime(2024, 5, 19, 5, tzinfo=timezone.utc)
    assert isinstance(empty, Failure) and (empty.reason, empty.locator) == (Reason.ENTRY_WITHOUT_TEXT, "entry 3")


def test_known_source_wins_over_the_feed_title() -> None:
    assert _parse("feed.rss", source="Configured Name")[0].source == "Configured Name"


def test_atom_entry() -> None:
    [entry] = _parse("feed.atom")
    assert (entry.title, entry.body, entry.url) == ("Atom entry", "Atom body text.", "https://example.com/atom/1")
    assert entry.authors == ("Bo Chen", "Ann Lee")
    assert entry.published_at == datetime(2024, 5, 18, 18, 30, 2, tzinfo=timezone.utc)


def test_json_feed() -> None:
    article, failure = _parse("feed.json")
    assert (article.body, article.source, article.authors) == ("JSON feed body.", "Example JSON Feed", ("Ann Lee",))
    assert article.published_at == datetime(2024, 5, 18, 8, tzinfo=timezone.utc)
    assert (failure.reason, failure.locator) == (Reason.ENTRY_WITHOUT_TEXT, "entry 2")


@pytest.mark.parametrize(
    ("name_or_bytes", "reason"),
    [
        ("malformed.xml", Reason.MALFORMED_FEED),
        ("empty-feed.rss", Reason.FEED_WITHOUT_ENTRIES),
        (b"just some words, no XML", Reason.MALFORMED_FEED),
        (b'{"not": "a json feed"}', Reason.MALFORMED_FEED),
        (b'{"version": "https://jsonfeed.org/version/1", "items": []}', Reason.FEED_WITHOUT_ENTRIES),
    ],
)
def test_feeds_without_any_entry(name_or_bytes: str | bytes, reason: Reason) -> None:
    data = name_or_bytes if isinstance(name_or_bytes, bytes) else (FIXTURES / name_or_bytes).read_bytes()
    [failure] = parse_feed(data, Provenance(origin="f", ingested_at=NOW))
    assert isinstance(failure, Failure) and failure.reason == reason


def test_a_path_or_url_as_content_is_never_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.rss"
    secret.write_bytes((FIXTURES / "feed.rss").read_bytes())
    for data in (str(secret).encode(), b"https://example.invalid/feed.rss"):
        results = parse_feed(data, Provenance(origin="f", ingested_at=NOW))
        assert not any(isinstance(result, Article) for result in results)


def test_entity_expansion_bomb_is_refused_quickly() -> None:
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{levels}]><rss version="2.0"><channel><item>' \
           "<title>t</title><description>&l9;</description></item></channel></rss>"
    [failure] = parse_feed(bomb.encode(), Provenance(origin="bomb.xml", ingested_at=NOW))
    assert failure.reason == Reason.MALFORMED_FEED


def test_header_charset_decodes_a_feed_without_declaration() -> None:
    rss = "<rss version='2.0'><channel><item><description>Caf\u00e9 \u201cquote\u201d</description></item></channel></rss>"
    [article] = parse_feed(rss.encode("cp1252"), Provenance(origin="f", ingested_at=NOW), content_type="application/rss+xml; charset=windows-1252")
    assert article.body == "Caf\u00e9 \u201cquote\u201d"


@pytest.mark.parametrize(
    "declarations, body",
    [
        # one long entity, referenced many times: no nesting, but a quadratic blowup
        (f'<!ENTITY big "{"x" * 250}">', "&big;" * 20_000),
        # nesting written with a character reference to "&", or behind a ">" in the value
        ('<!ENTITY l0 "lol"><!ENTITY l1 "&#38;l0;&#38;l0;">', "&l1;"),
        ('<!ENTITY l0 "lol"><!ENTITY l1 ">&l0;&l0;">', "&l1;"),
        ('<!ENTITY % p "x"><!ENTITY l1 "&#x25;p;">', "&l1;"),
    ],
    ids=["one-long-entity-many-times", "nested-through-&#38;", "nested-behind->", "parameter-through-&#x25;"],
)
def test_entity_expansions_that_slip_past_a_nesting_check_are_refused(declarations: str, body: str) -> None:
    feed = f'<?xml version="1.0"?><!DOCTYPE r [{declarations}]><rss version="2.0"><channel><item>' \
           f"<title>t</title><description>{body}</description></item></channel></rss>"
    [failure] = parse_feed(feed.encode(), Provenance(origin="bomb.xml", ingested_at=NOW))
    assert failure.reason == Reason.MALFORMED_FEED and "entity-expansion bomb" in failure.detail


def test_a_feed_that_declares_a_few_short_entities_is_read() -> None:
    feed = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY mdash "&#8212;"><!ENTITY amp "&#38;#38;">]>' \
           '<rss version="2.0"><channel><item><title>t</title>' \
           f"<description>{'Word&nbsp;word &mdash; more. ' * 500}</description></item></channel></rss>"
    [article] = parse_feed(feed.encode(), Provenance(origin="ok.xml", ingested_at=NOW))
    assert isinstance(article, Article) and "\u2014" in article.body


# libxml2 drops a text node over 10,000,000 bytes unless told otherwise ("huge" documents): an entry of
# 11 MB came out empty and was reported as entry_without_text, as if the feed had sent nothing.
HUGE_TEXT = "word " * 2_200_000  # 11,000,000 characters in one text node


def _two_entry_feed(element: str) -> bytes:
    namespace = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    return (
        f'<?xml version="1.0"?><rss version="2.0" {namespace}><channel><title>Big</title>'
        f"<item><title>huge</title><link>https://example.com/huge</link><{element}>{HUGE_TEXT}</{element}></item>"
        "<item><title>small</title><link>https://example.com/small</link><description>A small entry.</description></item>"
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize("element", ["description", "content:encoded"])
def test_an_entry_over_10_mb_is_too_large_not_without_text(element: str) -> None:
    from pipeline.config import load_settings
    from pipeline.parse import parse_document
    from pipeline.records import RawDocument

    raw = RawDocument(origin="big.xml", data=_two_entry_feed(element), format_hint="feed")
    huge, small = parse_document(raw, load_settings().input, ingested_at=NOW)

    assert isinstance(huge, Failure) and huge.reason == Reason.TOO_LARGE, huge
    assert f"{len(HUGE_TEXT.strip())} characters" in huge.detail
    assert isinstance(small, Article) and small.body == "A small entry."


def test_an_entry_over_10_mb_is_read_whole_when_the_limit_allows_it() -> None:
    huge, small = parse_feed(_two_entry_feed("description"), Provenance(origin="big.xml", ingested_at=NOW))
    assert isinstance(huge, Article) and len(huge.body) == len(HUGE_TEXT.strip())
    assert isinstance(small, Article)


def test_deeply_nested_entry_html_is_read() -> None:
    # lxml reads 255 levels unless told the document is huge (then 2,048): 1,500 is past the first and
    # past Python's recursion limit, so the text must also be collected without recursion.
    depth = 1500
    feed = ('<rss version="2.0"><channel><item><title>t</title><description><![CDATA['
            + "<div>" * depth + "deep text" + "</div>" * depth + "]]></description></item></channel></rss>")
    [article] = parse_feed(feed.encode(), Provenance(origin="deep.xml", ingested_at=NOW))
    assert isinstance(article, Article) and article.body == "deep text"

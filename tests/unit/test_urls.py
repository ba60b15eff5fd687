"""URLs: the canonical form an article is known by (courlan's, with the project's rules on top) and
the URL as published, which the dataset keeps beside it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from pipeline.config import load_settings
from pipeline.parse import parse_document
from pipeline.parse.legacy_url import url_article_id_before_1_4
from pipeline.parse.normalise import build_article, canonical_url, published_url
from pipeline.parse.provenance import Provenance
from pipeline.records import Article, RawDocument, stable_id

NOW = datetime(2026, 3, 2, tzinfo=timezone.utc)
# fastfeedparser's snapshot of https://feeds.bbci.co.uk/news/world/rss.xml (benchmark_data_urls.tsv)
BBC_WORLD = "eval/feeds-fastfeedparser/benchmark_data/1796df62c4a287cc"


@pytest.mark.parametrize(
    "url, canonical",
    [
        # BBC's feeds put ?at_medium=RSS&at_campaign=rss on every link; courlan knows them.
        ("https://www.bbc.com/news/articles/cp81l0e1eg5o?at_medium=RSS&at_campaign=rss", "https://www.bbc.com/news/articles/cp81l0e1eg5o"),
        ("https://e.com/a?utm_source=rss&utm_medium=feed&fbclid=x&gclid=y&mc_cid=1&mc_eid=2", "https://e.com/a"),
        ("https://e.com/a/?ref=rss", "https://e.com/a"),
        ("https://e.com/a?traffic_source=rss", "https://e.com/a"),  # Al Jazeera
        # Kept by courlan, dropped by the project's rule: DW, the Christian Science Monitor, Microsoft, beehiiv.
        ("https://e.com/a?maca=en-rss-en-all-1573-rdf", "https://e.com/a"),
        ("https://e.com/a?icid=rss&ocid=msn&cmpid=x&_bhlid=y", "https://e.com/a"),
        # Other parameters stay, sorted, so one page in two orders is one article.
        ("https://e.com/watch?v=2&id=1", "https://e.com/watch?id=1&v=2"),
        ("https://e.com/watch?id=1&v=2", "https://e.com/watch?id=1&v=2"),
        # A parameter without value tells pages apart: courlan alone would drop it.
        ("https://e.com/story.php?12345", "https://e.com/story.php?12345"),
        ("https://e.com/story.php?12346&utm_source=x", "https://e.com/story.php?12346"),
        # No credentials, no fragment, no default port, lower-case host, no trailing slash, root as "/".
        ("https://ann:secret@News.Example.COM:443/a/b/#top", "https://news.example.com/a/b"),
        ("HTTP://example.com.:80", "http://example.com/"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("https://e.com:8443/x", "https://e.com:8443/x"),
        (" https://e.com/a\n", "https://e.com/a"),
        # Not courlan.clean_url: a URL in the query is a parameter, not the page.
        ("https://e.com/login?next=https://other.example/b", "https://e.com/login?next=https%3A%2F%2Fother.example%2Fb"),
        # Nor courlan's HTML unescaping of a string: "&region" stays a parameter ("®ion" otherwise).
        ("https://e.com/a?id=1&region=north", "https://e.com/a?id=1&region=north"),
        # Only absolute http(s) URLs.
        ("ftp://e.com/a", None),
        ("javascript:alert(1)", None),
        ("/news/a", None),
        ("e.com/a", None),
        ("https://e.com:99999/", None),
        ("https://[::1/", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url(url, canonical) -> None:
    assert canonical_url(url) == canonical


def test_the_url_as_published_loses_only_its_credentials() -> None:
    bbc = "https://www.bbc.com/news/articles/cp81l0e1eg5o?at_medium=RSS&at_campaign=rss"
    assert published_url(bbc) == bbc
    assert published_url("https://ann:secret@News.Example.com:443/a/?b=2&a=1#top") == "https://News.Example.com:443/a/?b=2&a=1#top"
    assert published_url("https://ann@e.com/a") == "https://e.com/a"
    assert published_url("\thttps://e.com/a\n") == "https://e.com/a"
    assert published_url("/news/a") is None


@given(st.text(max_size=60) | st.builds(lambda tail: "https://" + tail, st.text(max_size=60)))
def test_garbage_never_raises(text: str) -> None:
    canonical = canonical_url(text)
    published = published_url(text)
    assert (canonical is None) or (published is not None and canonical.startswith(("http://", "https://")))


def test_an_article_keeps_its_published_url_and_is_known_by_the_canonical_one() -> None:
    provenance = Provenance(origin="https://feeds.example/rss", ingested_at=NOW)
    tracked = build_article(provenance, body="x", url="https://e.com/a?at_medium=RSS&at_campaign=rss")
    plain = build_article(provenance, body="x", url="https://e.com/a")
    assert tracked.url == "https://e.com/a?at_medium=RSS&at_campaign=rss"
    assert tracked.canonical_url == plain.canonical_url == plain.url == "https://e.com/a"
    assert tracked.article_id == plain.article_id == stable_id("url", "https://e.com/a")
    # The id of then, for the datasets that store the article under it.
    assert url_article_id_before_1_4(tracked.url) == stable_id("url", "https://e.com/a?at_medium=RSS&at_campaign=rss")
    assert url_article_id_before_1_4(plain.url) == plain.article_id


def test_the_bbc_feed_snapshot_gives_one_canonical_url_per_story(shared_dir: Path) -> None:
    path = shared_dir / BBC_WORLD
    raw = RawDocument(origin=str(path), data=path.read_bytes(), format_hint="feed")
    articles = [a for a in parse_document(raw, load_settings().input, ingested_at=NOW) if isinstance(a, Article)]
    assert len(articles) > 20
    assert all(a.url.endswith("?at_medium=RSS&at_campaign=rss") for a in articles)  # as published
    assert all(a.canonical_url == a.url.split("?")[0] for a in articles)
    assert all(a.article_id == stable_id("url", a.canonical_url) for a in articles)

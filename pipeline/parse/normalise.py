"""One way to build an Article from what a parser found: cleaned fields, a canonical URL, stable ids.

``body`` is the text every offset of the later stages points into, so it is changed as little as
possible: only stripped and given ``\\n`` line ends, and not even that when the caller asks for the
text exactly as given (JSON input, whose offsets users line up with their own copy of the text).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

from pipeline.parse.dates import parse_date, to_utc
from pipeline.records import Article, stable_id

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset({"fbclid", "gclid"})
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BYLINE_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|\||,|&|\band\b)\s*", re.IGNORECASE)


def build_article(
    *,
    body: str,
    origin: str,
    ingested_at: datetime,
    url: Optional[str] = None,
    title: Optional[str] = None,
    source: Optional[str] = None,
    feed_url: Optional[str] = None,
    summary: Optional[str] = None,
    authors: Iterable[str] = (),
    language: Optional[str] = None,
    published_at: Optional[object] = None,
    place: Optional[str] = None,
    keep_body_exact: bool = False,
) -> Article:
    """An Article whose id comes from the canonical URL, or from the body when there is no URL."""
    body = _replace_lone_surrogates(body if keep_body_exact else normalise_newlines(body).strip())
    content_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    canonical = canonical_url(url) if url else None
    article_id = stable_id("url", canonical) if canonical else stable_id("content", content_hash)
    return Article(
        article_id=article_id,
        body=body,
        origin=origin,
        ingested_at=to_utc(ingested_at),
        content_hash=content_hash,
        url=canonical,
        source=clean_line(source),
        feed_url=canonical_url(feed_url) if feed_url else None,
        title=clean_line(title),
        summary=clean_line(summary),
        authors=clean_authors(authors),
        language=clean_language(language),
        published_at=parse_date(published_at),
        place=clean_line(place),
    )


def canonical_url(url: Optional[str]) -> Optional[str]:
    """The URL that identifies an article: None unless it is an absolute http(s) URL.

    Lowercases scheme and host, drops the fragment, default ports, tracking parameters (utm_*,
    fbclid, gclid) and a trailing slash on a non-root path; keeps the other parameters in order.
    User credentials are dropped too: they do not identify the article and must not reach the dataset.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # a bad port or an unbalanced IPv6 bracket
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    # Pairs are filtered as written, not decoded and re-encoded, so the rest of the query stays byte-exact.
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair.split("=", 1)[0]))
    return urlunsplit((scheme, netloc, path, query, ""))


def clean_line(value: Optional[str]) -> Optional[str]:
    """Whitespace runs (newlines included) collapsed to one space; empty -> None."""
    if value is None:
        return None
    cleaned = " ".join(_replace_lone_surrogates(str(value)).split())
    return cleaned or None


def clean_authors(authors: Iterable[str]) -> tuple[str, ...]:
    """Cleaned, de-duplicated names in their first order, without a "By " prefix."""
    names: list[str] = []
    for author in authors:
        name = clean_line(_BYLINE_PREFIX.sub("", author) if isinstance(author, str) else None)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def split_authors(byline: str) -> list[str]:
    """'By Ann Lee and Bo Chen' -> ['Ann Lee', 'Bo Chen']; 'Lee, Ann' stays one name.

    A split is kept only when every part has at least two words, since "Surname, Given" is a
    common way to write a single author.
    """
    byline = _BYLINE_PREFIX.sub("", byline)
    parts = [part for part in _AUTHOR_SEPARATORS.split(byline) if part.strip()]
    if len(parts) > 1 and all(len(part.split()) >= 2 for part in parts):
        return parts
    if ";" in byline:  # a semicolon always separates names (trafilatura joins authors with "; ")
        return [part for part in byline.split(";") if part.strip()]
    return [byline] if byline.strip() else []


def clean_language(language: Optional[str]) -> Optional[str]:
    """BCP 47-ish tag in lower case: 'en_US ' -> 'en-us'."""
    cleaned = clean_line(language)
    return cleaned.lower().replace("_", "-") if cleaned else None


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in _TRACKING_PARAMS


def _replace_lone_surrogates(text: str) -> str:
    # JSON may carry "\ud800"; one U+FFFD per surrogate keeps every offset, and Parquet needs UTF-8.
    return _LONE_SURROGATE.sub("\ufffd", text)

"""One way to build an Article from what a parser found: cleaned fields, a canonical URL, stable ids.

``body`` is the text every offset of the later stages points into, so it is changed as little as
possible: only stripped and given ``\\n`` line ends, and not even that when the caller asks for the
text exactly as given (JSON input, whose offsets users line up with their own copy of the text).

Character references (``&#233;``, ``&eacute;``) are decoded by the readers before the Article is
built, so that offsets point into the decoded text: markup parsers (lxml, trafilatura, feedparser)
decode them in HTML, and :func:`decode_character_references` decodes them where a reader takes
text as plain text (text files, JSON, plain-text feed fields), which real files still carry
("caf&#233;", "communiqu&#233" without its semicolon).
"""

from __future__ import annotations

import hashlib
import html.entities
import re
from collections.abc import Iterable
from typing import Optional
from urllib.parse import SplitResult, urlsplit, urlunsplit

import courlan

from pipeline.parse.dates import parse_date, to_utc
from pipeline.parse.provenance import Provenance
from pipeline.records import Article, content_article_id, path_article_id, stable_id

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Tracking keys that courlan keeps, seen on the links of real feeds (DW's maca, the Christian Science
# Monitor's icid, beehiiv's _bhlid) or known campaign ids (Microsoft's ocid, cmpid).
_TRACKING_KEYS_COURLAN_KEEPS = frozenset({"maca", "icid", "_bhlid", "ocid", "cmpid"})
# What URL parsers ignore: C0 controls and space around a URL, tabs and newlines anywhere in it.
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_URL_SPACE = re.compile(r"[\t\n\r]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BYLINE_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|\||,|&|\band\b)\s*", re.IGNORECASE)
# A character reference as HTML writes it, numeric (&#233; &#xE9;) or named (&eacute;), its semicolon
# optional; a named one runs over all its letters and digits, so "&ethics" is one (unknown) name.
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
# The named references HTML still reads without their semicolon ("&eacute", "&amp"): the legacy ones.
_LEGACY_NAMES = frozenset(name for name in html.entities.html5 if not name.endswith(";"))


def build_article(
    provenance: Provenance,
    *,
    body: str,
    url: Optional[str] = None,
    title: Optional[str] = None,
    source: Optional[str] = None,
    summary: Optional[str] = None,
    authors: Iterable[str] = (),
    language: Optional[str] = None,
    published_at: Optional[object] = None,
    place: Optional[str] = None,
    keep_body_exact: bool = False,
    whole_document: bool = False,
) -> Article:
    """An Article whose id comes from the canonical URL; without one, from ``origin`` when the
    article is the ``whole_document`` read from there (a text or HTML file: an edited file then
    replaces its article instead of adding a second one), else from the body (an entry of a feed,
    a record of a JSON Lines dump, which share their document's origin).

    ``source`` and ``language`` are what the document says of itself; without them, the provenance's."""
    origin = provenance.origin
    body = _replace_lone_surrogates(body if keep_body_exact else normalise_newlines(body).strip())
    content_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    canonical = canonical_url(url)
    if canonical:
        article_id = stable_id("url", canonical)
    elif whole_document:
        article_id = path_article_id(origin)
    else:
        article_id = content_article_id(content_hash)
    return Article(
        article_id=article_id,
        body=body,
        origin=origin,
        ingested_at=to_utc(provenance.ingested_at),
        content_hash=content_hash,
        url=published_url(url),
        canonical_url=canonical,
        source=clean_line(source or provenance.source),
        feed_url=canonical_url(provenance.feed_url) if provenance.feed_url else None,
        title=clean_line(title),
        summary=clean_line(summary),
        authors=clean_authors(authors),
        language=clean_language(language or provenance.language),
        published_at=parse_date(published_at),
        place=clean_line(place),
        modified_at=to_utc(provenance.modified_at) if provenance.modified_at else None,
    )


def published_url(url: Optional[str]) -> Optional[str]:
    """The URL as published, for ``articles.url``: None unless it is an absolute http(s) URL.

    Kept as given but for two things. User credentials (``user:password@``) are dropped: they must not
    reach the dataset, and they do not tell pages apart. Leading and trailing spaces and controls are
    stripped and tabs and newlines removed, as every URL parser does (``urlsplit`` included), so the
    stored URL is the one that was read.
    """
    if not url or not isinstance(url, str):
        return None
    cleaned = _replace_lone_surrogates(_URL_SPACE.sub("", url.strip(_C0_AND_SPACE)))
    try:
        parts = urlsplit(cleaned)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:  # a bad port, an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not (parts.hostname or "").strip().rstrip("."):
        return None
    if "@" in parts.netloc:
        cleaned = cleaned.replace(parts.netloc, parts.netloc.rpartition("@")[2], 1)
    return cleaned


def canonical_url(url: Optional[str]) -> Optional[str]:
    """The URL that identifies an article (``articles.canonical_url``, its id): None unless it is an
    absolute http(s) URL; never raises.

    courlan's ``normalize_url`` does the work: lower-case scheme and host, default ports dropped,
    tracking parameters dropped (utm_*, at_medium/at_campaign, fbclid, gclid, mc_*, ref, source ...),
    the other parameters sorted, the path percent-encoded, a trailing slash dropped from a path
    without query. On top of it, the project's own rules (each commented where it is applied): no
    user credentials, no fragment, a few more tracking keys, and a parameter without value kept.
    """
    published = published_url(url)
    if published is None:
        return None
    try:
        parts = urlsplit(published)
        host = (parts.hostname or "").rstrip(".")  # "example.com." is example.com
        if ":" in host:
            host = f"[{host}]"
        port = parts.port
        # courlan strips a default port only after a word character, so not after "[::1]": done here,
        # with the credentials, since the netloc is rebuilt for them anyway.
        netloc = host if port in (None, _DEFAULT_PORTS[parts.scheme.lower()]) else f"{host}:{port}"
        pairs = [pair for pair in parts.query.split("&") if pair]
        query = "&".join(pair for pair in pairs if pair.split("=", 1)[0].lower() not in _TRACKING_KEYS_COURLAN_KEEPS)
        # A SplitResult, not a string: courlan HTML-unescapes a string first, which turns the
        # "&region=" of a query into "®ion=". No fragment: it names a place in a page, not a page.
        # Not courlan.clean_url: its scrub step replaces a URL by any URL in its query, so
        # "/login?next=https://other.example/" would be known as the other page.
        canonical = courlan.normalize_url(
            SplitResult(parts.scheme, netloc, parts.path or "/", query, ""), strict=False, trailing_slash=False
        )
    except (ValueError, TypeError):  # UnicodeError included
        return None
    # courlan reads the query with parse_qs, which drops a parameter without value: "story.php?12345"
    # would be "story.php", one id for every story of the site. Those are put back, in key order.
    bare = [pair for pair in pairs if "=" not in pair and pair.lower() not in _TRACKING_KEYS_COURLAN_KEEPS]
    if not bare:
        return canonical
    result = urlsplit(canonical)
    kept = sorted([*filter(None, result.query.split("&")), *bare], key=lambda pair: pair.split("=", 1)[0])
    return urlunsplit(result._replace(query="&".join(kept)))


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


def decode_character_references(text: str) -> str:
    """HTML character references in plain text decoded, in one pass: "caf&#233" -> "café", "&amp;#233;" -> "&#233;".

    Numeric references are decoded as ``html.unescape`` does (with or without the semicolon, the
    Windows-1252 meaning of &#128;-&#159;, U+FFFD for what is no character). A named reference
    without its semicolon is decoded only when it is exactly a legacy name and is not followed by
    "=": the rule HTML applies inside attribute values, because ``html.unescape``'s longest-prefix
    rule for text would turn the plain words of "Business&ethics" and "Local&regional" into
    "Businessðics" and "Local®ional", and the "&copy=1" of a URL into "©=1". Ampersands that start
    no reference ("AT&T", "R&D", "Q&A") stay as they are.
    """
    if "&" not in text:
        return text
    return _CHARACTER_REFERENCE.sub(_decode_reference, text)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_reference(match: re.Match[str]) -> str:
    reference = match.group(0)
    if reference.startswith("&#"):
        return html.unescape(reference)
    name = reference[1:]
    if name.endswith(";"):
        return html.entities.html5.get(name, reference)
    if name in _LEGACY_NAMES and not match.string.startswith("=", match.end()):
        return html.entities.html5[name]
    return reference


def _replace_lone_surrogates(text: str) -> str:
    # JSON may carry "\ud800"; one U+FFFD per surrogate keeps every offset, and Parquet needs UTF-8.
    return _LONE_SURROGATE.sub("\ufffd", text)

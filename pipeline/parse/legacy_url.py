"""The article id of a URL as schema 1.3 and before made it, kept only so that a run can find the
articles a dataset created before 1.4 stores under it (``pipeline.stages.legacy_url_id``).

Until 1.3 the canonical URL was hand-written: utm_*, fbclid and gclid dropped, the rest kept byte for
byte. Since 1.4 it is courlan's (``normalise.canonical_url``), which drops more tracking parameters
(BBC's ``at_medium``/``at_campaign``, ``ref``, ``mc_*`` ...) and sorts the others, so many URLs
changed id. Frozen: do not improve it, it has to give the ids that are stored.
"""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit, urlunsplit

from pipeline.records import stable_id

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset({"fbclid", "gclid"})


def url_article_id_before_1_4(url: Optional[str]) -> Optional[str]:
    """The id schema 1.3 and before gave an article with this URL, or None when it gave it none."""
    canonical = _canonical_url_before_1_4(url)
    return stable_id("url", canonical) if canonical else None


def _canonical_url_before_1_4(url: Optional[str]) -> Optional[str]:
    # normalise.canonical_url as it was until schema 1.3, unchanged.
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
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair.split("=", 1)[0]))
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in _TRACKING_PARAMS

"""The catalogue of failure reasons: every way an input can fail, with one code each.

A reason code is part of the dataset contract (the ``failures.reason`` column):
add codes freely, never rename one.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Optional

from pipeline.records import Failure


class Reason(str, Enum):
    # reading
    UNREADABLE_PATH = "unreadable_path"  # missing, permission denied, not a file
    NO_MATCH = "no_match"  # a glob or folder that matched no file
    EMPTY_FILE = "empty_file"
    BINARY_FILE = "binary_file"  # bytes that are no text in any encoding we accept
    TRUNCATED_GZIP = "truncated_gzip"  # corrupt or cut-off compressed data
    TOO_LARGE = "too_large"  # over the configured size limit
    UNDECODABLE = "undecodable"  # bytes that no candidate encoding decodes
    # parsing
    MALFORMED_JSON = "malformed_json"
    JSON_WITHOUT_TEXT = "json_without_text"
    HTML_WITHOUT_TEXT = "html_without_text"
    MALFORMED_FEED = "malformed_feed"  # XML a feed parser cannot read into any entry
    FEED_WITHOUT_ENTRIES = "feed_without_entries"
    ENTRY_WITHOUT_TEXT = "entry_without_text"
    NO_TEXT = "no_text"  # a text document with nothing but whitespace or a title
    UNSUPPORTED_FORMAT = "unsupported_format"
    MALFORMED_FEED_LIST = "malformed_feed_list"  # a YAML/OPML feed list, or one entry of it, that cannot be used
    # fetching (HTTP)
    HTTP_ERROR = "http_error"
    TIMEOUT = "timeout"  # no byte within http.connect_timeout / http.read_timeout
    DEADLINE_EXCEEDED = "deadline_exceeded"  # a response (or a watch cycle's polling) outlived its deadline: a slow peer
    INTERRUPTED = "interrupted"  # a fetch abandoned because newsbeam was told to stop; the watch reads it again at its next start
    CONNECTION_ERROR = "connection_error"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    FORBIDDEN_HOST = "forbidden_host"  # private, loopback or link-local address without --allow-private-hosts
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    FULLTEXT_FAILED = "fulltext_failed"
    # NLP
    NLP_ERROR = "nlp_error"
    # anything a stage did not expect: still a row, never a crash
    INTERNAL_ERROR = "internal_error"


def make_failure(
    stage: str,
    reason: Reason,
    origin: str,
    detail: str,
    *,
    locator: Optional[str] = None,
    snippet: Optional[object] = None,
    occurred_at: Optional[datetime] = None,
) -> Failure:
    """Build a Failure; ``snippet`` (bytes or str) is cut to a short, printable prefix."""
    return Failure(
        stage=stage,
        reason=Reason(reason).value,
        origin=origin,
        detail=detail[:2000],
        occurred_at=occurred_at or datetime.now(timezone.utc),
        locator=locator,
        snippet=_short_snippet(snippet),
    )


def _short_snippet(snippet: Optional[object], limit: int = 200) -> Optional[str]:
    if snippet is None:
        return None
    if isinstance(snippet, (bytes, bytearray)):
        return bytes(snippet[:limit]).decode("utf-8", errors="backslashreplace")
    return str(snippet)[:limit]

"""robots.txt for the pages fetched for full text (not for feeds, which are published to be polled).

A host's rules are fetched with the same ``fetch`` as everything else (address checks, per-host gate,
limits), once per host per process and kept for a day (RFC 9309 asks for no longer). What a fetch
that fails means follows RFC 9309: a 4xx answer means there are no rules (every page allowed); a
server error, a timeout or a connection error means the rules are unknown, so no page of the host
is fetched until they can be read; the entry keeps its summary meanwhile.
"""

from __future__ import annotations

import threading
import time
from typing import Optional, Union
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from pipeline.config import HttpSettings
from pipeline.failures import Reason
from pipeline.records import Failure
from pipeline.sources.cutoff import Cutoff
from pipeline.sources.http import FetchResult, HostPoliteness, fetch

KEEP_SECONDS = 24 * 3600.0
# Rules that could not be read are asked for again sooner: a server error is often over in minutes.
RETRY_UNKNOWN_SECONDS = 600.0

_lock = threading.Lock()
# scheme://host[:port] -> (monotonic time it was read, the rules; None: unknown, nothing allowed)
_rules: dict[str, tuple[float, Optional[RobotFileParser]]] = {}


def robots_allows(
    url: str, http: HttpSettings, *, gate: HostPoliteness, cutoff: Optional[Cutoff] = None
) -> Union[bool, Failure]:
    """Whether the host's robots.txt lets ``http.user_agent`` fetch ``url``; an ``interrupted``
    Failure when a stop cut the robots.txt fetch short (the caller drops the poll, as for a page)."""
    parts = urlsplit(url)
    site = f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"
    now = time.monotonic()
    with _lock:
        cached = _rules.get(site)
    if cached is not None and now - cached[0] < (KEEP_SECONDS if cached[1] is not None else RETRY_UNKNOWN_SECONDS):
        rules = cached[1]
    else:
        answer = fetch(f"{site}/robots.txt", http, politeness=gate, cutoff=cutoff)
        if isinstance(answer, Failure) and answer.reason == Reason.INTERRUPTED.value:
            return answer
        rules = rules_from(answer)
        with _lock:
            _rules[site] = (now, rules)
    return rules is not None and rules.can_fetch(http.user_agent, url)


def rules_from(answer: Union[FetchResult, Failure]) -> Optional[RobotFileParser]:
    """The rules a robots.txt fetch gave; None when they are unknown."""
    rules = RobotFileParser()
    if isinstance(answer, FetchResult):
        rules.parse(answer.data.decode("utf-8", errors="replace").splitlines())
        return rules
    # http.fetch writes an HTTP error's detail as "HTTP <status> <reason>"; a 4xx says: no rules here.
    if answer.reason == Reason.HTTP_ERROR.value and answer.detail.startswith("HTTP 4"):
        rules.allow_all = True
        return rules
    return None


def forget_rules() -> None:
    """Drop every host's cached rules (tests; a long-lived process keeps them a day)."""
    with _lock:
        _rules.clear()

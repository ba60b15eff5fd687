"""What every parser is told about the document it reads, and stamps on each article it makes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Optional

from pipeline.records import RawDocument

STAGE = "parse"  # the stage named by every parser's failures


@dataclass(frozen=True)
class Provenance:
    """Where a document came from and what its input says about all of its articles."""

    origin: str  # the path or URL the document was read from
    ingested_at: datetime
    source: Optional[str] = None  # the outlet, as the input names it (a feed list, a fetch)
    feed_url: Optional[str] = None  # the feed an entry or a fetched page came from
    language: Optional[str] = None  # as declared: a hint for detection, never the answer
    modified_at: Optional[datetime] = None  # the file's, when undated articles are to be filed under it

    @classmethod
    def of(cls, raw: RawDocument, ingested_at: datetime) -> "Provenance":
        return cls(origin=raw.origin, ingested_at=ingested_at, source=raw.source, feed_url=raw.feed_url,
                   language=raw.language, modified_at=raw.modified_at)

    def filled(self, *, source: Optional[str] = None, feed_url: Optional[str] = None,
               language: Optional[str] = None) -> "Provenance":
        """This provenance with what a document says of itself (a feed's title, language and URL)
        filling what its input left unsaid; what the input said wins."""
        return replace(self, source=self.source or source, feed_url=self.feed_url or feed_url,
                       language=self.language or language)

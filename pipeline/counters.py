"""The catalogue of counter names: every ``Tally`` a stage emits is named here, and every reader
(the summary, ``--json``, the run report, watch's cycle line, progress) reads them through here.

A name is a constant of :class:`Count`, or one of the families below built by its function, never a
string literal in a stage: a typo is then an AttributeError, not a count that silently reads 0.
``docs/scheduling.md`` lists what the summary shows of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final


class Count:
    """Counter names, by the stage that emits them."""

    # reading files (pipeline/stages.py)
    FILES_OPENED: Final = "files_opened"
    FILES_UNOPENED: Final = "files_unopened"  # the bytes could not be read at all
    DOCUMENTS_READ: Final = "documents_read"
    ARTICLES_READ: Final = "articles_read"  # from files and feeds alike
    # feeds (pipeline/sources/feeds.py)
    FEEDS_FETCHED: Final = "feeds_fetched"
    FEEDS_NOT_MODIFIED: Final = "feeds_not_modified"  # answered 304
    FEEDS_FAILED: Final = "feeds_failed"
    FEED_ENTRIES_SEEN: Final = "feed_entries_seen"
    FULL_TEXTS_FETCHED: Final = "full_texts_fetched"
    # the page was not fetched: its host's robots.txt refuses it, or could not be read (sources/robots.py)
    FULL_TEXTS_DISALLOWED: Final = "full_texts_disallowed"
    # de-duplication and the stored index (pipeline/stages.py)
    DUPLICATES: Final = "duplicates"  # copies of one article in the input
    UNCHANGED: Final = "unchanged"  # already stored with the same content
    CHANGED: Final = "changed"  # stored with other content: its old rows are replaced
    FAILURES_ALREADY_RECORDED: Final = "failures_already_recorded"
    # NLP (pipeline/nlp/annotate.py) and rows (pipeline/stages.py)
    ARTICLES_ANNOTATED: Final = "articles_annotated"
    ENTITIES: Final = "entities"
    QUOTES: Final = "quotes"
    # writing (pipeline/sinks/write.py)
    PARTITIONS_STAGED: Final = "partitions_staged"
    # the commit (pipeline/run.py)
    ROWS_REMOVED: Final = "rows_removed"
    FILES_COMPACTED: Final = "files_compacted"


# Families: one counter per reason, language or table.
FAILURE_PREFIX: Final = "failure:"
NOT_ANNOTATED_PREFIX: Final = "not_annotated:"
ROWS_WRITTEN_PREFIX: Final = "rows_written:"  # staged by the workers
ROWS_ADDED_PREFIX: Final = "rows_added:"  # the launcher's split of rows_written after the commit
ROWS_REPLACED_PREFIX: Final = "rows_replaced:"


def failure(reason: str) -> str:
    """The counter of the failures of one reason (``failures.Reason``)."""
    return f"{FAILURE_PREFIX}{reason}"


def not_annotated(language: str) -> str:
    """The counter of the articles stored unannotated because no pipeline reads ``language``."""
    return f"{NOT_ANNOTATED_PREFIX}{language}"


def rows_written(table: str) -> str:
    return f"{ROWS_WRITTEN_PREFIX}{table}"


def rows_added(table: str) -> str:
    return f"{ROWS_ADDED_PREFIX}{table}"


def rows_replaced(table: str) -> str:
    return f"{ROWS_REPLACED_PREFIX}{table}"


def family(counts: Mapping[str, int], prefix: str) -> dict[str, int]:
    """The non-zero counters of one family, by what follows the prefix ("failure:" -> by reason)."""
    return {name[len(prefix):]: n for name, n in counts.items() if name.startswith(prefix) and n}


def failures_by_reason(counts: Mapping[str, int]) -> dict[str, int]:
    return family(counts, FAILURE_PREFIX)


def failure_total(counts: Mapping[str, int]) -> int:
    return sum(failures_by_reason(counts).values())


def names() -> frozenset[str]:
    """Every plain counter name of the catalogue."""
    return frozenset(value for key, value in vars(Count).items() if key.isupper())

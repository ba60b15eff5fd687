"""Feed lists: which feeds to poll, from YAML or from OPML (what feed readers export).

YAML takes a list of URLs or of mappings, or ``{feeds: [...]}``::

    feeds:
      - https://example.org/rss.xml
      - url: https://example.com/atom.xml
        name: Example News        # or "source"
        interval: 15m             # seconds, or 90s / 15m / 1h / 1d / 1h30m
        full_text: true           # fetch the linked page when an entry has only a summary
        language: en

OPML takes nested ``<outline>`` elements; those with ``xmlUrl`` are feeds (``title`` or ``text`` names
them, and ``interval``, ``fullText`` and ``language`` attributes carry the same settings), the others
are folders.  A bad entry is a Failure and the good ones still load; a file that cannot be read at all
is one Failure.  Hostile OPML: a DOCTYPE is refused before any entity can be declared, so nothing is
ever expanded, and the file is read up to a size limit only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union
from urllib.parse import urlsplit
from xml.parsers import expat

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.failures import Reason, make_failure
from pipeline.records import Failure

STAGE = "read"
YAML_SUFFIXES = (".yaml", ".yml")
OPML_SUFFIX = ".opml"
MAX_FEED_LIST_BYTES = 10_000_000  # a list of a hundred thousand feeds fits; a runaway file does not
SNIFF_BYTES = 4096
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class FeedSpec:
    """One feed to poll; None settings fall back to the run's defaults."""

    url: str
    name: Optional[str] = None
    interval_seconds: Optional[float] = None
    full_text: Optional[bool] = None
    language: Optional[str] = None


class FeedListError(ValueError):
    """A feed list, or an entry of it, that cannot be used; the message is meant for the user."""


def parse_duration(value: Union[str, float, int]) -> float:
    """Seconds from ``300``, ``"300"``, ``"90s"``, ``"5m"``, ``"1h30m"`` or ``"1d"``; raises ValueError."""
    if isinstance(value, bool):  # YAML "yes" is a bool, and a bool is an int: refuse it explicitly
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = value.strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif text and re.fullmatch(f"(?:{_DURATION_PART.pattern})+", text):
            seconds = sum(float(amount) * _UNIT_SECONDS[unit] for amount, unit in _DURATION_PART.findall(text))
        else:
            raise ValueError(f"not a duration: {value!r} (use seconds, or e.g. 90s, 15m, 1h, 1h30m, 1d)")
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return seconds


class _FeedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    name: Optional[str] = Field(default=None, validation_alias=AliasChoices("name", "source"))
    interval: Optional[float] = None
    full_text: Optional[bool] = None
    language: Optional[str] = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http(s) URL, got {url!r}")
        return url

    @field_validator("interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Optional[float]:
        return None if value is None else parse_duration(value)

    def to_spec(self) -> FeedSpec:
        return FeedSpec(self.url, self.name, self.interval, self.full_text, self.language)


def load_feed_list(path: Union[str, Path], *, max_bytes: int = MAX_FEED_LIST_BYTES) -> tuple[list[FeedSpec], list[Failure]]:
    """The feeds of a YAML or OPML feed list (by extension, else by content), with a Failure per bad entry."""
    path = Path(path)
    origin = str(path)
    try:
        data = _read_bounded(path, max_bytes)
        entries = _opml_entries(data) if _looks_like_opml(path, data) else _yaml_entries(data)
    except OSError as error:
        return [], [make_failure(STAGE, Reason.UNREADABLE_PATH, origin, f"cannot read feed list: {error.strerror}")]
    except _TooLarge:
        return [], [make_failure(STAGE, Reason.TOO_LARGE, origin, f"feed list larger than {max_bytes} bytes")]
    except FeedListError as error:
        return [], [make_failure(STAGE, Reason.MALFORMED_FEED_LIST, origin, str(error), snippet=data)]
    return _validate(entries, origin)


def is_feed_list(path: Union[str, Path]) -> bool:
    """True for .yaml/.yml/.opml files, and for other files whose XML root element is <opml>."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES or suffix == OPML_SUFFIX:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:  # a folder, a glob, a URL, a missing file: not a feed list
        return False
    return _xml_root(head) == "opml"


class _TooLarge(Exception):
    pass


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _TooLarge()
    return data


def _looks_like_opml(path: Path, data: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return False
    return suffix == OPML_SUFFIX or _xml_root(data[:SNIFF_BYTES]) == "opml"


# --- YAML -------------------------------------------------------------------------------------------


def _yaml_entries(data: bytes) -> list[tuple[str, Any]]:
    """(locator, raw entry) pairs from the YAML text; the entries are validated later, one by one."""
    try:
        document = yaml.safe_load(data)
    except yaml.YAMLError as error:
        raise FeedListError(f"not valid YAML: {error}") from None
    if isinstance(document, dict):
        unknown = sorted(str(key) for key in document if key != "feeds")
        if unknown:
            raise FeedListError(f"unknown top-level key(s) {', '.join(unknown)}: a feed list holds only 'feeds'")
        document = document.get("feeds")
    if not isinstance(document, list) or not document:
        raise FeedListError("a feed list must be a non-empty list of feeds, or a mapping {feeds: [...]}")
    return [(f"feeds[{index}]", entry) for index, entry in enumerate(document)]


# --- OPML -------------------------------------------------------------------------------------------


def _opml_entries(data: bytes) -> list[tuple[str, Any]]:
    """(locator, raw entry) pairs from every <outline xmlUrl=...>, at any depth, in document order."""
    parser = _safe_expat_parser()
    entries: list[tuple[str, Any]] = []
    root: list[str] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        if not root:
            root.append(tag)
            if tag != "opml":
                raise FeedListError(f"not an OPML document: its root element is <{tag}>")
        if tag != "outline":
            return
        lowered = {key.lower(): value for key, value in attributes.items()}
        if "xmlurl" in lowered:  # outlines without a feed URL are folders
            entries.append((f"line {parser.CurrentLineNumber}", _opml_entry(lowered)))

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise FeedListError(f"not well-formed XML: {expat.errors.messages[error.code]} at line {error.lineno}") from None
    if not entries:
        raise FeedListError("an OPML feed list without any <outline xmlUrl=...>")
    return entries


def _opml_entry(attributes: dict[str, str]) -> dict[str, str]:
    entry = {"url": attributes["xmlurl"]}
    name = attributes.get("title") or attributes.get("text")
    if name:
        entry["name"] = name
    for attribute, key in (("interval", "interval"), ("fulltext", "full_text"), ("language", "language")):
        if attributes.get(attribute):
            entry[key] = attributes[attribute]
    return entry


def _safe_expat_parser() -> expat.XMLParserType:
    """An expat parser that refuses any DOCTYPE: no DTD, no entity declarations, nothing to expand."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(*_: object) -> None:
        raise FeedListError("DOCTYPE declarations are refused in feed lists (they can declare entities)")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype  # unreachable without a DOCTYPE; kept as a second lock
    return parser


class _Root(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _xml_root(head: bytes) -> Optional[str]:
    """The root element's name from the first bytes of an XML document, or None when it is no XML."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def found(name: str, *_: object) -> None:
        raise _Root(name)  # stop at once: the rest of the document is not needed (nor expanded)

    parser.StartDoctypeDeclHandler = found  # <!DOCTYPE opml ...> names the root too
    parser.StartElementHandler = found
    try:
        parser.Parse(head, False)
    except _Root as root:
        return root.name
    except expat.ExpatError:
        return None
    return None


# --- validation -------------------------------------------------------------------------------------


def _validate(entries: list[tuple[str, Any]], origin: str) -> tuple[list[FeedSpec], list[Failure]]:
    specs: list[FeedSpec] = []
    failures: list[Failure] = []
    first_seen: dict[str, str] = {}
    for locator, raw in entries:
        try:
            spec = _to_spec(raw)
        except FeedListError as error:
            failures.append(make_failure(STAGE, Reason.MALFORMED_FEED_LIST, origin, str(error), locator=locator))
            continue
        if spec.url in first_seen:
            detail = f"duplicate feed {spec.url} ignored: already listed at {first_seen[spec.url]}"
            failures.append(make_failure(STAGE, Reason.MALFORMED_FEED_LIST, origin, detail, locator=locator))
            continue
        first_seen[spec.url] = locator
        specs.append(spec)
    return specs, failures


def _to_spec(raw: Any) -> FeedSpec:
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        # checked before pydantic so that a huge or self-referencing value is never walked or printed
        raise FeedListError(f"a feed must be a URL or a mapping with 'url', got a {type(raw).__name__}")
    try:
        return _FeedEntry.model_validate(raw).to_spec()
    except ValidationError as error:
        problems = "; ".join(_describe(problem) for problem in error.errors(include_input=False, include_url=False))
        raise FeedListError(problems) from None


def _describe(problem: Any) -> str:
    where = ".".join(str(part) for part in problem["loc"]) or "entry"
    if problem["type"] == "extra_forbidden":
        return f"unknown key {where!r} (allowed: url, name or source, interval, full_text, language)"
    return f"{where}: {problem['msg'].removeprefix('Value error, ')}"

"""Plain text and Markdown articles: an optional header block or title line, then the body.

Layouts understood, at the top of the file:

* a header block: ``Title:``, ``Date:``, ``URL:``, ``Source:``, ``Author:``/``Authors:`` and
  ``Language:`` lines, ended by a blank line;
* a title line: the first non-empty line when a blank line follows it (the BBC layout), or a
  Markdown ``# `` heading. Without one the title is None: inventing one from the first sentence
  would only repeat the body.

A news dateline at the start of the body ("MOSCOW, May 18. /TASS/.", "WASHINGTON (Reuters) -",
"LONDON, May 18 (AP) —", "PARIS —") gives the place (kept as written, in capitals, since that is
how the wire services print it), the agency as source, and the date. The dateline stays in the
body: users want offsets into the text as published. A dateline rarely carries its year, so the
year comes from a ``Date:`` header or from a YYYY-MM-DD in the file name; with neither,
published_at stays None rather than guessing the current year.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple, Optional

from pipeline.failures import Reason, make_failure
from pipeline.parse.dates import find_date_in_name, parse_date
from pipeline.parse.normalise import build_article, decode_character_references, normalise_newlines, split_authors
from pipeline.parse.provenance import STAGE, Provenance
from pipeline.records import ParseResult

_MAX_TITLE_CHARS = 200
_HEADER_LINE = re.compile(r"^(title|date|url|source|authors?|language)[ \t]*:[ \t]*(.*)$", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$")

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE = rf"(?P<month_day>{_MONTH} \d{{1,2}})(?:,? (?P<year>\d{{4}}))?"
# Capitals (accented ones too), with the spaces, dots, hyphens and slashes of "ST. PETERSBURG",
# "RIO DE JANEIRO" or "BEIJING/LONDON"; at most 40 characters so that a shouted sentence is no place.
_PLACE = r"(?P<place>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’/ -]{1,39}?)"
_AGENCY = r"(?P<source>[A-Za-z][\w.&' -]{0,30}?)"
_DASH = r"(?:-{1,2}|–|—)"
_DATELINES = (
    re.compile(rf"{_PLACE}, {_DATE}\. /{_AGENCY}/\.?"),  # MOSCOW, May 18. /TASS/.
    re.compile(rf"{_PLACE}(?:, {_DATE})? \({_AGENCY}\) ?{_DASH}"),  # WASHINGTON (Reuters) -
    re.compile(rf"{_PLACE}(?:, {_DATE})? {_DASH} "),  # PARIS —
)


class Header(NamedTuple):
    fields: dict[str, str]
    rest: str


class Dateline(NamedTuple):
    place: str
    month_day: Optional[str]
    year: Optional[int]
    source: Optional[str]
    end: int  # offset in the body where the dateline ends


def parse_text(text: str, provenance: Provenance) -> ParseResult:
    """One Article from a plain-text or Markdown document, or a NO_TEXT failure.

    Character references are decoded in the whole document first, once ("caf&#233;" -> "café"):
    header, title and body all come from the decoded text, and the body's offsets point into it.
    """
    header = read_header_block(normalise_newlines(decode_character_references(text)))
    fields = dict(header.fields)
    rest = header.rest
    if "title" not in fields:
        title, rest = split_title_line(rest)
        if title is not None:
            fields["title"] = title
    body = rest.strip()
    if not body:
        return make_failure(STAGE, Reason.NO_TEXT, provenance.origin, "no body text (empty, or only a title)", snippet=text)
    dateline = find_dateline(body)
    header_date = parse_date(fields.get("date"))
    return build_article(
        provenance,
        body=body,
        url=fields.get("url"),
        title=fields.get("title"),
        source=fields.get("source") or provenance.source or (dateline.source if dateline else None),
        authors=split_authors(fields.get("authors") or fields.get("author") or ""),
        language=fields.get("language"),
        published_at=header_date or date_from_dateline(dateline, fields.get("date"), provenance.origin),
        place=dateline.place if dateline else None,
        whole_document=True,
    )


def read_header_block(text: str) -> Header:
    """``Key: value`` lines at the top, up to a blank line; no header when any line is not one."""
    lines = text.lstrip("\n").split("\n")
    fields: dict[str, str] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            if fields:
                return Header(fields, "\n".join(lines[index + 1 :]))
            break
        match = _HEADER_LINE.match(line.strip())
        if match is None:
            break
        fields.setdefault(match.group(1).lower(), match.group(2).strip())
    return Header({}, text)


def split_title_line(text: str) -> tuple[Optional[str], str]:
    """(title, rest): a Markdown '# ' heading, or a short first line with a blank line after it."""
    lines = text.lstrip().split("\n")
    first = lines[0].strip()
    heading = _MARKDOWN_HEADING.match(first)
    if heading:
        return heading.group(1), "\n".join(lines[1:])
    # A final newline is no blank line: "One line.\n" is a body, "Headline\n\n" a title with no body.
    followed_by_blank = len(lines) > 2 and not lines[1].strip()
    if followed_by_blank and len(first) <= _MAX_TITLE_CHARS and find_dateline(first) is None:
        return first, "\n".join(lines[2:])
    return None, text


def find_dateline(body: str) -> Optional[Dateline]:
    """The wire-service dateline that opens ``body``, if any."""
    for pattern in _DATELINES:
        match = pattern.match(body)
        if match:
            groups = match.groupdict()
            year = groups.get("year")
            return Dateline(
                place=groups["place"].strip(),
                month_day=groups.get("month_day"),
                year=int(year) if year else None,
                source=(groups.get("source") or "").strip() or None,
                end=match.end(),
            )
    return None


def date_from_dateline(dateline: Optional[Dateline], header_date: Optional[str], origin: str) -> Optional[datetime]:
    """The dateline's month and day in the first year known: the dateline's, the Date: header's, the file name's.

    Without a dateline date, a YYYY-MM-DD in the file name is the best date there is.
    """
    name_date = find_date_in_name(origin)
    if dateline is None or dateline.month_day is None:
        return name_date
    year = dateline.year or _year_in(header_date) or (name_date.year if name_date else None)
    if year is None:
        return None
    return parse_date(f"{dateline.month_day.replace('.', '')} {year}")


def _year_in(text: Optional[str]) -> Optional[int]:
    match = re.search(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)", text or "")
    return int(match.group(1)) if match else None

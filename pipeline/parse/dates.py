"""Dates in whatever form news comes with, to timezone-aware UTC datetimes; anything else to None.

Accepted: datetime/date objects, ``time.struct_time`` and 9-tuples (feedparser's ``*_parsed``, which
are UTC), Unix timestamps (seconds or milliseconds), ISO 8601, RFC 822/1123, and the free forms
python-dateutil reads ("May 18, 2024", "18 May 2024 14:05 EST"). A date that lacks its year, month
or day is refused rather than completed from today's date: a wrong date is worse than none.
"""

from __future__ import annotations

import re
import time
import warnings
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Optional

from dateutil import parser as dateutil_parser
from dateutil import tz

_EARLIEST_YEAR = 1800
_LATEST_YEAR = 2200
_MILLISECONDS_FROM = 1e11  # a timestamp this large is in milliseconds (1e11 s is the year 5138)
_MAX_TEXT = 200  # longer strings are prose, not dates; also bounds dateutil's work

# Two defaults that differ in every field: a field that the text lacks shows up as a difference.
_PROBE_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))

# US zone abbreviations that wire copy uses; dateutil only knows UTC/GMT/Z by itself.
_ZONE_ABBREVIATIONS = {
    name: tz.tzoffset(name, hours * 3600)
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "CET": 1, "CEST": 2, "MSK": 3, "IST": 5.5, "JST": 9,
    }.items()
}

_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def parse_date(value: object) -> Optional[datetime]:
    """``value`` as an aware UTC datetime, or None when it is no recognisable, complete date."""
    try:
        parsed = _parse_any(value)
    except (ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    if parsed is None or not _EARLIEST_YEAR <= parsed.year < _LATEST_YEAR:
        return None
    return to_utc(parsed)


def to_utc(moment: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones are taken to be UTC already."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def find_date_in_name(name: str) -> Optional[datetime]:
    """The last YYYY-MM-DD in a path or URL ("tass-lavrov-2024-05-18.txt"), as midnight UTC."""
    for year, month, day in reversed(_DATE_IN_NAME.findall(name)):
        found = parse_date(f"{year}-{month}-{day}")
        if found is not None:
            return found
    return None


def _parse_any(value: object) -> Optional[datetime]:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time.struct_time) or _is_time_tuple(value):
        return datetime(*value[:6], tzinfo=timezone.utc)  # type: ignore[index, misc]
    if isinstance(value, (int, float)):
        return _from_timestamp(float(value))
    if isinstance(value, str):
        return _parse_text(value.strip())
    return None


def _is_time_tuple(value: object) -> bool:
    return isinstance(value, tuple) and len(value) >= 6 and all(isinstance(part, int) for part in value[:6])


def _from_timestamp(seconds: float) -> Optional[datetime]:
    if seconds != seconds:  # NaN
        return None
    if abs(seconds) >= _MILLISECONDS_FROM:
        seconds /= 1000
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)


def _parse_text(text: str) -> Optional[datetime]:
    if not text or len(text) > _MAX_TEXT:
        return None
    if text.isdigit() and len(text) >= 9:
        return _from_timestamp(float(text))
    for parse in (_parse_iso, _parse_rfc822, _parse_free_form):
        parsed = parse(text)
        if parsed is not None:
            return parsed
    return None


def _parse_iso(text: str) -> Optional[datetime]:
    # fromisoformat also reads bare years ("2024") as no date would; require a full date.
    if len(text) < 10 or not text[:4].isdigit():
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_rfc822(text: str) -> Optional[datetime]:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_free_form(text: str) -> Optional[datetime]:
    with warnings.catch_warnings():
        # An unknown zone name is ignored (the time is then read as UTC) rather than warned about.
        warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
        first, second = (
            dateutil_parser.parse(text, default=default, tzinfos=_ZONE_ABBREVIATIONS)
            for default in _PROBE_DEFAULTS
        )
    if first.date() != second.date():
        return None  # year, month or day came from the default, not from the text
    return first

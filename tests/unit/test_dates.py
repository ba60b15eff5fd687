from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from pipeline.parse.dates import find_date_in_name, parse_date

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-18T10:00:00+03:00", datetime(2024, 5, 18, 7, tzinfo=UTC)),
        ("2024-05-18T10:00:00Z", datetime(2024, 5, 18, 10, tzinfo=UTC)),
        ("2024-05-18", datetime(2024, 5, 18, tzinfo=UTC)),
        ("2024-05-18 10:00", datetime(2024, 5, 18, 10, tzinfo=UTC)),  # naive: taken as UTC
        ("Sat, 18 May 2024 07:00:00 GMT", datetime(2024, 5, 18, 7, tzinfo=UTC)),
        ("Thu, 01 Jan 2004 19:48:21 -0500", datetime(2004, 1, 2, 0, 48, 21, tzinfo=UTC)),
        ("Tue, 10 Jun 2003 09:41:01 PDT", datetime(2003, 6, 10, 16, 41, 1, tzinfo=UTC)),
        ("May 18, 2024", datetime(2024, 5, 18, tzinfo=UTC)),
        ("18 May 2024", datetime(2024, 5, 18, tzinfo=UTC)),
        ("18 May 2024 14:05 EST", datetime(2024, 5, 18, 19, 5, tzinfo=UTC)),
        (time.struct_time((2024, 5, 18, 7, 0, 0, 5, 139, 0)), datetime(2024, 5, 18, 7, tzinfo=UTC)),
        (1716015600, datetime(2024, 5, 18, 7, tzinfo=UTC)),
        (1716015600000, datetime(2024, 5, 18, 7, tzinfo=UTC)),
        ("1716015600", datetime(2024, 5, 18, 7, tzinfo=UTC)),
        (date(2024, 5, 18), datetime(2024, 5, 18, tzinfo=UTC)),
        (datetime(2024, 5, 18, 10, tzinfo=timezone(timedelta(hours=2))), datetime(2024, 5, 18, 8, tzinfo=UTC)),
    ],
)
def test_dates_become_aware_utc(value: object, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    "value",
    [None, "", "garbage", "May 18", "2024", "5", "0000-00-00", "Mon, 99 Xyz 2024", "9" * 30, float("inf"),
     float("nan"), True, ["2024-05-18"], {"date": 1}, "x" * 10_000, "1066-10-14"],
)
def test_incomplete_or_garbage_is_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/data/tass-lavrov-2024-05-18.txt", datetime(2024, 5, 18, tzinfo=UTC)),
        ("/2023-01-01/story-2024-02-29.md", datetime(2024, 2, 29, tzinfo=UTC)),
        ("/data/story-2023-02-30.txt", None),
        ("/data/id-12024-05-180.txt", None),
        ("/data/story.txt", None),
    ],
)
def test_date_in_file_name(name: str, expected: datetime | None) -> None:
    assert find_date_in_name(name) == expected

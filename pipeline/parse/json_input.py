"""JSON and JSON Lines articles, with the field names of ``InputSettings.json_fields``.

JSON: one object, an array of objects, or an object holding them under "articles", "items" or
"data". JSONL: one object per line; a bad line is a failure of its own and the other lines still
land. Locators count from 1 ("line 3", "item 2"), as editors and ``sed -n 3p`` do.

The body is kept as given (not even stripped), since users line offsets up with their own copy,
with one change: character references are decoded ("caf&#233;" -> "café"), in the body as in every
other text field. JSON has its own escapes ("\u00e9"); a reference in a JSON string is HTML that the
exporter left escaped, and an entity name with "&#233" in it helps nobody.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Optional

from pipeline.config import JsonFields
from pipeline.failures import Reason, make_failure
from pipeline.parse.normalise import build_article, decode_character_references, split_authors
from pipeline.parse.provenance import STAGE, Provenance
from pipeline.records import Failure, ParseResult

_LIST_KEYS = ("articles", "items", "data")
_NAME_KEYS = ("name", "title", "text")  # where an object stands for a person or a publisher


def parse_json(text: str, provenance: Provenance, *, fields: JsonFields) -> list[ParseResult]:
    """Articles (or failures) from one JSON document."""
    origin = provenance.origin
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [_malformed(origin, error.msg, locator=f"line {error.lineno}", snippet=text)]
    except (ValueError, RecursionError) as error:  # huge integers, absurd nesting
        return [_malformed(origin, str(error) or type(error).__name__, locator=None, snippet=text)]
    records = list_records(document)
    if not records:
        return [make_failure(STAGE, Reason.JSON_WITHOUT_TEXT, origin, "no records in the document", snippet=text)]
    return [
        record_to_article(record, provenance, locator=f"item {number}", fields=fields)
        for number, record in enumerate(records, start=1)
    ]


def parse_jsonl(text: str, provenance: Provenance, *, fields: JsonFields) -> list[ParseResult]:
    """One article (or failure) per non-blank line."""
    origin = provenance.origin
    results: list[ParseResult] = []
    # Only "\n" ends a line: str.splitlines() would also split at U+2028 inside a JSON string.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        locator = f"line {number}"
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as error:
            results.append(_malformed(origin, str(error) or type(error).__name__, locator=locator, snippet=line))
            continue
        results.append(record_to_article(record, provenance, locator=locator, fields=fields))
    return results


def list_records(document: object) -> list[object]:
    """The article records of a JSON document, whatever its top-level shape."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
    return [document]


def record_to_article(record: object, provenance: Provenance, *, locator: str, fields: JsonFields) -> ParseResult:
    """One mapped record; JSON_WITHOUT_TEXT when it is no object or has no non-blank body."""
    origin = provenance.origin
    if not isinstance(record, dict):
        detail = f"expected an object, found {type(record).__name__}"
        return make_failure(STAGE, Reason.JSON_WITHOUT_TEXT, origin, detail, locator=locator, snippet=repr(record))
    body = pick_text(record, fields.body, allow_numbers=False)
    if body is None or not body.strip():
        keys = ", ".join(fields.body)
        return make_failure(
            STAGE, Reason.JSON_WITHOUT_TEXT, origin, f"no text under any of: {keys}", locator=locator,
            snippet=json.dumps(record, ensure_ascii=False, default=str)[:200],
        )
    return build_article(
        provenance,
        body=body,
        url=pick_text(record, fields.url),
        title=pick_text(record, fields.title),
        source=pick_text(record, fields.source),
        summary=pick_text(record, fields.summary),
        authors=list(iter_authors(pick_value(record, fields.authors))),
        language=pick_text(record, fields.language),
        published_at=pick_value(record, fields.published),
        keep_body_exact=True,
    )


def pick_value(record: dict, keys: list[str]) -> object:
    """The value under the first key present (and not null or empty); dotted keys reach into objects."""
    for key in keys:
        value = dig(record, key)
        if value not in (None, "", [], {}):
            return value
    return None


def pick_text(record: dict, keys: list[str], *, allow_numbers: bool = True) -> Optional[str]:
    """Like pick_value, but only a string (or a number) counts: {"source": {"name": ...}} falls through to "source.name".

    Character references in the string are decoded.
    """
    for key in keys:
        value = dig(record, key)
        if isinstance(value, str) and value.strip():
            return decode_character_references(value)
        if allow_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    return None


def dig(record: dict, key: str) -> object:
    """record["a.b"] if that key exists, else record["a"]["b"]."""
    if key in record:
        return record[key]
    value: object = record
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def iter_authors(value: object) -> Iterator[str]:
    """Names from a byline string, a list of strings, or objects with a name."""
    if isinstance(value, str):
        # Decoded before the split: the ";" and "&" of "Jos&#233; Garc&#237;a" are no separators.
        yield from split_authors(decode_character_references(value))
    elif isinstance(value, dict):
        name = pick_text(value, list(_NAME_KEYS), allow_numbers=False)
        if name:
            yield name
    elif isinstance(value, list):
        for item in value:
            yield from iter_authors(item)


def _malformed(origin: str, detail: str, *, locator: Optional[str], snippet: str) -> Failure:
    return make_failure(STAGE, Reason.MALFORMED_JSON, origin, f"invalid JSON: {detail}", locator=locator, snippet=snippet)

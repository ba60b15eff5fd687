from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.parse.decode import decode_bytes, looks_binary, sniff_declared_charset

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
TEXT = "Zürich: “Quotes” — £5, naïve café"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with its BOM
        TEXT.encode("utf-32"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    ],
)
def test_byte_order_mark_wins(data: bytes) -> None:
    decoded = decode_bytes(data, declared="iso-8859-1")
    assert decoded is not None
    assert decoded[0] == TEXT


def test_declared_charset_is_used_before_utf8() -> None:
    data = "Москва".encode("koi8-r")
    assert decode_bytes(data, declared="koi8-r") == ("Москва", "koi8_r")


def test_latin1_declaration_reads_smart_quotes_as_windows_1252() -> None:
    assert decode_bytes(b"\x93Hi\x94", declared="ISO-8859-1") == ("“Hi”", "cp1252")


@pytest.mark.parametrize("declared", [None, "no-such-charset", "utf-16"])
def test_utf8_when_nothing_usable_is_declared(declared: str | None) -> None:
    assert decode_bytes(TEXT.encode("utf-8"), declared=declared) == (TEXT, "utf-8")


def test_invalid_utf8_falls_back_without_mojibake() -> None:
    text, encoding = decode_bytes((FIXTURES / "cp1252.txt").read_bytes())
    assert encoding == "cp1252"
    assert text.startswith("Café owners “welcome” the £ 5m fund")


def test_bbc_latin1_pound_sign_decodes_to_pound() -> None:
    path = SHARED / "eval/bbc-news/bbc/sport/199.txt"
    if not path.exists():
        pytest.skip("shared BBC corpus not present")
    text, _ = decode_bytes(path.read_bytes())
    assert "£15.8m" in text


def test_charset_normalizer_guess_is_used_for_non_latin_text() -> None:
    original = "Министр иностранных дел России заявил, что Россия открыта для диалога. " * 3
    decoded = decode_bytes(original.encode("cp1251"))
    assert decoded is not None and decoded[0] == original


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        bytes(range(256)) * 8,
        b"text with a NUL \x00 inside",
        b"\x01\x02\x03\x04 mostly control \x05\x06\x07\x08",
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    assert decode_bytes(data) is None


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b"<p>x</p>", "text/html; charset=ISO-8859-1", "ISO-8859-1"),
        (b'<?xml version="1.0" encoding="windows-1251"?><rss/>', None, "windows-1251"),
        (b'<html><head><meta charset="koi8-r"></head>', None, "koi8-r"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">', None, "shift_jis"),
        (b"plain", "text/plain", None),
    ],
)
def test_declared_charset_is_sniffed(data: bytes, content_type: str | None, expected: str | None) -> None:
    assert sniff_declared_charset(data, content_type=content_type) == expected


@pytest.mark.parametrize(("data", "binary"), [(b"a\x00b", True), ("ab".encode("utf-16"), False), (b"plain", False)])
def test_looks_binary(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary

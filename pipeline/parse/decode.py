"""Bytes to text, without silent mojibake.

The order follows what browsers and feed readers do: a byte-order mark wins, then the charset the
document or its HTTP response declares, then strict UTF-8, then charset-normalizer's guess when it
is confident, then the configured fallback. A result that still looks like binary data is refused
(``None``) so that the caller records a failure instead of storing garbage.
"""

from __future__ import annotations

import codecs
import re
from typing import Optional

import charset_normalizer

# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# WHATWG Encoding: pages that say latin-1 or ascii are decoded as windows-1252 by every browser,
# because their "smart quotes" (0x91-0x94) are cp1252 in practice.
_WINDOWS_1252_LABELS = frozenset({"latin_1", "ascii", "iso8859_1"})

# Control characters that never occur in text (tab, newlines, form feed and escape do).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_MAX_CONTROL_SHARE = 0.01

# How much worse (in charset-normalizer's "chaos" units) the fallback may look than the best guess
# and still be preferred: for mostly-ASCII text a lone byte such as 0xA3 (the pound sign) is
# "explained" equally well by a CJK code page, and the configured fallback is the better bet.
_FALLBACK_CHAOS_MARGIN = 0.1
_CONFIDENT_CHAOS = 0.2

_CHARSET_IN_CONTENT_TYPE = re.compile(rb"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 2048


def decode_bytes(
    data: bytes, *, declared: Optional[str] = None, fallback: str = "cp1252"
) -> Optional[tuple[str, str]]:
    """Decode ``data``; returns (text, encoding used), or None for binary or undecodable bytes."""
    for attempt in (_decode_bom, _decode_declared, _decode_utf8, _decode_guessed, _decode_fallback):
        decoded = attempt(data, declared=declared, fallback=fallback)
        if decoded is not None:
            return None if looks_binary_text(decoded[0]) else decoded
    return None


def sniff_declared_charset(data: bytes, *, content_type: Optional[str] = None) -> Optional[str]:
    """The charset named by the HTTP Content-Type, else by the XML declaration or a <meta> tag."""
    if content_type:
        match = _CHARSET_IN_CONTENT_TYPE.search(content_type.encode("latin-1", errors="ignore"))
        if match:
            return match.group(1).decode("ascii")
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def looks_binary(data: bytes) -> bool:
    """Raw bytes with NULs and no UTF-16/32 byte-order mark: an image, an archive, a PDF stream."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    return b"\x00" in data[:8192]


def looks_binary_text(text: str) -> bool:
    """Decoded text that still holds NULs or many control characters was never text."""
    if "\x00" in text:
        return True
    controls = len(_BINARY_CONTROLS.findall(text[:65536]))
    return controls > max(2, _MAX_CONTROL_SHARE * min(len(text), 65536))


def _decode_bom(data: bytes, **_: object) -> Optional[tuple[str, str]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data, encoding)
    return None


def _decode_declared(data: bytes, *, declared: Optional[str], **_: object) -> Optional[tuple[str, str]]:
    encoding = _normalise_label(declared)
    if encoding is None:
        return None
    if encoding in _WINDOWS_1252_LABELS:
        return _decode_strict(data, "cp1252") or _decode_strict(data, encoding)
    if encoding.startswith(("utf_16", "utf_32")):
        # A UTF-16 declaration inside bytes that decode as ASCII (no BOM) is a copied header.
        return None
    return _decode_strict(data, encoding)


def _decode_utf8(data: bytes, **_: object) -> Optional[tuple[str, str]]:
    return _decode_strict(data, "utf-8")


def _decode_guessed(data: bytes, *, fallback: str, **_: object) -> Optional[tuple[str, str]]:
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None or best.chaos > _CONFIDENT_CHAOS:
        return None
    fallback_name = _normalise_label(fallback)
    for match in matches:
        candidates = {_normalise_label(name) for name in match.could_be_from_charset}
        if fallback_name in candidates and match.chaos <= best.chaos + _FALLBACK_CHAOS_MARGIN:
            return _decode_strict(data, fallback_name)
    return str(best), best.encoding


def _decode_fallback(data: bytes, *, fallback: str, **_: object) -> Optional[tuple[str, str]]:
    encoding = _normalise_label(fallback)
    return _decode_strict(data, encoding) if encoding else None


def _decode_strict(data: bytes, encoding: str) -> Optional[tuple[str, str]]:
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return None


def _normalise_label(label: Optional[str]) -> Optional[str]:
    """'ISO-8859-1' -> 'latin_1'; unknown labels -> None."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name.replace("-", "_")
    except (LookupError, ValueError):
        return None

"""Bytes in, a known encoding out, decided once per page from the bytes and their labels, so a
wrong or lying declaration is survived:

1. a BOM;
2. the layout of UTF-16/32: markup is ASCII, and ASCII in UTF-16/32 puts NUL bytes in every
   second (fourth) byte, while an ASCII-compatible page has none. So a UTF-16/32 label on
   bytes without that layout is a lie (the HTML standard likewise reads a
   `<meta charset="utf-16">` as UTF-8), and bytes with it are UTF-16/32 whatever the label;
3. bytes that are valid UTF-8 are UTF-8, whatever the label: servers send a default
   `charset=iso-8859-1` for UTF-8 pages, a single-byte label (Latin-1, koi8-r) decodes any
   bytes into mojibake ("Gühring" -> "GÃ¼hring"), and text in another encoding with non-ASCII
   bytes is, in practice, never valid UTF-8;
4. the HTTP charset, then the page's `<meta>`; if the bytes do not decode with it, detection
   (bs4's UnicodeDammit).

HTML goes to lxml as UTF-8 bytes. For the usual page, already valid UTF-8, nothing is copied:
a 736 KB page decoded to a str is a 1.4 MB allocation, and on this project's VMs the page
faults of one such allocation cost more than a third of an lxml parse.
"""

from __future__ import annotations

import codecs
import re

from schedscrape.errors import BinaryPage

_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BOMS = (  # UTF-32's little-endian BOM starts with UTF-16's, so it is tried first
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Share of control characters above which "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05
_CHUNK = 64 * 1024  # validation chunks stay below malloc's mmap threshold
_WIDE_CODECS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_SNIFF = 4096  # bytes read for the page's own declaration and for the UTF-16/32 layout
# A byte position in the code unit is "NUL" when at least this share of units has 0 there, and
# "text" when at most the second share has: ASCII-range text in UTF-16LE is [text, NUL].
_NUL_SHARE, _TEXT_SHARE = 0.25, 0.05
# Codec, the byte positions (of 4) that are NUL, and those that are text, for ASCII-range text.
# UTF-32 comes first: its layout also has NULs where UTF-16LE's has.
_LAYOUTS = (
    ("utf-32-le", (2, 3), (0,)),
    ("utf-32-be", (0, 1), (3,)),
    ("utf-16-le", (1, 3), (0, 2)),
    ("utf-16-be", (0, 2), (1, 3)),
)


def page_encoding(data: bytes, http_charset: str | None = None) -> str | None:
    """The codec to read the page with (normalised name), or None to let detection guess."""
    declared = _declared_encoding(data, http_charset)
    if declared in _WIDE_CODECS:
        return declared
    if is_valid_utf8(data):
        return "utf-8"
    return None if declared == "utf-8" else declared


def _declared_encoding(data: bytes, http_charset: str | None) -> str | None:
    """The BOM, else the UTF-16/32 layout, else the first label that Python knows and that is
    not UTF-16/32 (the layout would have been seen)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if layout := _wide_layout(data):
        return layout
    meta = _META_CHARSET.search(data[:_SNIFF])
    for label in (http_charset, meta.group(1).decode("ascii") if meta else None):
        if label:
            try:
                name = codecs.lookup(label).name
            except LookupError:
                continue
            if name not in _WIDE_CODECS:
                return name
    return None


def _wide_layout(data: bytes) -> str | None:
    """The UTF-16/32 codec (with its byte order) whose layout the page's start has, if any."""
    head = data[:_SNIFF]
    units = len(head) // 4
    if not units or b"\x00" not in head:
        return None  # the usual page: one memchr
    shares = [head[offset : units * 4 : 4].count(0) / units for offset in range(4)]
    for codec, nul_at, text_at in _LAYOUTS:
        if all(shares[i] >= _NUL_SHARE for i in nul_at) and all(
            shares[i] <= _TEXT_SHARE for i in text_at
        ):
            return codec
    return None


def head_text(data: bytes, encoding: str | None, size: int = 8192) -> str:
    """The start of the page as text, for sniffing; refuses binary data."""
    if encoding not in _WIDE_CODECS and b"\x00" in data[:size]:
        raise BinaryPage("binary data, not a web page or text")
    head = data[:size].decode(_reader(encoding or "utf-8"), errors="replace")
    if len(_CONTROL_CHARS.findall(head)) > _MAX_CONTROL_SHARE * len(head):
        raise BinaryPage("binary data, not a web page or text")
    return head


def is_valid_utf8(data: bytes) -> bool:
    """Check UTF-8 in small chunks, so no page-sized string is ever allocated."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def to_utf8(data: bytes, encoding: str | None) -> bytes:
    """The page as UTF-8 bytes: itself when it already is (the fast path), else transcoded."""
    if encoding == "utf-8":  # page_encoding checked the bytes
        return data[3:] if data.startswith(codecs.BOM_UTF8) else data
    return to_text(data, encoding).encode("utf-8", "surrogatepass")


def to_text(data: bytes, encoding: str | None) -> str:
    """The page as text, read with `page_encoding`'s choice.

    UTF-16/32 was settled by the bytes themselves, so a download cut inside a code unit
    costs one replacement character at its end, not the page. Other codecs are strict: a
    failure means the label was wrong, and detection decides."""
    if encoding in _WIDE_CODECS:
        return data.decode(encoding, errors="replace")
    if encoding:
        try:
            return data.decode(_reader(encoding))
        except UnicodeDecodeError:
            pass
    from bs4.dammit import UnicodeDammit  # only for pages whose declaration is wrong

    dammit = UnicodeDammit(data, is_html=True)
    if dammit.unicode_markup is None:
        raise BinaryPage("cannot decode the page as text")
    return dammit.unicode_markup


def _reader(encoding: str) -> str:
    """The codec that reads `encoding` and drops a UTF-8 BOM, as the UTF-16/32 codecs drop
    theirs (a BOM before `<!DOCTYPE` would hide that the page is HTML)."""
    return "utf-8-sig" if encoding == "utf-8" else encoding

"""Bytes in, a known encoding out: the HTTP charset first, then the page's own declaration,
then detection (bs4's UnicodeDammit), so a wrong declaration is survived.

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
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Share of control characters above which "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05
_CHUNK = 64 * 1024  # validation chunks stay below malloc's mmap threshold
_LATIN_LABELS = frozenset({"iso8859-1", "cp1252", "ascii"})  # as codecs.lookup names them


def declared_encoding(data: bytes, http_charset: str | None = None) -> str | None:
    """The encoding the server or the page declares (normalised codec name), if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    meta = _META_CHARSET.search(data[:4096])
    for label in (http_charset, meta.group(1).decode("ascii") if meta else None):
        if label:
            try:
                return codecs.lookup(label).name
            except LookupError:
                continue
    return None


def head_text(data: bytes, encoding: str | None, size: int = 8192) -> str:
    """The start of the page as text, for sniffing; refuses binary data."""
    if b"\x00" in data[:size] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BinaryPage("binary data, not a web page or text")
    head = data[:size].decode(encoding or "utf-8", errors="replace")
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


def to_text(data: bytes, encoding: str | None) -> str:
    """Decode with the declared encoding, falling back to detection when it is wrong.

    Undeclared bytes that are valid UTF-8 are UTF-8: detection only guesses at the rest.
    """
    if encoding is None and is_valid_utf8(data):
        encoding = "utf-8"
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass  # a wrong declaration: let detection decide
    from bs4.dammit import UnicodeDammit  # only for pages whose declaration is wrong

    dammit = UnicodeDammit(data, is_html=True)
    if dammit.unicode_markup is None:
        raise BinaryPage("cannot decode the page as text")
    return dammit.unicode_markup


def to_utf8(data: bytes, encoding: str | None) -> bytes:
    """The page as UTF-8 bytes: itself when it already is (the fast path), else transcoded."""
    if _really_utf8(data, encoding):
        return data[3:] if data.startswith(codecs.BOM_UTF8) else data
    return to_text(data, encoding).encode("utf-8", "surrogatepass")


def _really_utf8(data: bytes, encoding: str | None) -> bool:
    """UTF-8 as declared, or a page labelled Latin-1/ASCII whose bytes are valid UTF-8.

    Servers often send a default `charset=iso-8859-1` for pages that are UTF-8; any Latin-1
    decoding "succeeds", so the label alone would turn "Gühring" into "GÃ¼hring". Non-ASCII
    bytes that happen to form valid UTF-8 are, in practice, UTF-8.
    """
    if encoding in (None, "utf-8"):
        return is_valid_utf8(data)
    return encoding in _LATIN_LABELS and not data.isascii() and is_valid_utf8(data)

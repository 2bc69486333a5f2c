"""Author lists: the sites join names with a middle dot (`·`, U+00B7) or a dot operator (`⋅`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from schedscrape.parse.textutil import normalize_space

MIDDLE_DOT = "\u00b7"
DOT_OPERATOR = "\u22c5"
_MODERATOR_SEPARATOR = re.compile(f"[{MIDDLE_DOT}{DOT_OPERATOR},;]|\\s+and\\s+")


def split_authors(text: str) -> list[str]:
    """Split an authors line into trimmed names; a single author has no separator."""
    # str.split beats a regex split here, and this runs once per card.
    return _names(_prepare(text).replace(DOT_OPERATOR, MIDDLE_DOT).split(MIDDLE_DOT))


def split_moderators(text: str) -> list[str]:
    """Moderator lines may also use commas or "and" between names."""
    return _names(_MODERATOR_SEPARATOR.split(_prepare(text)))


def _prepare(text: str) -> str:
    # Text renderings may carry entities; text from HTML has them decoded already.
    return normalize_space(html.unescape(text) if "&" in text else text)


def _names(parts: Iterable[str]) -> list[str]:
    return [name for part in parts if (name := part.strip())]

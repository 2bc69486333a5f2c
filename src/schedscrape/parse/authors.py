"""Author lists: the sites join names with a middle dot (`·`, U+00B7) or a dot operator (`⋅`)."""

from __future__ import annotations

import html
import re

from schedscrape.parse.textutil import normalize_space

_AUTHOR_SEPARATOR = re.compile("[\u00b7\u22c5]")
_MODERATOR_SEPARATOR = re.compile("[\u00b7\u22c5,;]|\\s+and\\s+")


def split_authors(text: str) -> list[str]:
    """Split an authors line into trimmed names; a single author has no separator."""
    return _split(_AUTHOR_SEPARATOR, text)


def split_moderators(text: str) -> list[str]:
    """Moderator lines may also use commas or "and" between names."""
    return _split(_MODERATOR_SEPARATOR, text)


def _split(separator: re.Pattern[str], text: str) -> list[str]:
    names = (normalize_space(html.unescape(part)) for part in separator.split(text))
    return [name for name in names if name]

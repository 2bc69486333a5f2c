"""Every kind of HTML page besides the session page, one reader per kind, asked in order.

The session page is the hot path and is read first, by `schedscrape.parse.html`; a page it
refuses as "not a session page" comes here. Adding a kind is one module with a `READER` and
one line in `READERS`. More specific kinds come first: a detail page may show related events
in list markup, never the other way round.
"""

from __future__ import annotations

import itertools
import re

from lxml import etree

from schedscrape.errors import PageTooBig
from schedscrape.parse.htmltree import canonical_url, parse_tree
from schedscrape.parse.raw import RawPage
from schedscrape.parse.readers import detail_2026, detail_page, events_list, list_page, maincard
from schedscrape.parse.readers.base import HtmlReader

READERS: tuple[HtmlReader, ...] = (
    detail_2026.READER,
    detail_page.READER,
    events_list.READER,
    list_page.READER,
    maincard.READER,
)

_TITLES = etree.XPath("/html/head/title/text()")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# Anything the server prints after the cards: if none of it arrived, the download was cut.
_PAGE_END_MARKERS = (b"successful-page-load", b"<footer", b"</body", b"</html")
# The most tags and attributes a page of these kinds is built into a tree with. A list of
# 10,000 cards holds a few hundred thousand; a hostile page of millions would take gigabytes
# (the session reader reads such pages in parts, these readers take the whole tree).
TREE_ITEMS_MAX = 1_000_000


def read_other_kinds(data: bytes) -> RawPage | None:
    """The page (UTF-8 bytes) read by the first reader that recognises it, or None.

    The tree is built only when the bytes hold some reader's markers: a page of another
    site, however big, costs a byte search. Each search runs only if the readers before have
    not recognised the page: on a list of several MB, each costs milliseconds."""
    candidates = (reader for reader in READERS if any(m in data for m in reader.markers))
    first = next(candidates, None)
    if first is None:
        return None
    if len(data) > TREE_ITEMS_MAX and data.count(b"<") + data.count(b"=") > TREE_ITEMS_MAX:
        raise PageTooBig(
            f"page too big: over {TREE_ITEMS_MAX:,} tags and attributes, more than any list "
            "or detail page holds"
        )
    root = parse_tree(data)
    if root is None:
        return None
    reader = next((r for r in itertools.chain([first], candidates) if r.recognises(root)), None)
    if reader is None:
        return None
    page = reader.read(root, data)
    page.truncated = _cut_short(data, reader)
    page.canonical_url = page.canonical_url or canonical_url(root)
    titles = [" ".join(title.split()) for title in _TITLES(root)]
    page.site_label = page.site_label or next((t for t in titles if _YEAR.search(t)), None)
    page.title = page.title or next((t for t in titles if t), None)  # a list without heading
    return page


def _cut_short(data: bytes, reader: HtmlReader) -> bool:
    """A whole document (a browser's copy of part of a page is a fragment, and ends anywhere)
    with nothing of the page's end after its last card: the download stopped inside it."""
    if not data[:1024].lstrip().lower().startswith((b"<!doctype", b"<html")):
        return False
    last = max(data.rfind(marker) for marker in reader.markers)
    return not any(data.find(end, last) != -1 for end in _PAGE_END_MARKERS)

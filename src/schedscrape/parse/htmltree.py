"""Small helpers over an lxml tree, shared by every HTML reader."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from lxml import etree

_CANONICAL = etree.XPath(
    "/html/head/link[@rel='canonical']/@href | /html/head/meta[@property='og:url']/@content"
)
_LD_JSON = etree.XPath("//script[@type='application/ld+json']/text()")
_EVENT_PATH_ID = re.compile(r"/virtual/\d{4}/(?:[a-z-]+/)?(\d+)/?$")
_BOARD = re.compile(r"^(.*?)\s*(#\s*[\w-]+)$")


_PARSERS = threading.local()  # lxml parsers must not be shared between threads


def parse_tree(data: bytes) -> etree._Element | None:
    """A page's tree (UTF-8 bytes), with the session reader's settings: forgiving, offline, and
    a plain etree parser (lxml.html's element classes cost more than the parse itself).
    None when nothing is left to read."""
    if not hasattr(_PARSERS, "parser"):
        _PARSERS.parser = html_parser()
    try:
        return etree.fromstring(data, _PARSERS.parser)
    except (etree.LxmlError, ValueError):
        return None


def html_parser() -> etree.HTMLParser:
    """A parser with the readers' settings: forgiving, offline, UTF-8 in. Element ids are not
    indexed (no reader looks elements up by id; indexing them cost 5 % of a list's parse)."""
    return etree.HTMLParser(recover=True, no_network=True, encoding="utf-8", collect_ids=False)


def has_class(name: str) -> str:
    """XPath test for one class among several; the cheap `contains` runs first, so the
    normalising test runs only on the few elements that might match."""
    return (
        f"(contains(@class, '{name}') and "
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} '))"
    )


def with_class(element: etree._Element, name: str) -> bool:
    """One class among several, the cheap substring test first (as `has_class` in XPath)."""
    value = element.get("class")
    return bool(value) and name in value and name in value.split()


def elements_with_class(root: etree._Element, tag: str, name: str) -> Iterator[etree._Element]:
    """Every `tag` element with class `name`, in document order, lazily: lxml's C walk with the
    cheap test first is about twice as fast as the same XPath query, and a reader's
    `recognises` can stop at the first card."""
    return (element for element in root.iter(tag) if with_class(element, name))


# Which of a reader's class names an element holds (see `class_names`).
ClassNames = Callable[[etree._Element], frozenset[str]]


def class_names(*wanted: str) -> ClassNames:
    """A lookup of which of `wanted` an element's classes hold, with each distinct `class`
    attribute split once: a page of thousands of cards has a few dozen distinct ones, and a
    dictionary lookup costs less than splitting and searching each element's. One per page read
    (it remembers that page's attributes). A closure, as calling an object's `__call__` costs
    half as much again as the lookup itself."""
    names_of = frozenset(wanted).intersection
    seen: dict[str | None, frozenset[str]] = {}
    remembered = seen.get

    def lookup(element: etree._Element) -> frozenset[str]:
        value = element.get("class")
        names = remembered(value)
        if names is None:
            names = seen[value] = names_of(value.split()) if value else frozenset()
        return names

    return lookup


def outer_cards(
    root: etree._Element, is_card: Callable[[etree._Element], bool]
) -> Iterator[etree._Element]:
    """The elements `is_card` accepts, in document order, without looking inside them: the
    reader walks each card's subtree itself, and finds there the cards nested in it (a walk
    of the whole tree would visit every element of every card a second time)."""
    levels = [iter((root,))]
    while levels:
        for node in levels[-1]:
            if is_card(node):
                yield node
            elif len(node):
                levels.append(iter(node))
                break
        else:
            levels.pop()


def canonical_url(root: etree._Element) -> str | None:
    """The address the page gives for itself: its canonical link, else its og:url."""
    return next(iter(_CANONICAL(root)), None)


def classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def plain_text(element: etree._Element) -> str:
    """An inline field's text as it stands (libxml2's text serialiser beats joining itertext)."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def inline_text(element: etree._Element | None) -> str | None:
    """An inline field with its layout whitespace collapsed, or None when it holds nothing."""
    if element is None:
        return None
    # A leaf's text is its whole text (most fields are leaves): no serialiser call.
    text = (element.text or "") if len(element) == 0 else plain_text(element)
    return " ".join(text.split()) or None


def event_id_of(href: str | None) -> str | None:
    """The numeric id at the end of an event address (`/virtual/2023/poster/70701`)."""
    try:
        match = _EVENT_PATH_ID.search(urlsplit(href or "").path)
    except ValueError:  # "http://[oops/virtual/2023/poster/1"
        return None
    return match.group(1) if match else None


def linked_data(root: etree._Element) -> list[dict]:
    """The page's schema.org JSON-LD objects; a broken block is skipped (it is a witness only)."""
    found = []
    for block in _LD_JSON(root):
        try:
            value = json.loads(block)
        except ValueError:
            continue
        found += [
            item
            for item in (value if isinstance(value, list) else [value])
            if isinstance(item, dict)
        ]
    return found


def split_board(text: str) -> tuple[str | None, str | None]:
    """`Great Hall & Hall B1+B2 (level 1) #515` -> the room, and the board `#515`."""
    match = _BOARD.match(text) if "#" in text else None  # the pattern backtracks at every space
    if not match:
        return text or None, None
    return match.group(1) or None, match.group(2).replace(" ", "")


_LINK_FIELDS = (  # (words in the button's label or class, RawCard field); first match wins
    (("openreview",), "openreview_url"),
    (("project",), "project_url"),
    (("poster",), "poster_url"),
    (("paper", "pdf"), "paper_url"),
)


def link_field(label: str, href: str) -> str | None:
    """Which RawCard link field a button fills: OpenReview, project, poster or paper."""
    words = label.casefold()
    if "openreview.net/forum" in href:
        return "openreview_url"
    return next((name for keys, name in _LINK_FIELDS if any(key in words for key in keys)), None)

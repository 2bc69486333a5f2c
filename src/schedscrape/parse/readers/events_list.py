"""2026 events lists (`/virtual/YEAR/events/KIND`): one `div.event-card` per event.

Their times (`Jul 7, 10:30 AM - 12:15 PM`) name no zone, no weekday and no year: the record
builder takes the year from the URL or `--year` and the zone from `--tz` or a detail page.
"""

from __future__ import annotations

import re

from lxml import etree

from schedscrape.parse.html import block_text
from schedscrape.parse.htmltree import (
    ClassNames,
    class_names,
    elements_with_class,
    event_id_of,
    inline_text,
    outer_cards,
)
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.readers.base import HtmlReader, in_nested_card, read_cards

_NUMBER = re.compile(r"\d[\d,]*")


_CLASSES = (
    "event-card",
    "event-title",
    "event-type-badge",
    "event-speakers",
    "touchup-time",
    "meta-pill",
    "time",
    "abstract-text",
)


def recognises(root: etree._Element) -> bool:
    classes = class_names(*_CLASSES)
    cards = outer_cards(root, lambda node: _is_card(node, classes(node)))
    return next(cards, None) is not None


def _is_card(element: etree._Element, names: frozenset[str]) -> bool:
    """A card, given the element's class names (an XPath query, `//div[@data-event-id or
    ...]`, takes twice as long to find them)."""
    return element.tag == "div" and (
        "event-card" in names or element.get("data-event-id") is not None
    )


def read(root: etree._Element, data: bytes) -> RawPage:
    # Walks that stop at the header, above the cards (XPath queries would search every tag).
    badge = inline_text(next(elements_with_class(root, "span", "events-count-badge"), None))
    count = _NUMBER.search(badge or "")
    headers = elements_with_class(root, "div", "events-page-header")
    classes = class_names(*_CLASSES)
    cards = read_cards(
        root, lambda node: _is_card(node, classes(node)), lambda card: _card(card, classes)
    )
    return RawPage(
        kind=READER.kind,
        title=inline_text(next((h1 for div in headers for h1 in div.iter("h1")), None)),
        listed_count=int(count.group().replace(",", "")) if count else None,
        cards=cards,
    )


def _card(card: etree._Element, classes: ClassNames) -> tuple[RawCard, list[etree._Element]]:
    """The card's fields, from its own elements, and the cards nested in it (at any depth:
    each is read on its own)."""
    element_id = card.get("id") or ""
    raw = RawCard(
        event_id=card.get("data-event-id") or element_id.removeprefix("event-") or None,
        event_type=card.get("data-event-type"),
    )
    nested: list[etree._Element] = []
    for element in card.iter("a", "div", "span"):
        if nested and in_nested_card(element, card, lambda node: _is_card(node, classes(node))):
            if _is_card(element, classes(element)):  # deeper still
                nested.append(element)
            continue
        if element.tag == "a":
            if raw.href is None and _in_title(element, classes):
                raw.title, raw.href = inline_text(element), element.get("href")
            continue
        names = classes(element)
        if element is not card and _is_card(element, names):
            nested.append(element)
        if "event-type-badge" in names:
            raw.event_type = raw.event_type or inline_text(element)
        elif "event-speakers" in names:
            raw.authors = inline_text(element)
        elif "touchup-time" in names:
            raw.time = inline_text(element)
        elif "meta-pill" in names and "time" not in names and raw.room is None:
            raw.room = inline_text(element)
        elif "abstract-text" in names and raw.abstract is None:
            raw.abstract = block_text(element) or None
    raw.event_id = raw.event_id or event_id_of(raw.href)
    return raw, nested


def _in_title(link: etree._Element, classes: ClassNames) -> bool:
    parent = link.getparent()
    return parent is not None and "event-title" in classes(parent)


READER = HtmlReader(
    kind="events list", markers=(b"data-event-id", b"event-card"), recognises=recognises, read=read
)

"""Pre-2020 schedules (`/Conferences/YEAR/Schedule`): one `div.maincard` per event.

A card's first header holds the type; the second the time and room, `Mon Dec 5th 06:00 --
09:30 PM @ Area 5 + 6`, with a poster's board after the room (`#12`). No zone is printed.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from schedscrape.parse.htmltree import ClassNames, inline_text, outer_cards, split_board
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.readers.base import HtmlReader

_CLASSES = ("maincard", "maincardType", "maincardHeader", "maincardBody", "maincardFooter")


def recognises(root: etree._Element) -> bool:
    return next(_cards(root, ClassNames(*_CLASSES)), None) is not None


def _cards(root: etree._Element, names: ClassNames) -> Iterator[etree._Element]:
    """The cards not nested in another card (see `read`)."""
    return outer_cards(root, lambda node: node.tag == "div" and "maincard" in names(node))


def read(root: etree._Element, data: bytes) -> RawPage:
    names = ClassNames(*_CLASSES)
    cards = []
    for card in _cards(root, names):
        raw, nested = _card(card, names)
        cards.append(raw)  # then the cards nested in it, in the page's order
        cards += [_card(inner, names)[0] for inner in nested]
    return RawPage(kind=READER.kind, cards=cards)


def _card(card: etree._Element, classes: ClassNames) -> tuple[RawCard, list[etree._Element]]:
    """The card's fields, from every div in it (its own and those of cards nested in it), and
    the cards nested in it."""
    raw = RawCard(event_id=(card.get("id") or "").removeprefix("maincard_") or None)
    nested = []
    for element in card.iter("div"):
        names = classes(element)
        if not names:
            continue
        if "maincard" in names and element is not card:
            nested.append(element)
        if "maincardType" in names:
            raw.event_type = inline_text(element)
        elif "maincardHeader" in names and raw.time is None:
            time, _, place = (inline_text(element) or "").partition(" @ ")
            raw.time = time.strip() or None
            raw.room, raw.poster_position = split_board(place.strip())
        elif "maincardBody" in names:
            raw.title = inline_text(element)
        elif "maincardFooter" in names:
            raw.authors = inline_text(element)
    return raw, nested


READER = HtmlReader(kind="schedule", markers=(b"maincard",), recognises=recognises, read=read)

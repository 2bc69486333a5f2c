"""List pages in the NeurIPS 2023 style: `div.displaycards` cards, hundreds to a page.

A copy made in a browser may be a fragment with no `<html>`, `<head>` or URL.
"""

from __future__ import annotations

import re

from lxml import etree

from schedscrape.parse.html import block_text
from schedscrape.parse.htmltree import (
    ClassNames,
    event_id_of,
    inline_text,
    split_board,
)
from schedscrape.parse.raw import RawCard
from schedscrape.parse.readers.base import CardTest, div_card_reader, in_nested_card

_BRACKETED = re.compile(r"^\[\s*(.*?)\s*\]$", re.S)
_CLASSES = (
    "displaycards",
    "small-title",
    "type_display_name_virtual_card",
    "author-str",
    "touchup-date-div",
    "abstract-display",
)


def _card(
    card: etree._Element, classes: ClassNames, is_card: CardTest
) -> tuple[RawCard, list[etree._Element]]:
    """The card's fields, from its own elements, and the cards nested in it (at any depth:
    each is read on its own)."""
    raw = RawCard(event_id=(card.get("id") or "").removeprefix("event-") or None)
    nested: list[etree._Element] = []
    # Every element, its tag tested here: lxml's matcher for several tags costs more.
    for element in card.iter():
        tag = element.tag
        if tag != "div" and tag != "a" and tag != "p":
            continue
        names = classes(element)
        if not names and tag != "p":  # nothing to read in it (a bracketed room is a bare p)
            continue
        if "displaycards" in names and tag == "div" and element is not card:  # nested card
            nested.append(element)  # at any depth
        if nested and in_nested_card(element, card, is_card):
            continue
        if tag == "a" and "small-title" in names and raw.href is None:
            raw.title, raw.href = inline_text(element), element.get("href")
        elif "type_display_name_virtual_card" in names:
            raw.event_type = inline_text(element)
        elif "author-str" in names:
            raw.authors = inline_text(element)  # hard-wrapped: a newline in a name is a space
        elif "touchup-date-div" in names:
            raw.time = inline_text(element)
        elif "abstract-display" in names and raw.abstract is None:
            raw.abstract = block_text(element) or None
        elif tag == "p" and raw.room is None:
            bracketed = _BRACKETED.match(inline_text(element) or "")
            if bracketed:
                raw.room, raw.poster_position = split_board(bracketed.group(1))
    raw.event_id = raw.event_id if (raw.event_id or "").isdigit() else event_id_of(raw.href)
    return raw, nested


READER = div_card_reader("list page", "displaycards", _CLASSES, _card)

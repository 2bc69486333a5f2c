"""Pre-2020 schedules (`/Conferences/YEAR/Schedule`): one `div.maincard` per event.

A card's first header holds the type; the second the time and room, `Mon Dec 5th 06:00 --
09:30 PM @ Area 5 + 6`, with a poster's board after the room (`#12`). No zone is printed.
Links in a card (an OpenReview forum, `a.href_PDF` "Paper") give the event's links: public
scrapers of these pages read them there (MARKUP.md has no real card with links).
"""

from __future__ import annotations

import itertools

from lxml import etree

from schedscrape.parse.htmltree import ClassNames, inline_text, split_board
from schedscrape.parse.raw import RawCard
from schedscrape.parse.readers.base import (
    CARD_DEPTH,
    CardTest,
    div_card_reader,
    in_nested_card,
    take_link,
)

_CLASSES = ("maincard", "maincardType", "maincardHeader", "maincardBody", "maincardFooter")
_FIELDS = frozenset(_CLASSES[1:])
# The links a card's buttons are looked for among: a card shows a handful (Paper, OpenReview,
# Poster, ...); thousands in one card are hostile, and each costs a walk up to the card.
_MAX_LINKS = 16


def _card(
    card: etree._Element, classes: ClassNames, is_card: CardTest
) -> tuple[RawCard, list[etree._Element]]:
    """The card's fields, from its own divs and links, and the cards nested in it (at any
    depth: each is read on its own)."""
    raw = RawCard(event_id=(card.get("id") or "").removeprefix("maincard_") or None)
    nested: list[etree._Element] = []
    links = 0
    # Every element, its tag tested here: lxml's matcher for two tags costs more than that.
    for element in card.iter():
        # Only links (a few) and divs of the reader's classes can matter: nothing else is
        # looked at, nested or not.
        tag = element.tag
        if tag == "a":
            links += 1
            if links > _MAX_LINKS or (nested and in_nested_card(element, card, is_card)):
                continue
            # A link in a field's text (a title) counts by its address only.
            take_link(raw, element, labelled=not _in_field(element, card, classes))
            continue
        if tag != "div":
            continue
        names = classes(element)
        if not names:
            continue
        if "maincard" in names and element is not card:  # a card nested in this one, or deeper
            nested.append(element)
        if nested and in_nested_card(element, card, is_card):
            continue
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


def _in_field(link: etree._Element, card: etree._Element, classes: ClassNames) -> bool:
    """Whether a link lies in one of the card's fields (its title, say), not among its
    buttons; or deeper than CARD_DEPTH in the card, where no button is."""
    for ancestor in itertools.islice(link.iterancestors(), CARD_DEPTH):
        if ancestor is card:
            return False
        if ancestor.tag == "div" and classes(ancestor) & _FIELDS:
            return True
    return True


READER = div_card_reader("schedule", "maincard", _CLASSES, _card)

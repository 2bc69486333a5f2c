"""The interface every HTML reader offers: what kind of page it reads, how it recognises one by
content, and how it reads it into a RawPage.

`markers` are bytes of which a page of that kind holds at least one (the class names its
`recognises` looks for): a page holding none of any reader's is refused without building
a second tree, however big it is."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from schedscrape.links import page_link
from schedscrape.parse.htmltree import (
    ClassNames,
    class_names,
    classes,
    inline_text,
    link_field,
    outer_cards,
)
from schedscrape.parse.raw import RawCard, RawPage


@dataclass(frozen=True)
class HtmlReader:
    kind: str  # "events list": also the session_type of the page's own Session row
    markers: tuple[bytes, ...]
    recognises: Callable[[etree._Element], bool]
    read: Callable[[etree._Element, bytes], RawPage]


CardTest = Callable[[etree._Element], bool]  # whether an element is a card


def read_cards(
    root: etree._Element,
    is_card: CardTest,
    read_card: Callable[[etree._Element], tuple[RawCard, list[etree._Element]]],
) -> list[RawCard]:
    """Every card in the page's order: each one not nested in another card, then those nested
    in it. `read_card` gives a card's fields, from its own elements, and the cards nested in
    it at any depth, found on that same walk: no element is visited twice unless it is in a
    nested card."""
    cards = []
    for card in outer_cards(root, is_card):
        raw, nested = read_card(card)
        cards.append(raw)
        cards += [read_card(inner)[0] for inner in nested]
    return cards


# How far up from an element a card reader looks for its card (or a field holding it): deeper
# than any real card's markup (three or four levels). Beyond it, an element counts as not the
# card's own: hostile markup hundreds of levels deep would otherwise cost a walk up all of
# them for every element in it.
CARD_DEPTH = 8


def in_nested_card(element: etree._Element, card: etree._Element, is_card: CardTest) -> bool:
    """Whether `element`, found on the walk of `card`, lies in a card nested in it (each is
    read on its own, so its fields are not the outer card's), or deeper than CARD_DEPTH in
    `card`. Asked only once a nested card has been found: rare on real pages."""
    for ancestor in itertools.islice(element.iterancestors(), CARD_DEPTH):
        if ancestor is card:
            return False
        if is_card(ancestor):
            return True
    return True


def div_card_reader(
    kind: str,
    card_class: str,
    classes: tuple[str, ...],
    read_card: Callable[
        [etree._Element, ClassNames, CardTest], tuple[RawCard, list[etree._Element]]
    ],
) -> HtmlReader:
    """The reader of a kind of page whose cards are `div`s of `card_class`: it recognises a
    page by its first card and reads every card with `read_card`, given the page's lookups of
    `classes` (the class names it reads) and its test of a card (for the cards nested in one)."""

    def card_test(names: ClassNames) -> CardTest:
        return lambda element: element.tag == "div" and card_class in names(element)

    def recognises(root: etree._Element) -> bool:
        return next(outer_cards(root, card_test(class_names(*classes))), None) is not None

    def read(root: etree._Element, data: bytes) -> RawPage:
        names = class_names(*classes)
        is_card = card_test(names)
        found = read_cards(root, is_card, lambda card: read_card(card, names, is_card))
        return RawPage(kind=kind, cards=found)

    return HtmlReader(kind, (card_class.encode(),), recognises, read)


def take_link(card: RawCard, link: etree._Element, labelled: bool = True) -> None:
    """Fill the card's OpenReview, paper, poster or project link from a link in it, by its
    address, title, text and classes (`a.href_PDF` is the paper, `a.href_Poster` the poster),
    unless the card has that link already. Anchors and `javascript:` links are not links. A
    link that is not `labelled` (one in a title's text, whose words say nothing of where it
    goes) counts by its address only: an OpenReview forum."""
    href = page_link(link.get("href"))
    if not href or href.startswith("#"):
        return
    label = (
        " ".join([link.get("title") or "", inline_text(link) or "", *classes(link)])
        if labelled
        else ""
    )
    name = link_field(label.replace("href_PDF", "paper").replace("href_Poster", "poster"), href)
    if name and getattr(card, name) is None:
        setattr(card, name, href)

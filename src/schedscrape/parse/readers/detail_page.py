"""Event detail pages of 2020-25 (`/virtual/YEAR/poster/ID`): one event, with the links and the
full abstract a session page lacks. The page's schema.org JSON-LD is a second witness of the
title and authors."""

from __future__ import annotations

import re

from lxml import etree

from schedscrape.parse.html import block_text
from schedscrape.parse.htmltree import (
    canonical_url,
    classes,
    event_id_of,
    has_class,
    inline_text,
    linked_data,
    split_board,
)
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.readers.base import HtmlReader, take_link
from schedscrape.parse.times import find_time_range

_HEADER = etree.XPath(
    f"//div[{has_class('card-header')}]"
    "[h2[contains(@class, 'main-title') or contains(@class, 'card-title')]]"
)
_SESSION_CARDS = etree.XPath(f"//div[{has_class('track-schedule-card')}]")
_ABSTRACT = etree.XPath("//*[@id='abstractExample']")
_ABSTRACT_LABEL = re.compile(r"^\s*Abstract\s*:\s*", re.IGNORECASE)
_ARTICLE_TYPES = ("ScholarlyArticle", "Article", "CreativeWork", "Event")


def recognises(root: etree._Element) -> bool:
    headers = _HEADER(root)
    if not headers or _SESSION_CARDS(root):
        return False
    canonical = canonical_url(root) or ""
    if "/session/" in canonical:
        return False
    subtitle = any("card-subtitle" in classes(h3) for h3 in headers[0].iter("h3"))
    return subtitle or event_id_of(canonical) is not None or bool(_article(root))


def read(root: etree._Element, data: bytes) -> RawPage:
    header = _HEADER(root)[0]
    canonical = canonical_url(root)
    card = RawCard(href=canonical, event_id=event_id_of(canonical))
    for element in header.iter("h2", "h3", "h5", "a"):
        names = classes(element)
        if element.tag == "h2" and card.title is None:
            card.title = inline_text(element)
        elif element.tag == "h3":
            if "card-subtitle" in names:
                card.authors = inline_text(element)
            elif card.event_type is None:
                card.event_type = inline_text(element)
        elif element.tag == "h5" and "text-muted" in names and card.room is None:
            card.room, card.poster_position = split_board(inline_text(element) or "")
        elif element.tag == "a":
            take_link(card, element)
    card.time = find_time_range(block_text(header))
    abstract = _ABSTRACT(root)
    if abstract:
        card.abstract = _ABSTRACT_LABEL.sub("", block_text(abstract[0]), count=1) or None
    return RawPage(kind=READER.kind, canonical_url=canonical, cards=[card], witness=witness(root))


def witness(root: etree._Element) -> RawCard | None:
    """Title and authors as the page's JSON-LD states them."""
    article = _article(root)
    if not article:
        return None
    people = article.get("author") or []
    names = [
        person.get("name") if isinstance(person, dict) else person
        for person in (people if isinstance(people, list) else [people])
    ]
    names = [name.strip() for name in names if isinstance(name, str) and name.strip()]
    title = article.get("name")
    return RawCard(
        title=title.strip() if isinstance(title, str) else None,
        authors=" · ".join(names) or None,
    )


def _article(root: etree._Element) -> dict | None:
    return next((item for item in linked_data(root) if item.get("@type") in _ARTICLE_TYPES), None)


READER = HtmlReader(kind="detail page", markers=(b"card-header",), recognises=recognises, read=read)

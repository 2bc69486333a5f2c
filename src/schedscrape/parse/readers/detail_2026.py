"""Event detail pages of the 2026 redesign: `h1.event-title`, `div.event-organizers`, meta pills
for the time (with a numeric offset) and the room, `a.action-btn` links, and the abstract in
the first `div.abstract-section` (a "Lay Summary" section may follow; it is not the abstract)."""

from __future__ import annotations

from lxml import etree

from schedscrape.links import page_link
from schedscrape.parse.html import block_text
from schedscrape.parse.htmltree import (
    canonical_url,
    classes,
    elements_with_class,
    event_id_of,
    has_class,
    inline_text,
    link_field,
)
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.readers.base import HtmlReader
from schedscrape.parse.readers.detail_page import witness
from schedscrape.parse.times import find_time_range

_ABSTRACT_SECTIONS = etree.XPath(f"//div[{has_class('abstract-section')}]")
_ABSTRACT_INNER = etree.XPath(f".//div[{has_class('abstract-text-inner')}]")


def recognises(root: etree._Element) -> bool:
    return _title(root) is not None


def _title(root: etree._Element) -> etree._Element | None:
    """The first `h1.event-title` (an XPath query would test every tag of an events list, whose
    cards' titles are `h3.event-title`)."""
    return next(elements_with_class(root, "h1", "event-title"), None)


def read(root: etree._Element, data: bytes) -> RawPage:
    canonical = canonical_url(root)
    card = RawCard(href=canonical, event_id=event_id_of(canonical), title=inline_text(_title(root)))
    for element in root.iter("div", "span", "a"):
        names = classes(element)
        if "event-organizers" in names and card.authors is None:
            card.authors = inline_text(element)
        elif "event-type-badge" in names and card.event_type is None:
            card.event_type = inline_text(element)
        elif "meta-pill" in names:
            _take_pill(card, element)
        elif element.tag == "a" and "action-btn" in names:
            href = page_link(element.get("href"))
            name = link_field(inline_text(element) or "", href) if href else None
            if name and getattr(card, name) is None:
                setattr(card, name, href)
    card.abstract = _abstract(root)
    return RawPage(kind=READER.kind, canonical_url=canonical, cards=[card], witness=witness(root))


def _take_pill(card: RawCard, pill: etree._Element) -> None:
    icons = " ".join(name for icon in pill.iter("i") for name in classes(icon))
    text = inline_text(pill)
    if "map-marker" in icons:
        card.room = card.room or text
    elif card.time is None and text:
        card.time = find_time_range(text) or (text if "calendar" in icons else None)


def _abstract(root: etree._Element) -> str | None:
    sections = _ABSTRACT_SECTIONS(root)
    labelled = [s for s in sections if "abstract" in (inline_text(s) or "")[:40].casefold()]
    for section in [*labelled, *sections, root]:
        inner = _ABSTRACT_INNER(section)
        if inner:
            return block_text(inner[0]) or None
    return None


READER = HtmlReader(kind="detail page", markers=(b"event-title",), recognises=recognises, read=read)

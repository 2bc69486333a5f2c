"""Read a virtual-site session page (HTML) into a RawPage, with lxml.

The selectors sit next to the fields they fill. They follow the markup seen on ICML 2025 and
what is known of earlier years (see MARKUP.md): classes where the sites agree, text patterns
where they do not (per-talk time slots are found by their shape, not by a class).
"""

from __future__ import annotations

import re

import lxml.html
from bs4.dammit import UnicodeDammit
from lxml import etree

from schedscrape.errors import BinaryPage, EmptyPage, LoginRequired, NotASessionPage
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.times import find_time_range


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Page-level selectors.
_HEADER = etree.XPath(f"(//div[{_has_class('card-header')}])[1]")
_CARDS = etree.XPath(f"//div[{_has_class('track-schedule-card')}]")
_CANONICAL = etree.XPath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
_TITLES = etree.XPath("//title/text()")
_SESSION_BOOKMARK = etree.XPath(
    "//*[contains(@onclick, 'toggle_bookmark')]"
    f"[not(ancestor::div[{_has_class('track-schedule-card')}])]/@onclick"
)
_PASSWORD_INPUT = etree.XPath("//input[@type='password']")
_PAGE_ZONE = re.compile(r"Timezone:\s*(\S+)")

# Header selectors, relative to div.card-header.
_SESSION_TYPE = etree.XPath("./h3")
_SESSION_TITLE = etree.XPath(f"./h2[{_has_class('main-title')} or {_has_class('card-title')}]")
_ROOM = etree.XPath(f"./h5[{_has_class('text-muted')}]")
_MODERATOR = re.compile(r"Moderators?\s*:\s*(.+)")

# Card selectors, relative to div.track-schedule-card.
_CARD_LINK = etree.XPath(".//h5//a[@href] | .//h4//a[@href]")
_CARD_AUTHORS = etree.XPath(f".//p[{_has_class('text-muted')}]")
_CARD_ABSTRACT = etree.XPath(f".//div[{_has_class('abstract')}]")
_CARD_TYPE = etree.XPath(f".//div[{_has_class('float-end')} and {_has_class('small')}]")
_CARD_POSITION = etree.XPath(".//*[@title='Poster Position']")

_EVENT_ID = re.compile(r"event_id\s*=\s*['\"]?(\d+)")
_LOGIN_WALL = re.compile(
    r"log(?:ged)?[ -]?in to (?:view|see|access)|please (?:log|sign)[ -]?in|sign in to continue",
    re.IGNORECASE,
)
# Anything the server prints after the cards: if none of it arrived, the download was cut.
_PAGE_END_MARKERS = ("successful-page-load", "<footer", "</body", "</html")
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article blockquote pre".split()
)
_SKIPPED_TAGS = frozenset(("script", "style", "template", "noscript"))


def decode(data: bytes, declared_encoding: str | None = None) -> str:
    """Bytes to text: the HTTP charset first, then the page's own declaration, then detection."""
    known = [declared_encoding] if declared_encoding else []
    dammit = UnicodeDammit(data, known_definite_encodings=known, is_html=True)
    if dammit.unicode_markup is None:
        raise BinaryPage("cannot decode the page as text")
    return dammit.unicode_markup


def looks_like_html(text: str) -> bool:
    """Tell HTML from a plain-text rendering by content, not by file name."""
    head = text[:4096].lstrip().lower()
    return head.startswith("<") and any(
        tag in head for tag in ("<html", "<!doctype", "<head", "<body", "<div", "<meta")
    )


def parse_html(text: str) -> RawPage:
    """Extract a session page's header and cards, or raise a PageError saying what it is."""
    # Drop an XML declaration: lxml refuses one on str input.
    if text.lstrip().startswith("<?xml"):
        text = text[text.index("?>") + 2 :]
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise EmptyPage(f"not parseable as HTML ({exc})") from None

    header = _first(_HEADER(root))
    cards = _CARDS(root)
    if header is None and not cards:
        raise _not_a_session(root)

    page = RawPage(
        canonical_url=_first(_CANONICAL(root)),
        site_label=next((t.strip() for t in _TITLES(root) if _looks_like_site(t)), None),
        session_id=_session_id(root),
    )
    if header is not None:
        _read_header(header, page)
    zone = _PAGE_ZONE.search(text[:20000])
    page.default_zone = zone.group(1) if zone else None

    page.cards = [_read_card(card) for card in cards]
    if cards and not any(marker in text[text.rfind("track-schedule-card") :] for marker in
                         _PAGE_END_MARKERS):
        page.truncated = True
    if not page.cards:
        if _LOGIN_WALL.search(block_text(root)):
            raise LoginRequired("login required: the page asks to log in to view the session")
        raise NotASessionPage("session page has no talks (empty or still loading)")
    return page


def block_text(element: etree._Element, skip: etree._Element | None = None) -> str:
    """Text as a browser lays it out: entities decoded, tags dropped, a newline between blocks.

    `text_content()` would glue "</p><p>" neighbours into one word; scripts and comments
    contribute nothing. `skip` leaves one subtree out (a card's abstract, say).
    """
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        if node is not skip and tag is not None and tag not in _SKIPPED_TAGS:
            block = tag in _BLOCK_TAGS
            if block:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
            if block:
                parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    if element.text and isinstance(element.tag, str):
        parts.append(element.text)
    for child in element:
        walk(child)
    return "".join(parts).strip()


def _read_header(header: etree._Element, page: RawPage) -> None:
    page.session_type = _text_of(_SESSION_TYPE(header))
    page.title = _text_of(_SESSION_TITLE(header))
    page.room = _text_of(_ROOM(header))
    text = block_text(header)
    moderator = _MODERATOR.search(text)
    page.moderators = moderator.group(1).strip() if moderator else None
    page.time = find_time_range(text)


def _read_card(card: etree._Element) -> RawCard:
    link = _first(_CARD_LINK(card))
    abstract = _first(_CARD_ABSTRACT(card))
    return RawCard(
        title=block_text(link) if link is not None else None,
        href=link.get("href") if link is not None else None,
        authors=_text_of(_CARD_AUTHORS(card)),
        abstract=block_text(abstract) if abstract is not None else None,
        event_type=_text_of(_CARD_TYPE(card)),
        poster_position=_text_of(_CARD_POSITION(card)),
        time=find_time_range(block_text(card, skip=abstract)),
    )


def _not_a_session(root: etree._Element) -> Exception:
    text = block_text(root)
    if not text.strip():
        return EmptyPage("page has no content")
    if _LOGIN_WALL.search(text) or _PASSWORD_INPUT(root):
        return LoginRequired("login required: the page asks to log in instead of showing a session")
    return NotASessionPage("not a session page: no session header and no talk cards")


def _session_id(root: etree._Element) -> str | None:
    for onclick in _SESSION_BOOKMARK(root):
        match = _EVENT_ID.search(onclick)
        if match:
            return match.group(1)
    return None


def _looks_like_site(title: str) -> bool:
    return re.search(r"\b(19|20)\d{2}\b", title) is not None


def _first(items: list):
    return items[0] if items else None


def _text_of(elements: list[etree._Element]) -> str | None:
    text = block_text(elements[0]) if elements else ""
    return text or None

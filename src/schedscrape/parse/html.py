"""Read a virtual-site session page (HTML) into a RawPage, with lxml.

The selectors sit next to the fields they fill. They follow the markup seen on ICML 2025 and
what is known of earlier years (see MARKUP.md): classes where the sites agree, text patterns
where they do not (per-talk time slots are found by their shape, not by a class).
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from schedscrape.errors import EmptyPage, NotASessionPage, PageError
from schedscrape.links import is_web_url, page_link
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.refusals import explain
from schedscrape.parse.times import find_time_range, might_hold_time


def _has_class(name: str) -> str:
    """XPath test for one class among several; the cheap `contains` runs first."""
    return (
        f"(contains(@class, '{name}') and "
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} '))"
    )


# Page-level selectors.
_CANONICAL = etree.XPath(
    "/html/head/link[@rel='canonical']/@href | /html/head/meta[@property='og:url']/@content"
)
_TITLES = etree.XPath("/html/head/title/text()")
_PASSWORD_INPUT = etree.XPath("//input[@type='password']")
_PAGE_ZONE = re.compile(rb"Timezone:\s*(\S+)")

# Header selectors, relative to div.card-header.
_SESSION_TYPE = etree.XPath("./h3")
_SESSION_TITLE = etree.XPath(f"./h2[{_has_class('main-title')} or {_has_class('card-title')}]")
_ROOM = etree.XPath(f"./h5[{_has_class('text-muted')}]")
_MODERATOR = re.compile(r"Moderators?\s*:\s*(.+)")


# Card fields, matched by tag and class in one walk over the card (a handful of XPath queries
# per card would cost more than parsing the whole page):
#   h5 a[href] / h4 a[href]       -> title and event link
#   p.text-muted                  -> authors
#   div.abstract                  -> abstract
#   div.float-end.small           -> event type ("Poster", "Spotlight Poster")
#   div[title="Poster Position"]  -> board ("#W-100")
#   a dated time slot anywhere outside the abstract -> the talk's own time (no known class)


_EVENT_ID = re.compile(rb"toggle_bookmark\([^)]*?event_id\s*=\s*['\"]?(\d+)")
# Anything the server prints after the cards: if none of it arrived, the download was cut.
_PAGE_END_MARKERS = (b"successful-page-load", b"<footer", b"</body", b"</html")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "blockquote",
        "pre",
    ]
)
_SKIPPED_TAGS = frozenset(("script", "style", "template", "noscript"))
_BREAKING_TAGS = _BLOCK_TAGS | _SKIPPED_TAGS  # what block_text treats differently from inline


def looks_like_html(text: str) -> bool:
    """Tell HTML from a plain-text rendering by content, not by file name."""
    head = text[:4096].lstrip().lower()
    return head.startswith("<") and any(
        tag in head for tag in ("<html", "<!doctype", "<head", "<body", "<div", "<meta")
    )


_PARSERS = threading.local()  # lxml parsers must not be shared between threads


def _parser() -> etree.HTMLParser:
    if not hasattr(_PARSERS, "parser"):
        _PARSERS.parser = etree.HTMLParser(recover=True, no_network=True, encoding="utf-8")
    return _PARSERS.parser


def parse_html(data: bytes) -> RawPage:
    """Extract a session page (UTF-8 bytes) into its header and cards, or raise a PageError
    saying what the page is instead."""
    try:
        # A plain etree parser skips lxml.html's element-class lookup, which costs more than
        # the parse itself.
        root = etree.fromstring(data, _parser())
    except (etree.ParserError, ValueError) as exc:
        raise EmptyPage(f"not parseable as HTML ({exc})") from None
    if root is None:
        raise EmptyPage("page has no content")

    header, card_elements = _header_and_cards(root)
    cards = [_read_card(card) for card in card_elements]
    if header is None and not cards:
        raise _not_a_session(root, data)

    page = RawPage(
        canonical_url=_canonical_url(root),
        site_label=next((t.strip() for t in _TITLES(root) if _looks_like_site(t)), None),
        session_id=_session_id(data),
    )
    if header is not None:
        _read_header(header, page)
    zone = _PAGE_ZONE.search(data[:20000])
    page.default_zone = zone.group(1).decode("utf-8", "replace") if zone else None

    page.cards = cards
    if cards and not any(
        marker in data[data.rfind(b"track-schedule-card") :] for marker in _PAGE_END_MARKERS
    ):
        page.truncated = True
    if not page.cards:
        raise _not_a_session(
            root,
            data,
            "no talk cards on the page (an event page, an empty session, or still loading)",
        )
    return page


def block_text(element: etree._Element) -> str:
    """Text as a browser lays it out: entities decoded, tags dropped, a newline between blocks.

    `text_content()` would glue "</p><p>" neighbours into one word; scripts and comments
    contribute nothing; the source's indentation around lines is layout, not text.
    """
    if _is_one_block(element):
        # One paragraph (most abstracts): libxml2's text serialiser is much faster.
        return _tidy_lines(_plain_text(element))
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is not None and tag not in _SKIPPED_TAGS:
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
    return _tidy_lines("".join(parts))


def _tidy_lines(text: str) -> str:
    if "\n" not in text:
        return text.strip()
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _is_one_block(element: etree._Element) -> bool:
    """True when no block boundary falls inside: at most one child holds anything, it holds no
    block element, script or comment, and only whitespace surrounds it. The sites' loose
    `<p><p>text</p></p>` (an empty paragraph, then the text) counts as one block."""
    if (element.text or "").strip():
        return len(element) == 0
    content = None
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED_TAGS:
            return False
        if (child.tail or "").strip():
            return False
        if len(child) == 0 and not child.text:
            continue  # an empty element (the loose markup's extra <p>)
        if content is not None:
            return False
        content = child
    if content is None:
        return True
    # A Python check of the few inline descendants beats a many-tag lxml matcher here.
    return not any(
        not isinstance(node.tag, str) or node.tag in _BREAKING_TAGS
        for node in content.iterdescendants()
    )


def _read_header(header: etree._Element, page: RawPage) -> None:
    page.session_type = _text_of(_SESSION_TYPE(header))
    page.title = _text_of(_SESSION_TITLE(header))
    page.room = _text_of(_ROOM(header))
    text = block_text(header)
    moderator = _MODERATOR.search(text)
    page.moderators = moderator.group(1).strip() if moderator else None
    page.time = find_time_range(text)


def _header_and_cards(root: etree._Element) -> tuple[etree._Element | None, list]:
    """The first div.card-header and every div.track-schedule-card, in one walk over the divs
    (two `//div[class]` queries cost twice that)."""
    header = None
    cards = []
    for div in root.iter("div"):
        classes = div.get("class")
        if not classes:
            continue
        if "track-schedule-card" in classes and "track-schedule-card" in classes.split():
            cards.append(div)
        elif header is None and "card-header" in classes and "card-header" in classes.split():
            header = div
    return header, cards


def _read_card(card: etree._Element) -> RawCard:
    raw = RawCard()
    outside_abstract: list[str] = []
    for child in card:
        classes = child.get("class")
        if child.tag == "div" and classes and "abstract" in classes.split():
            if raw.abstract is None:
                raw.abstract = block_text(child)
            continue
        outside_abstract.append(_plain_text(child))
        in_heading = False
        for element in child.iter("div", "p", "a", "h4", "h5"):
            tag = element.tag
            if tag in ("h4", "h5"):
                in_heading = True
            elif tag == "a":
                if in_heading and raw.title is None and element.get("href"):
                    raw.title = _plain_text(element).strip()
                    raw.href = page_link(element.get("href"))  # None for `javascript:` & co
            elif element.get("title") == "Poster Position":
                raw.poster_position = raw.poster_position or _plain_text(element)
            else:
                classes = element.get("class", "").split()
                if tag == "p" and "text-muted" in classes:
                    raw.authors = raw.authors or _plain_text(element)
                elif "float-end" in classes and "small" in classes:
                    raw.event_type = raw.event_type or _plain_text(element)
    # The slot is whatever text is left once the known fields are taken out (titles often
    # hold a colon, which would send every card through the slower time pattern).
    rest = "\n".join(outside_abstract)
    if might_hold_time(rest):
        for known in (raw.title, raw.authors, raw.event_type, raw.poster_position):
            if known:
                rest = rest.replace(known, " ", 1)
        raw.time = find_time_range(rest)
    return raw


def _plain_text(element: etree._Element) -> str:
    """An inline field's text as it stands (libxml2's text serialiser beats joining itertext)."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def _not_a_session(
    root: etree._Element, data: bytes, missing: str = "no session header and no talk cards"
) -> PageError:
    if "Excessive depth" in str(_parser().error_log):
        return NotASessionPage("not a session page: tags nested too deeply to read")
    return explain(
        _plain_text(root),
        markup=data[:65536].decode("utf-8", "replace"),
        password_field=bool(_PASSWORD_INPUT(root)),
        missing=missing,
    )


def _session_id(data: bytes) -> str | None:
    """The id in the session's own bookmark, which the page prints above the first card."""
    match = _EVENT_ID.search(data)
    first_card = data.find(b"track-schedule-card")
    if match and (first_card == -1 or match.start() < first_card):
        return match.group(1).decode("ascii")
    return None


def _canonical_url(root: etree._Element) -> str | None:
    """The page's own address, when it declares an absolute http(s) one."""
    declared = _CANONICAL(root)
    url = page_link(declared[0]) if declared else None
    return url if is_web_url(url) else None


def _looks_like_site(title: str) -> bool:
    return re.search(r"\b(19|20)\d{2}\b", title) is not None


def _text_of(elements: list[etree._Element]) -> str | None:
    text = block_text(elements[0]) if elements else ""
    return text or None

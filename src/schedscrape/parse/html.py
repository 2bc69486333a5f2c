"""Read a virtual-site session page (HTML) into a RawPage, with lxml.

The selectors sit next to the fields they fill. They follow the markup seen on ICML 2025 and
what is known of earlier years (see MARKUP.md): classes where the sites agree, text patterns
where they do not (per-talk time slots are found by their shape, not by a class).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable

from lxml import etree

from schedscrape.errors import EmptyPage, NotASessionPage, PageError, PageTooBig
from schedscrape.links import is_web_url, page_link
from schedscrape.parse.htmltree import ClassNames, class_names, has_class, html_parser
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.refusals import MAX_TALKS, explain, too_many_talks
from schedscrape.parse.times import find_time_range, might_hold_time

# Page-level selectors, relative to <head>.
_CANONICAL = etree.XPath("link[@rel='canonical']/@href | meta[@property='og:url']/@content")
_TITLES = etree.XPath("title/text()")
_PASSWORD_INPUT = etree.XPath("//input[@type='password']")
_PAGE_ZONE = re.compile(rb"Timezone:\s*(\S+)")

# Header selectors, relative to div.card-header.
_SESSION_TYPE = etree.XPath("./h3")
_SESSION_TITLE = etree.XPath(f"./h2[{has_class('main-title')} or {has_class('card-title')}]")
_ROOM = etree.XPath(f"./h5[{has_class('text-muted')}]")
_MODERATOR = re.compile(r"Moderators?\s*:\s*(.+)")


_CARD_CLASSES = ("abstract", "text-muted", "float-end", "small")  # see below
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
        _PARSERS.parser = html_parser()
    return _PARSERS.parser


def parse_html(data: bytes) -> RawPage:
    """Extract a session page (UTF-8 bytes) into its header and cards, or raise a PageError
    saying what the page is instead."""
    reading = _Reading()
    try:
        root = _tree(data, reading)
    except (etree.LxmlError, ValueError) as exc:
        raise EmptyPage(f"not parseable as HTML ({exc})") from None
    if root is None:
        raise EmptyPage("page has no content")
    reading.read(root.iter("div"))
    page = reading.page
    if not reading.has_header and not page.cards:
        raise reading.refusal(root, data)

    reading.read_head(root.find("head"))
    page.canonical_url = _web_url(reading.canonical)
    page.session_id = _session_id(data)
    zone = _PAGE_ZONE.search(data[:20000])
    page.default_zone = zone.group(1).decode("utf-8", "replace") if zone else None
    last_card = data.rfind(b"track-schedule-card")
    if page.cards and not any(data.find(end, last_card) != -1 for end in _PAGE_END_MARKERS):
        page.truncated = True
    if not page.cards:
        raise reading.refusal(
            root,
            data,
            "no talk cards on the page (an event page, an empty session, or still loading)",
        )
    return page


# A page up to this size is parsed whole (the real 736 KB page takes ~10 ms). A tree can take
# 40 times the bytes of its page (1 GB for 25 MB of tags laden with attributes), so a bigger
# page with no session markup at all is judged by its first chunk, and one with markup is
# parsed a chunk at a time, each finished part of the tree read and freed before the next.
# An unfinished card or header is kept whole, for 2 MB more of the page (a real one is 3 KB).
_WHOLE_TREE_MAX = 4 * 1024 * 1024
_PART_MAX = 2 * 1024 * 1024
_CHUNK = 1024 * 1024
_PART_MARKERS = (b"track-schedule-card", b"card-header")  # as written in the class attributes
_MAX_DEPTH = 255  # where libxml2 stops, as huge_tree is off; its push parser says nothing
_MAX_AFTER_END = 1000  # comments after </html> sit beside the tree, out of reach of freeing


def _tree(data: bytes, reading: _Reading) -> etree._Element | None:
    """The page's tree, whole or what is left of it once read in parts (see above)."""
    # A plain etree parser skips lxml.html's element-class lookup, which costs more than the
    # parse itself.
    if len(data) <= _WHOLE_TREE_MAX:
        return etree.fromstring(data, _parser())
    if not any(marker in data for marker in _PART_MARKERS):
        return etree.fromstring(data[:_CHUNK], _parser())  # enough to say what the page is
    parser = etree.HTMLPullParser(
        events=("start",), tag="html", recover=True, no_network=True, encoding="utf-8"
    )
    root = None
    for start in range(0, len(data), _CHUNK):
        parser.feed(data[start : start + _CHUNK])
        roots = [element for _event, element in parser.read_events() if element.getparent() is None]
        root = root if root is not None else next(iter(roots), None)
        if root is not None:
            _read_finished(root, reading, start + _CHUNK)
            if next(itertools.islice(root.itersiblings(), _MAX_AFTER_END, None), None) is not None:
                raise PageTooBig(f"page too big: over {_MAX_AFTER_END:,} comments after its end")
        if any(element is not root for element in roots):
            break  # a second <html> after </html>: lxml's tree is the first, the rest is left out
    root = parser.close()
    reading.too_deep = _depth(root) >= _MAX_DEPTH
    return root


def _read_finished(root: etree._Element, reading: _Reading, fed: int) -> None:
    """Read, then delete, what the parser is done with, in the page's order. It only ever adds
    to the path of last children, so nothing it holds is touched. An unfinished card or header
    stays whole."""
    node = root
    while children := len(node):  # lxml counts children one by one: once per level
        if children > 1:
            reading.read_finished(node)
            del node[:-1]
        node = node[-1]
        if node.tag == "div" and _part(node):
            if node is not reading.unfinished:
                reading.unfinished, reading.unfinished_since = node, fed
            elif fed - reading.unfinished_since > _PART_MAX:
                raise PageTooBig(
                    f"page too big: a talk card or session header over {_PART_MAX // 1024**2} MB"
                )
            return


def _depth(root: etree._Element) -> int:
    depth = 0
    while len(root):
        root = root[-1]
        depth += 1
    return depth


class _Reading:
    """The session parts found so far (the first header and every card, in page order), and
    what explains a page without them: the start of its text, whether it asks for a password."""

    def __init__(self) -> None:
        self.page = RawPage()
        self.classes = class_names(*_CARD_CLASSES)
        self.has_header = False
        self.text = ""
        self.password_field = False
        self.too_deep: bool | None = None  # known here when a page is parsed in parts
        self.unfinished: etree._Element | None = None  # the card the parser was in, if any
        self.unfinished_since = 0  # and how far into the page it was then
        self.canonical: str | None = None

    def read_head(self, head: etree._Element | None) -> None:
        """The page's declared address and site label ("ICML 2025"), the first of each."""
        if head is None:
            return
        if self.canonical is None:
            self.canonical = next(iter(_CANONICAL(head)), None)
        if self.page.site_label is None:
            titles = (title.strip() for title in _TITLES(head))
            self.page.site_label = next(
                (title for title in titles if _looks_like_site(title)), None
            )

    def read(self, divs: Iterable[etree._Element]) -> None:
        for div in divs:
            part = _part(div)
            if part == "card":
                if len(self.page.cards) == MAX_TALKS:
                    raise too_many_talks()
                self.page.cards.append(_read_card(div, self.classes))
            elif part == "header" and not self.has_header:
                self.has_header = True
                _read_header(div, self.page)

    def read_finished(self, node: etree._Element) -> None:
        """Read the children of `node` the parser is done with: all but the last. (A Python
        walk: an XPath that leaves out the last child is far slower on wide levels.)"""
        last = node[-1]
        kinds = ("div", "input", "head")
        stop = next(last.iter(*kinds), None)  # where the unfinished part begins
        divs = []
        for element in node.iter(*kinds):  # the page's order
            if element is stop:
                break
            if element.tag == "div":
                divs.append(element)
            elif element.tag == "head":  # its address and title, before it goes
                self.read_head(element)
            elif element.tag == "input" and element.get("type") == "password":
                self.password_field = True
        self.read(divs)
        if node.tag == "head":  # a <head> can be any size: read its children before they go
            self.read_head(node)
        if len(self.text) < _TEXT_SAMPLE:
            self.text += _text_start(node, _TEXT_SAMPLE - len(self.text))

    def refusal(
        self,
        root: etree._Element,
        data: bytes,
        missing: str = "no session header and no talk cards",
    ) -> PageError:
        """The error for a page without a session."""
        if self.too_deep or (
            self.too_deep is None and "Excessive depth" in str(_parser().error_log)
        ):
            return NotASessionPage("not a session page: tags nested too deeply to read")
        return explain(
            self.text + _text_start(root, _TEXT_SAMPLE),
            markup=data[:_TEXT_SAMPLE].decode("utf-8", "replace"),
            password_field=self.password_field or bool(_PASSWORD_INPUT(root)),
            missing=missing,
        )


def _part(div: etree._Element) -> str | None:
    """ "card" for a div.track-schedule-card, "header" for a div.card-header. The cheap
    substring tests come first: most divs have neither."""
    classes = div.get("class")
    if not classes or ("track-schedule-card" not in classes and "card-header" not in classes):
        return None
    if "track-schedule-card" in classes and "track-schedule-card" in classes.split():
        return "card"
    if "card-header" in classes and "card-header" in classes.split():
        return "header"
    return None


_TEXT_SAMPLE = 64 * 1024  # enough to tell a login wall or a challenge page


def _text_start(element: etree._Element, size: int) -> str:
    """The first `size` characters of an element's text. (Elements here hold at most a few MB
    of page; lxml's itertext is quadratic over processing instructions.)"""
    return _plain_text(element)[:size]


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
    stripped = text.strip()
    if "\n" not in stripped:  # one line (most abstracts): its layout newlines are at the ends
        return stripped
    lines = (line.strip() for line in stripped.split("\n"))
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


def _read_card(card: etree._Element, classes: ClassNames) -> RawCard:
    raw = RawCard()
    outside_abstract: list[str] = []
    for child in card:
        if child.tag == "div" and "abstract" in classes(child):
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
                names = classes(element)
                if tag == "p" and "text-muted" in names:
                    raw.authors = raw.authors or _plain_text(element)
                elif "float-end" in names and "small" in names:
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


def _session_id(data: bytes) -> str | None:
    """The id in the session's own bookmark, which the page prints above the first card."""
    match = _EVENT_ID.search(data)
    first_card = data.find(b"track-schedule-card")
    if match and (first_card == -1 or match.start() < first_card):
        return match.group(1).decode("ascii")
    return None


def _web_url(declared: str | None) -> str | None:
    """The page's own address, when it declares an absolute http(s) one."""
    url = page_link(declared) if declared else None
    return url if is_web_url(url) else None


def _looks_like_site(title: str) -> bool:
    return re.search(r"\b(19|20)\d{2}\b", title) is not None


def _text_of(elements: list[etree._Element]) -> str | None:
    text = block_text(elements[0]) if elements else ""
    return text or None

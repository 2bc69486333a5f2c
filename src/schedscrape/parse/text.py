"""Read a plain-text rendering of a session page (a browser's "save as text", or a copy of the
page) into a RawPage.

Layout, as in the ICML 2022 renderings: a header (session type, title and room lines, a
`Moderator:` line), then per talk a time-slot line, a title line, an authors line (a single
author has no separator) and the abstract paragraph(s) up to the next time-slot line.
"""

from __future__ import annotations

import re

from schedscrape.errors import NotASessionPage
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.refusals import explain
from schedscrape.parse.times import is_time_range

_MODERATOR = re.compile(r"^Moderators?\s*:\s*(.+)$", re.IGNORECASE)
_TIMEZONE_HEADER = re.compile(r"^Timezone:\s*(\S+)", re.IGNORECASE)
# Navigation and widget text that the renderings carry around the content.
_BOILERPLATE = re.compile(
    r"^(skip to .*|chat is not available\.?|\(?bookmark\)?|abstract:?|successful page load"
    r"|toggle navigation|login|log in|sign in)$",
    re.IGNORECASE,
)


def parse_text(text: str) -> RawPage:
    """Split the rendering at its time-slot lines; raise a PageError if there are none."""
    lines = [line.strip() for line in text.splitlines()]
    slots = [index for index, line in enumerate(lines) if is_time_range(line)]
    if not slots:
        raise explain(text, missing="no talk time slots found in the text")

    page = RawPage()
    _read_header(lines[: slots[0]], page)
    for start, stop in zip(slots, [*slots[1:], len(lines)], strict=True):
        card = _read_talk(lines[start], lines[start + 1 : stop])
        if card is not None:
            page.cards.append(card)
    if not page.cards:
        raise NotASessionPage("not a session page: time slots without talks")
    return page


def _read_header(lines: list[str], page: RawPage) -> None:
    """Moderators by their label; the remaining lines are, in order, type, title and room."""
    remaining: list[str] = []
    for line in lines:
        if not line or _BOILERPLATE.match(line):
            continue
        if moderator := _MODERATOR.match(line):
            page.moderators = moderator.group(1)
        elif zone := _TIMEZONE_HEADER.match(line):
            page.default_zone = zone.group(1)
        else:
            remaining.append(line)
    # Keep the lines closest to the talks: navigation text, if any, comes first.
    labels = (
        ("room",)
        if len(remaining) == 1
        else ("title", "room")
        if len(remaining) == 2
        else ("session_type", "title", "room")
    )
    for label, line in zip(labels, remaining[-len(labels) :], strict=False):
        setattr(page, label, line)


def _read_talk(time_line: str, lines: list[str]) -> RawCard | None:
    paragraphs = [line for line in lines if line and not _BOILERPLATE.match(line)]
    if not paragraphs:
        return None
    return RawCard(
        time=time_line,
        title=paragraphs[0],
        authors=paragraphs[1] if len(paragraphs) > 1 else None,
        abstract="\n\n".join(paragraphs[2:]) or None,
    )

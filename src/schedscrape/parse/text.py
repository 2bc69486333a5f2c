"""Read a plain-text rendering of a session page (a browser's "save as text", or a copy of the
page) into a RawPage.

Two layouts are known, and anything else is refused rather than guessed at:

- cards: each talk starts with its type and board lines ("Poster", "#W-100"), then the title,
  the authors line and the abstract, as in ICML 2025 poster sessions. A time-slot line inside
  a card is the talk's own slot;
- slots: each talk starts with its time-slot line ("Thu 21 July 12:30 - 12:35 PDT"), then the
  title, the authors line (a single author has no separator) and the abstract paragraph(s), as
  in the ICML 2022 oral sessions.

The header before the first talk holds the session's type, title and room (in that order, just
above the session's own time slot when it shows one) and a `Moderator:` line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from schedscrape.errors import NotASessionPage, PageTooBig
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.refusals import MAX_TALKS, explain, too_many_talks
from schedscrape.parse.times import is_time_range

_MODERATOR = re.compile(r"^Moderators?\s*:\s*(.+)$", re.IGNORECASE)
_TIMEZONE_HEADER = re.compile(r"^Timezone:\s*(\S+)", re.IGNORECASE)
# Navigation and widget text that the renderings carry around the content.
_BOILERPLATE = re.compile(
    r"^(skip to .*|chat is not available\.?|\(?bookmark\)?|abstract:?"
    r"|toggle navigation|login|log in|sign in|full\s+chat|chat)$",
    re.IGNORECASE,
)
# A card's first lines: its type ("Poster", "Spotlight Poster", "Oral") and board ("#W-100").
_EVENT_TYPE = re.compile(
    r"^(?:(?:Spotlight|Oral|Highlight(?:ed)?|Position|Invited|Contributed)\s+)?"
    r"(?:Poster|Oral|Spotlight|Talk|Paper|Demo|Presentation)$"
)
_BOARD = re.compile(r"^#\s?[\w-]+$")
_CONTINUED_SLOT = re.compile(r"^[-–—]")
# Where the page's content ends and its footer begins.
_FOOTER = re.compile(
    r"^(successful page load|useful links|the \w+ logo above may be used.*)$", re.IGNORECASE
)


# What one rendering may hold: the real 232-talk page copied as text is 319 KB in 2,800 lines
# (blank ones included), so MAX_TALKS talks fit with room to spare. A bigger one is refused
# before it is split into lines (a 27 MB rendering once gave a million talks in 3 GB).
MAX_TEXT_CHARS = 16_000_000
MAX_LINES = 250_000


def parse_text(text: str) -> RawPage:
    """Read whichever layout the rendering has; raise a PageError if it has neither."""
    if len(text) > MAX_TEXT_CHARS:
        raise PageTooBig(
            f"page too big: {len(text):,} characters of text, over the limit of {MAX_TEXT_CHARS:,}"
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") >= MAX_LINES:
        raise PageTooBig(f"page too big: over {MAX_LINES:,} lines of text")
    lines = _content_lines(text)
    starts = _talk_starts(index for index in range(len(lines)) if _starts_card(lines, index))
    if starts:
        page = _read_cards(lines, starts)
    else:
        slots = _talk_starts(index for index, line in enumerate(lines) if is_time_range(line))
        if not slots:
            raise explain(text, missing="no talk cards or time slots found in the text")
        page = _read_slots(lines, slots)
    if not page.cards:
        raise NotASessionPage("not a session page: no talks found in the text")
    return page


def _talk_starts(indexes: Iterator[int]) -> list[int]:
    """The lines where talks start; a PageTooBig as soon as there are too many."""
    starts = list(itertools.islice(indexes, MAX_TALKS + 1))
    if len(starts) > MAX_TALKS:
        raise too_many_talks()
    return starts


def _content_lines(text: str) -> list[str]:
    """Non-empty lines without widget text; a slot split over two lines is joined again.

    Lines end at line feeds only (carriage returns are made line feeds first): `splitlines`
    would also split at form feeds, NEL and other separators no rendering uses for lines.
    """
    lines: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if _FOOTER.match(line):
            break
        if not line or _BOILERPLATE.match(line):
            continue
        if lines and _CONTINUED_SLOT.match(line) and is_time_range(f"{lines[-1]} {line}"):
            lines[-1] = f"{lines[-1]} {line}"  # "Wed 16 Jul 11 a.m. PDT" / "— 1:30 p.m. PDT"
        else:
            lines.append(line)
    return lines


def _starts_card(lines: list[str], index: int) -> bool:
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return bool(_EVENT_TYPE.match(lines[index])) and bool(
        _BOARD.match(following) or is_time_range(following)
    )


def _read_cards(lines: list[str], starts: list[int]) -> RawPage:
    page = _read_header(lines[: starts[0]])
    for start, stop in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = lines[start:stop]
        card = RawCard(event_type=block[0])
        rest = block[1:]
        if rest and _BOARD.match(rest[0]):
            card.poster_position, rest = rest[0], rest[1:]
        slot = next((line for line in rest if is_time_range(line)), None)
        if slot is not None:
            card.time = slot
            rest = [line for line in rest if line is not slot]
        if _fill(card, rest):
            page.cards.append(card)
    return page


def _read_slots(lines: list[str], slots: list[int]) -> RawPage:
    page = _read_header(lines[: slots[0]])
    for start, stop in zip(slots, [*slots[1:], len(lines)], strict=True):
        card = RawCard(time=lines[start])
        if _fill(card, lines[start + 1 : stop]):
            page.cards.append(card)
    return page


def _fill(card: RawCard, lines: list[str]) -> bool:
    """Title, authors line, then the abstract's paragraphs; False when there is no title."""
    if not lines:
        return False
    card.title = lines[0]
    card.authors = lines[1] if len(lines) > 1 else None
    card.abstract = "\n\n".join(lines[2:]) or None
    return True


def _read_header(lines: list[str]) -> RawPage:
    """Moderators and a zone by their labels; type, title and room are the (up to) three lines
    above the session's slot, or the last lines of the header when it shows none."""
    page = RawPage()
    remaining: list[str] = []
    for line in lines:
        if moderator := _MODERATOR.match(line):
            page.moderators = moderator.group(1)
        elif zone := _TIMEZONE_HEADER.match(line):
            page.default_zone = zone.group(1)
        else:
            remaining.append(line)
    slot = next((index for index, line in enumerate(remaining) if is_time_range(line)), None)
    if slot is not None:
        page.time = remaining[slot]
        remaining = remaining[:slot]
    labels = ("session_type", "title", "room")[-min(len(remaining), 3) :] if remaining else ()
    for label, line in zip(labels, remaining[-len(labels) :], strict=True):
        setattr(page, label, line)
    return page

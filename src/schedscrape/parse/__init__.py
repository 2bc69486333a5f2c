"""Page (bytes or text) -> validated records. Readers for HTML and plain text produce a RawPage;
`build` applies the text, time and author rules to it. The sites' data files (JSON or CSV: the
feed and the events export) hold records, not markup, and are read by `parse.datafiles`.

HTML with session cards goes to the session-page reader first (the pages crawled by the
thousand), other HTML to the readers of the other kinds (`parse.readers`). A page none of them
recognises gets the session reader's explanation: empty, a login wall, an anti-bot challenge,
or not a session page. That explanation is looked for only then: a detail page whose navbar
offers a login form is a detail page, and is not searched for walls (which costs more than
reading it)."""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime

from schedscrape.errors import EmptyPage, NotASessionPage, PageTooBig
from schedscrape.parse.build import PARSER_VERSION, ParsedPage, build_records, web_address
from schedscrape.parse.datafiles import looks_like_data_file, read_data_file
from schedscrape.parse.datafiles.records import FileContext
from schedscrape.parse.encoding import head_text, page_encoding, to_text, to_utf8
from schedscrape.parse.html import looks_like_html, parse_html
from schedscrape.parse.raw import RawPage
from schedscrape.parse.readers import read_other_kinds
from schedscrape.parse.text import parse_text
from schedscrape.parse.times import local_zone

__all__ = ["MAX_PAGE_BYTES", "PARSER_VERSION", "ParsedPage", "check_size", "parse_page"]

# The largest page or data file read: the biggest feeds and exports are a few MB, the biggest
# pages under 1 MB. Anything larger is refused before it is read (or built into a tree).
MAX_PAGE_BYTES = 64 * 2**20


def parse_page(
    data: bytes | str,
    *,
    url: str | None = None,
    year: int | None = None,
    conference: str | None = None,
    source: str | None = None,
    fetched_at: datetime | None = None,
    encoding: str | None = None,
    today: date | None = None,
    zones: Mapping[str, str] | None = None,
    tz: str | None = None,
) -> ParsedPage:
    """Parse one page, HTML, a plain-text rendering or one of the sites' data files, told apart
    by content: a session page, an events list, a list page, a schedule, an event detail page,
    a feed or an events export (`.kind` says which). A feed gives several sessions: `.session`
    is None, `.sessions` lists them (see `schedscrape.parse.datafiles.feed`).

    Raises a `schedscrape.errors.PageError` (one-line message) for pages that give nothing:
    empty, binary, over MAX_PAGE_BYTES, login-walled, broken JSON, or of no kind it reads.
    `encoding` is the HTTP charset, if known. `zones` maps zone labels to UTC offsets
    ({"CST": "-06:00"}), for labels the built-in table does not know or cannot tell apart.
    `tz` is the zone of times printed with none ("Asia/Seoul" or "+09:00"); a ValueError if
    it is neither.
    """
    local = local_zone(tz) if tz else None
    with _collector_paused():
        check_size(len(data))  # a str of more characters has at least as many bytes
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
        check_size(len(raw))
        if not raw or raw.isspace():  # stops at the first byte of text; strip() copies the page
            raise EmptyPage("page is empty")
        codec = "utf-8" if isinstance(data, str) else page_encoding(raw, encoding)
        head = head_text(raw, codec)
        if looks_like_data_file(head):
            context = FileContext(
                source=source or url or "<memory>",
                content_sha256=hashlib.sha256(raw).hexdigest(),
                url=web_address(url),
                year=year,
                conference=conference,
                fetched_at=fetched_at,
                local_zone=local,
            )
            return read_data_file(data if isinstance(data, str) else to_text(raw, codec), context)
        if looks_like_html(head):
            page = _read_html(raw if isinstance(data, str) else to_utf8(raw, codec))
        else:
            page = parse_text(data if isinstance(data, str) else to_text(raw, codec))
            page.kind = "text rendering"
        return build_records(
            page,
            source=source or url or "<memory>",
            content_sha256=hashlib.sha256(raw).hexdigest(),
            url=url,
            year=year,
            conference=conference,
            fetched_at=fetched_at,
            today=today,
            zones={label.upper(): offset for label, offset in (zones or {}).items()},
            local_zone=local,
        )


# The cyclic collector is paused while a page is read: its thousands of new objects (cards,
# fields, records) hold no cycles and are freed by reference counting, but each one counts
# towards the collector's next pass, and those passes over the whole heap took 15-25 % of a
# list page's time. Paused once for all threads reading pages, and resumed by the last one to
# finish, only if it was on.
_PAUSE = threading.Lock()
_pauses = 0
_resume = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    global _pauses, _resume
    with _PAUSE:
        if not _pauses:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _PAUSE:
            _pauses -= 1
            if not _pauses and _resume:
                gc.enable()


def _after_fork() -> None:
    """A forked child has none of its parent's other threads: none of their pages to finish."""
    global _PAUSE, _pauses
    _PAUSE = threading.Lock()
    if _pauses and _resume:
        gc.enable()
    _pauses = 0


os.register_at_fork(after_in_child=_after_fork)


def check_size(size: int) -> None:
    """Refuse a page or file over MAX_PAGE_BYTES before reading it (a PageTooBig)."""
    if size > MAX_PAGE_BYTES:
        raise PageTooBig(
            f"too big to be a page or data file: {size / 2**20:,.0f} MiB "
            f"(the limit is {MAX_PAGE_BYTES // 2**20} MiB)"
        )


# A session page's cards (MARKUP.md): a page without this class has no session to read.
_SESSION_CARD = b"track-schedule-card"


def _read_html(data: bytes) -> RawPage:
    refusal = None
    if _SESSION_CARD in data:
        try:
            return parse_html(data)
        except NotASessionPage as exc:  # the class named in a script, say
            refusal = exc
    try:
        page = read_other_kinds(data)
    except PageTooBig:
        if refusal is not None:  # the session reader's word on what the page is says more
            raise refusal from None
        raise
    if page is not None:
        return page
    if refusal is not None:
        raise refusal
    return parse_html(data)  # it raises, saying what the page is instead

"""Page (bytes or text) -> validated records. Readers for HTML and plain text produce a RawPage;
`build` applies the text, time and author rules to it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime

from schedscrape.errors import EmptyPage
from schedscrape.parse.build import PARSER_VERSION, ParsedPage, build_records
from schedscrape.parse.encoding import head_text, page_encoding, to_text, to_utf8
from schedscrape.parse.html import looks_like_html, parse_html
from schedscrape.parse.text import parse_text

__all__ = ["PARSER_VERSION", "ParsedPage", "parse_page"]


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
) -> ParsedPage:
    """Parse one session page, HTML or a plain-text rendering, told apart by content.

    Raises a `schedscrape.errors.PageError` (one-line message) for pages that give no session:
    empty, binary, login-walled, or not a session page. `encoding` is the HTTP charset, if known.
    `zones` maps zone labels to UTC offsets ({"CST": "-06:00"}), for labels the built-in table
    does not know or cannot tell apart.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if not raw.strip():
        raise EmptyPage("page is empty")
    codec = "utf-8" if isinstance(data, str) else page_encoding(raw, encoding)
    if looks_like_html(head_text(raw, codec)):
        page = parse_html(raw if isinstance(data, str) else to_utf8(raw, codec))
    else:
        page = parse_text(data if isinstance(data, str) else to_text(raw, codec))
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
    )

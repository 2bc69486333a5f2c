"""Page (bytes or text) -> validated records. Readers for HTML and plain text produce a RawPage;
`build` applies the text, time and author rules to it."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

from schedscrape.errors import BinaryPage, EmptyPage
from schedscrape.parse.build import PARSER_VERSION, ParsedPage, build_records
from schedscrape.parse.html import decode, looks_like_html, parse_html
from schedscrape.parse.text import parse_text

__all__ = ["PARSER_VERSION", "ParsedPage", "parse_page"]

# Share of control characters above which "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


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
) -> ParsedPage:
    """Parse one session page, HTML or a plain-text rendering, told apart by content.

    Raises a `schedscrape.errors.PageError` (one-line message) for pages that give no session:
    empty, binary, login-walled, or not a session page. `encoding` is the HTTP charset, if known.
    """
    raw_bytes = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if not raw_bytes.strip():
        raise EmptyPage("page is empty")
    if isinstance(data, str):
        text, codec = data, "utf-8"
    else:
        text, codec = _decode(raw_bytes, encoding)
    if looks_like_html(text):
        page = parse_html(text, utf8=raw_bytes if codec == "utf-8" else None)
    else:
        page = parse_text(text)
    return build_records(
        page,
        source=source or url or "<memory>",
        content_sha256=hashlib.sha256(raw_bytes).hexdigest(),
        url=url,
        year=year,
        conference=conference,
        fetched_at=fetched_at,
        today=today,
    )


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BinaryPage("binary data, not a web page or text")
    text, codec = decode(data, encoding)
    sample = text[:8192]
    if len(_CONTROL_CHARS.findall(sample)) > _MAX_CONTROL_SHARE * len(sample):
        raise BinaryPage("binary data, not a web page or text")
    return text, codec

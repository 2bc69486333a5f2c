"""Links schedscrape passes on lead to web pages: http or https, nothing else; and what
counts as one site (`same_site`).

A card's link is page text like any other. A `javascript:` or `data:` link would run in the
browser that opens schedule.html or in a calendar program, so the page readers drop such links
where they read them, and the writers never write one as a link (data merged from an older run
may still hold one).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_WEB_SCHEMES = frozenset(["http", "https"])
_IGNORED = str.maketrans("", "", "\t\n\r")  # browsers drop these anywhere in a URL
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))  # and trim these at both ends
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # and percent-encode these inside


def page_link(href: str | None) -> str | None:
    """`href` as a browser reads it, if it leads to a web page: an absolute http(s) URL with a
    host, or a reference relative to the page (`/virtual/2025/poster/1`). None otherwise.

    Entities are already decoded by the HTML parser, so `&#106;avascript:` arrives here as
    `javascript:`; tabs inside the scheme (`java\\tscript:`) and leading spaces are undone
    here, as browsers undo them, before the scheme is read.
    """
    if not href:
        return None
    if href[:1] == "/" and href[-1] != " " and href.isprintable():
        return href  # the usual `/virtual/2025/poster/1`: nothing to clean, no scheme
    cleaned = href.translate(_IGNORED).strip(_C0_AND_SPACE)
    if _CONTROL.search(cleaned):
        cleaned = _CONTROL.sub(lambda match: quote(match.group()), cleaned)
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # a malformed host such as `http://[::1`
        return None
    if not parts.scheme:
        return cleaned or None
    if parts.scheme in _WEB_SCHEMES and parts.netloc:
        return parts.scheme + cleaned[len(parts.scheme) :]  # the scheme in lower case
    return None


def is_web_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host, written as a browser would read it."""
    return bool(url) and page_link(url) == url and urlsplit(url).scheme in _WEB_SCHEMES


def same_site(url: str, other: str) -> bool:
    """Whether two http(s) addresses are on one site: the same host name once a leading `www.`
    is set aside, whatever the scheme and port (`http://icml.cc/` and
    `https://www.icml.cc:443/` are; `https://cdn.icml.cc/` is not)."""
    first, second = urlsplit(url), urlsplit(other)
    return {first.scheme, second.scheme} <= _WEB_SCHEMES and _site(first.hostname) == _site(
        second.hostname
    )


def site_of(netloc: str) -> str:
    """The key of a host's site, as `same_site` tells sites apart, but keeping a port other
    than http's and https's own (another server): `user@WWW.icml.cc.:443` -> `icml.cc`,
    `127.0.0.1:8001` -> `127.0.0.1:8001`."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:  # a port that is no number: the name as it stands
        return netloc.lower()
    site = _site(parts.hostname)
    return site if port in (None, 80, 443) else f"{site}:{port}"


def _site(host: str | None) -> str:
    return (host or "").rstrip(".").removeprefix("www.")

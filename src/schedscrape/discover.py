"""Find every session page of one conference-year from a page that lists sessions.

Calendar markup varies by year (`div.oral-session`, `div.eventsession`, day blocks, ...), so
this matches the session links themselves: `/virtual/<year>/session/<id>` on the same host.
Other years, other hosts and everything else are never followed.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from schedscrape.errors import ScheduleError
from schedscrape.parse.conferences import CONFERENCE_HOSTS

_SITES = {name.lower(): host for name, host in CONFERENCE_HOSTS.items()} | {"nips": "neurips.cc"}
_YEAR_IN_URL = re.compile(r"/virtual/((?:19|20)\d{2})(?:/|$)")
_LINKS = etree.XPath("//a/@href")


class DiscoveryError(ScheduleError):
    stage = "discover"


def entry_url(entry: list[str]) -> str:
    """`["icml", "2022"]` -> the calendar URL; a single URL is used as given."""
    if len(entry) == 1 and entry[0].startswith(("http://", "https://")):
        return entry[0]
    if len(entry) == 2 and entry[0].lower() in _SITES and re.fullmatch(r"\d{4}", entry[1]):
        return f"https://{_SITES[entry[0].lower()]}/virtual/{entry[1]}/calendar"
    known = ", ".join(sorted(_SITES))
    raise DiscoveryError(
        f"cannot make a conference-year of {' '.join(entry)!r}: give a calendar URL or "
        f"NAME YEAR with NAME one of {known}"
    )


def session_links(page: bytes, page_url: str) -> list[str]:
    """Absolute session URLs of the page's conference-year, de-duplicated, in page order."""
    year_match = _YEAR_IN_URL.search(urlsplit(page_url).path)
    if year_match is None:
        raise DiscoveryError(f"no /virtual/<year>/ in the entry URL {page_url}")
    host = urlsplit(page_url).netloc
    wanted = re.compile(rf"^/virtual/{year_match.group(1)}/session/\d+/?$")
    root = etree.fromstring(page, etree.HTMLParser(no_network=True)) if page.strip() else None
    links: dict[str, None] = {}
    for href in _LINKS(root) if root is not None else []:
        parts = urlsplit(urljoin(page_url, href.strip()))
        if parts.netloc == host and parts.scheme in ("http", "https") and wanted.match(parts.path):
            links[urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))] = None
    if not links:
        raise DiscoveryError(f"no session links for {year_match.group(1)} on {page_url}")
    return list(links)

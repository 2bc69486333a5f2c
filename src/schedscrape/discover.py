"""Find the pages of one conference-year that a crawl fetches, from a page that lists them.

Calendar markup varies by year (`div.oral-session`, `div.eventsession`, day blocks, ...), so
this matches the links themselves: session pages, `/virtual/<year>/session/<id>`, on the same
host. A page that links none (the 2026 redesign) is crawled through the year's events lists
instead, `/virtual/<year>/events/<kind>`. Other years, other hosts and everything else are
never followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from schedscrape.errors import ScheduleError
from schedscrape.parse.conferences import CONFERENCE_HOSTS

_SITES = {name.lower(): host for name, host in CONFERENCE_HOSTS.items()} | {"nips": "neurips.cc"}
_YEAR_IN_URL = re.compile(r"/virtual/((?:19|20)\d{2})(?:/|$)")
_LINKS = etree.XPath("//a/@href")
SESSION_PAGES, EVENTS_LISTS = "session page", "events list"


class DiscoveryError(ScheduleError):
    stage = "discover"


@dataclass(frozen=True)
class Entry:
    """One conference-year to crawl: as the user named it, and its entry page."""

    name: str  # "icml 2022", or the URL as given
    url: str


def parse_entries(words: list[str]) -> list[Entry]:
    """`crawl`'s arguments as entries: calendar URLs and NAME YEAR pairs, in any mix. The same
    entry page named twice is crawled once."""
    entries: dict[str, Entry] = {}
    rest = list(words)
    while rest:
        size = 1 if rest[0].startswith(("http://", "https://")) or len(rest) == 1 else 2
        chunk, rest = rest[:size], rest[size:]
        url = entry_url(chunk)
        entries.setdefault(url, Entry(" ".join(chunk), url))
    return list(entries.values())


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


def pages_to_crawl(page: bytes, page_url: str) -> tuple[str, list[str]]:
    """What a crawl fetches from this entry page: its session pages (`SESSION_PAGES`), else
    its conference-year's events lists (`EVENTS_LISTS`), as absolute URLs in page order."""
    year = _year_of(page_url)
    root = etree.fromstring(page, etree.HTMLParser(no_network=True)) if page.strip() else None
    hrefs = _LINKS(root) if root is not None else []
    for kind, path in (
        (SESSION_PAGES, rf"/virtual/{year}/session/\d+"),
        (EVENTS_LISTS, rf"/virtual/{year}/events/[\w-]+"),
    ):
        links = _links(hrefs, page_url, re.compile(path + "/?"))
        if links:
            return kind, links
    raise DiscoveryError(f"no session links or events lists for {year} on {page_url}")


def detail_pages(event_urls: list[str | None], page_url: str) -> list[str]:
    """The event detail pages among a page's event links (`/virtual/<year>/poster/<id>`,
    `/virtual/<year>/<id>`): same host, same conference-year, de-duplicated, in order."""
    year = _YEAR_IN_URL.search(urlsplit(page_url).path)
    if year is None:
        return []
    wanted = re.compile(rf"/virtual/{year.group(1)}/(?!session/|events/)(?:[\w-]+/)?\d+/?")
    return _links([url for url in event_urls if url], page_url, wanted)


def _year_of(page_url: str) -> str:
    year_match = _YEAR_IN_URL.search(urlsplit(page_url).path)
    if year_match is None:
        raise DiscoveryError(f"no /virtual/<year>/ in the entry URL {page_url}")
    return year_match.group(1)


def _links(hrefs: list[str], page_url: str, wanted: re.Pattern[str]) -> list[str]:
    """The absolute URLs of `hrefs` (relative to the page) whose paths `wanted` matches, on
    the page's own host; without query or fragment, de-duplicated, in page order."""
    host = urlsplit(page_url).netloc
    links: dict[str, None] = {}
    for href in hrefs:
        try:
            parts = urlsplit(urljoin(page_url, href.strip()))
        except ValueError:  # "http://[oops": not an address at all
            continue
        if (
            parts.netloc == host
            and parts.scheme in ("http", "https")
            and wanted.fullmatch(parts.path)
        ):
            links[urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))] = None
    return list(links)

"""Find the pages of one conference-year that a crawl fetches, from a page that lists them.

Calendar markup varies by year (`div.oral-session`, `div.eventsession`, day blocks, ...), so
this matches the links themselves: session pages, `/virtual/<year>/session/<id>`, on the same
site (`icml.cc` and `www.icml.cc` are one). A page that links none (the 2026 redesign) is
crawled through the year's events lists instead, `/virtual/<year>/events/<kind>`. Other years,
other sites and everything else are never followed.

The same page says where the conference-year's JSON feed would be
(`/static/virtual/data/<conf>-<year>-orals-posters.json`, MARKUP.md): the address the page
itself names, else one made from the conference's name as its site spells it (from the host,
else the page title). Whether the site serves it is found by asking (`crawl --details`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from schedscrape.errors import ScheduleError
from schedscrape.links import same_site
from schedscrape.parse.conferences import (
    CONFERENCE_HOSTS,
    canonical_name,
    conference_of_url,
    is_known,
    named_in_file,
)

_SITES = {name.lower(): host for name, host in CONFERENCE_HOSTS.items()} | {"nips": "neurips.cc"}
_YEAR_IN_URL = re.compile(r"/virtual/((?:19|20)\d{2})(?:/|$)")
_LINKS = etree.XPath("//a/@href")
_TITLE = etree.XPath("string(//title)")
# A feed named anywhere in the page: a link, a script's source, or a string in a script.
_FEED_NAMED = re.compile(rb"""[^\s"'<>()]*/static/virtual/data/[\w.-]+-orals-posters\.json""")
_FEED_PATH = "/static/virtual/data/{name}-{year}-orals-posters.json"
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


@dataclass(frozen=True)
class EntryLinks:
    """What an entry page leads to: the kind of pages it links, their URLs in page order, the
    conference, and the address of its conference-year's feed (None when the conference's
    name is unknown). A crawl reads every page of the entry as of that conference, so that
    sources that do not name it (a feed, a list page on a host the table does not know) key
    their events as the others do."""

    kind: str
    pages: list[str]
    feed: str | None = None
    conference: str | None = None  # as its host or its title names it, if either does
    year: str | None = None  # as its address names it


def pages_to_crawl(page: bytes, page_url: str) -> EntryLinks:
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
            conference = _conference(page_url, _TITLE(root) if root is not None else "", year)
            feed = feed_url(page, page_url, year, conference)
            if conference is None and feed:  # a feed the page names names the conference too
                conference = (named_in_file(feed) or (None, None))[0]
            return EntryLinks(kind, links, feed, conference, year)
    raise DiscoveryError(f"no session links or events lists for {year} on {page_url}")


def feed_url(page: bytes, page_url: str, year: str, conference: str | None) -> str | None:
    """Where the page's conference-year's feed would be: the address the page names for that
    year on its own host, else the feed path with the conference's name ("icml"); None when
    the conference is unknown."""
    for match in _FEED_NAMED.finditer(page):
        named = _links([match.group().decode("ascii", "replace")], page_url, _feed_path(year))
        if named:
            return named[0]
    if conference is None:
        return None
    parts = urlsplit(page_url)
    path = _FEED_PATH.format(name=conference.lower(), year=year)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _conference(page_url: str, title: str, year: str) -> str | None:
    """The entry's conference as its site spells it that year: the host's, else the title's
    first word if the table knows it."""
    words = title.split()
    name = conference_of_url(page_url) or (words[0] if words and is_known(words[0]) else None)
    return canonical_name(name, int(year)) if name else None


def _feed_path(year: str) -> re.Pattern[str]:
    return re.compile(rf"/static/virtual/data/[\w.-]+-{year}-orals-posters\.json")


def detail_pages(event_urls: list[str | None], page_url: str) -> list[str]:
    """The event detail pages among a page's event links (`/virtual/<year>/poster/<id>`,
    `/virtual/<year>/<id>`): same site, same conference-year, de-duplicated, in order."""
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
    the page's own site (`same_site`), made addresses on the page's own host, over https if
    the link or the page is: a page that moved to `www.` may still link the bare host, which
    would only redirect there, and one page linked on both names or schemes is fetched once.
    Without query or fragment, de-duplicated, in page order."""
    page = urlsplit(page_url)
    secure: dict[str, bool] = {}  # each path found, in page order: whether it is https anywhere
    for href in hrefs:
        try:
            url = urljoin(page_url, href.strip())
            parts = urlsplit(url)
            on_site = same_site(url, page_url)
        except ValueError:  # "http://[oops": not an address at all
            continue
        if on_site and wanted.fullmatch(parts.path):
            path = parts.path.rstrip("/")
            secure[path] = secure.get(path, False) or "https" in (parts.scheme, page.scheme)
    return [
        urlunsplit(("https" if https else "http", page.netloc, path, "", ""))
        for path, https in secure.items()
    ]

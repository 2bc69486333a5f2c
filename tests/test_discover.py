"""Finding the pages to crawl on a page that lists them: session pages, else events lists."""

import pytest

from schedscrape.discover import (
    EVENTS_LISTS,
    SESSION_PAGES,
    DiscoveryError,
    Entry,
    EntryLinks,
    detail_pages,
    entry_url,
    pages_to_crawl,
    parse_entries,
)

CALENDAR = b"""<html><body>
<div class="container2 day-1"><div class="timebox">
  <div class="oral-session"><a href="/virtual/2022/session/20119">Deep Learning</a></div>
  <div class="eventsession"><div class="sessiontitle">
    <a href="https://icml.cc/virtual/2022/session/20120/">Poster Session 1</a></div></div>
  <a href="/virtual/2022/session/20119#details">again, with a fragment</a>
  <a href="/virtual/2022/session/20121?tab=chat">with a query</a>
  <a href="/virtual/2021/session/9999">last year</a>
  <a href="https://neurips.cc/virtual/2022/session/1">another host</a>
  <a href="/virtual/2022/poster/16021">a poster, not a session</a>
  <a href="/virtual/2022/session/abc">not an id</a>
  <a href="http://[oops/virtual/2022/session/1">not an address</a>
</div></div></body></html>"""


@pytest.mark.parametrize(
    ("entry", "url"),
    [
        (["icml", "2022"], "https://icml.cc/virtual/2022/calendar"),
        (["NeurIPS", "2023"], "https://neurips.cc/virtual/2023/calendar"),
        (["https://iclr.cc/virtual/2025/calendar"], "https://iclr.cc/virtual/2025/calendar"),
    ],
)
def test_entry_forms(entry, url):
    assert entry_url(entry) == url


@pytest.mark.parametrize("entry", [["icml"], ["acl", "2022"], ["icml", "22"], ["a", "b", "c"]])
def test_bad_entries(entry):
    with pytest.raises(DiscoveryError, match="calendar URL or NAME YEAR"):
        entry_url(entry)


def session_links(page: bytes, url: str) -> list[str]:
    found = pages_to_crawl(page, url)
    assert found.kind == SESSION_PAGES
    return found.pages


def test_session_links_of_the_same_conference_year_only():
    links = session_links(CALENDAR, "https://icml.cc/virtual/2022/calendar")
    assert links == [
        "https://icml.cc/virtual/2022/session/20119",
        "https://icml.cc/virtual/2022/session/20120",
        "https://icml.cc/virtual/2022/session/20121",
    ]


def test_a_page_that_moved_to_www_keeps_its_links_to_the_bare_host():
    """The entry page came from www. (after a redirect): links to the bare host are the same
    site, kept as addresses on www. (where they would redirect), once each."""
    moved = "https://www.icml.cc/virtual/2022/calendar"
    assert session_links(CALENDAR, moved) == [
        "https://www.icml.cc/virtual/2022/session/20119",
        "https://www.icml.cc/virtual/2022/session/20120",
        "https://www.icml.cc/virtual/2022/session/20121",
    ]
    bare_and_www = (
        b'<a href="https://icml.cc/virtual/2022/session/1">bare</a>'
        b'<a href="/virtual/2022/session/1">relative</a>'
        b'<a href="http://icml.cc:80/virtual/2022/session/2">http, a port</a>'
        b'<a href="https://cdn.icml.cc/virtual/2022/session/3">another site</a>'
    )
    assert session_links(bare_and_www, moved) == [
        "https://www.icml.cc/virtual/2022/session/1",
        "https://www.icml.cc/virtual/2022/session/2",
    ]
    both = (  # one session, on both names and both schemes: fetched once, over https
        b'<a href="https://icml.cc/virtual/2022/session/7">a</a>'
        b'<a href="http://www.icml.cc/virtual/2022/session/7">b</a>'
    )
    assert session_links(both, moved) == ["https://www.icml.cc/virtual/2022/session/7"]
    assert session_links(both, moved.replace("https", "http")) == [
        "https://www.icml.cc/virtual/2022/session/7"  # an https link is never made http
    ]
    events = ["https://icml.cc/virtual/2026/oral/1", "https://www.icml.cc/virtual/2026/oral/2"]
    assert detail_pages(events, "https://www.icml.cc/virtual/2026/events/oral") == [
        "https://www.icml.cc/virtual/2026/oral/1",
        "https://www.icml.cc/virtual/2026/oral/2",
    ]


def test_multi_venue_calendar_and_empty_pages():
    links = session_links(
        CALENDAR.replace(b"2022", b"2025"), "https://icml.cc/virtual/2025/loc/vancouver/calendar"
    )
    assert len(links) == 3
    with pytest.raises(DiscoveryError, match="no session links or events lists for 2022"):
        session_links(
            b"<html><body>No sessions yet</body></html>", "https://icml.cc/virtual/2022/calendar"
        )
    with pytest.raises(DiscoveryError, match="no /virtual/<year>/"):
        session_links(CALENDAR, "https://icml.cc/calendar")


def test_entries_mix_name_year_pairs_and_urls():
    words = ["icml", "2023", "https://iclr.cc/virtual/2025/calendar", "NeurIPS", "2024"]
    assert parse_entries(words) == [
        Entry("icml 2023", "https://icml.cc/virtual/2023/calendar"),
        Entry("https://iclr.cc/virtual/2025/calendar", "https://iclr.cc/virtual/2025/calendar"),
        Entry("NeurIPS 2024", "https://neurips.cc/virtual/2024/calendar"),
    ]
    # The same entry page named twice is crawled once.
    assert len(parse_entries(["icml", "2023", "https://icml.cc/virtual/2023/calendar"])) == 1


@pytest.mark.parametrize(
    ("words", "named"),
    [
        (["icml", "2023", "2024"], "'2024'"),
        (["icml", "https://icml.cc/virtual/2023/calendar"], "'icml https://"),
        (["icml", "2023", "icml"], "'icml'"),
        (["acl", "2023", "icml", "2024"], "'acl 2023'"),
    ],
)
def test_a_bad_entry_among_good_ones_is_named(words, named):
    with pytest.raises(DiscoveryError, match="cannot make a conference-year of " + named):
        parse_entries(words)


ENTRY_2026 = b"""<html><body><nav>
  <a href="/virtual/2026/events/oral">Orals</a>
  <a href="/virtual/2026/events/journal-track/">Journal Track</a>
  <a href="https://icml.cc/virtual/2026/events/oral?page=2#top">Orals again</a>
  <a href="/virtual/2025/events/oral">last year's orals</a>
  <a href="https://neurips.cc/virtual/2026/events/oral">another host</a>
  <a href="/virtual/2026/events/">no kind</a>
  <a href="/virtual/2026/events/oral/61001">an event, not a list</a>
  <a href="/virtual/2026/poster/61002">a poster</a>
</nav></body></html>"""


def test_a_page_without_session_links_gives_its_years_events_lists():
    assert pages_to_crawl(ENTRY_2026, "https://icml.cc/virtual/2026/calendar") == EntryLinks(
        EVENTS_LISTS,
        [
            "https://icml.cc/virtual/2026/events/oral",
            "https://icml.cc/virtual/2026/events/journal-track",
        ],
        ICML_2026_FEED,
        "ICML",
        "2026",
    )


def test_session_links_win_over_events_lists():
    page = ENTRY_2026.replace(b"</nav>", b'<a href="/virtual/2026/session/7">a session</a></nav>')
    assert pages_to_crawl(page, "https://icml.cc/virtual/2026/calendar") == EntryLinks(
        SESSION_PAGES, ["https://icml.cc/virtual/2026/session/7"], ICML_2026_FEED, "ICML", "2026"
    )


ICML_2026_FEED = "https://icml.cc/static/virtual/data/icml-2026-orals-posters.json"
LISTS_ONLY = (
    b"<html><head><title>{title}</title></head>"
    b'<body>{body}<a href="/virtual/2026/events/oral">Orals</a></body></html>'
)


@pytest.mark.parametrize(
    ("url", "title", "body", "feed", "conference"),
    [
        # The conference's own host names it; NeurIPS keeps today's spelling in 2026.
        ("https://www.neurips.cc/virtual/2026/calendar", "", "",
         "https://www.neurips.cc/static/virtual/data/neurips-2026-orals-posters.json", "NeurIPS"),
        # An unknown host: the page title's first word, if it is a conference.
        ("http://127.0.0.1:8000/virtual/2026/calendar", "ICLR 2026 Calendar", "",
         "http://127.0.0.1:8000/static/virtual/data/iclr-2026-orals-posters.json", "ICLR"),
        ("http://127.0.0.1:8000/virtual/2026/calendar", "Calendar", "", None, None),
        # A feed the page names wins, if it is this year's and on this host.
        ("https://eccv.ecva.net/virtual/2026/calendar", "ECCV 2026", "<script>fetch("
         "'/static/virtual/data/eccv-2026-orals-posters.json?v=2')</script>",
         "https://eccv.ecva.net/static/virtual/data/eccv-2026-orals-posters.json", "ECCV"),
        ("https://eccv.ecva.net/virtual/2026/calendar", "Calendar",
         '<a href="/static/virtual/data/eccv-2025-orals-posters.json">last year</a>'
         '<a href="https://elsewhere.org/static/virtual/data/eccv-2026-orals-posters.json">x</a>',
         None, None),
    ],
)  # fmt: skip
def test_where_the_feed_would_be(url, title, body, feed, conference):
    """And the conference every page of the entry is read as: the host's, else the title's."""
    page = LISTS_ONLY.replace(b"{title}", title.encode()).replace(b"{body}", body.encode())
    found = pages_to_crawl(page, url)
    assert (found.feed, found.conference) == (feed, conference)


def test_detail_pages_of_the_same_host_and_year():
    page_url = "https://icml.cc/virtual/2026/events/oral"
    urls = [
        "https://icml.cc/virtual/2026/oral/61001",
        "https://icml.cc/virtual/2026/oral/61001",  # again
        "https://icml.cc/virtual/2026/61002",  # no type segment
        "https://icml.cc/virtual/2026/poster/61003/",
        None,  # a card without a link
        "https://icml.cc/virtual/2025/oral/1",
        "https://neurips.cc/virtual/2026/oral/2",
        "https://icml.cc/virtual/2026/session/3",
        "https://icml.cc/virtual/2026/events/oral",
        "https://icml.cc/virtual/2026/calendar",
    ]
    assert detail_pages(urls, page_url) == [
        "https://icml.cc/virtual/2026/oral/61001",
        "https://icml.cc/virtual/2026/61002",
        "https://icml.cc/virtual/2026/poster/61003",
    ]

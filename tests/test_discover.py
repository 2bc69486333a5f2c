"""Finding session pages on a page that lists them."""

import pytest

from schedscrape.discover import DiscoveryError, entry_url, session_links

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


def test_session_links_of_the_same_conference_year_only():
    links = session_links(CALENDAR, "https://icml.cc/virtual/2022/calendar")
    assert links == [
        "https://icml.cc/virtual/2022/session/20119",
        "https://icml.cc/virtual/2022/session/20120",
        "https://icml.cc/virtual/2022/session/20121",
    ]


def test_multi_venue_calendar_and_empty_pages():
    links = session_links(
        CALENDAR.replace(b"2022", b"2025"), "https://icml.cc/virtual/2025/loc/vancouver/calendar"
    )
    assert len(links) == 3
    with pytest.raises(DiscoveryError, match="no session links for 2022"):
        session_links(
            b"<html><body>No sessions yet</body></html>", "https://icml.cc/virtual/2022/calendar"
        )
    with pytest.raises(DiscoveryError, match="no /virtual/<year>/"):
        session_links(CALENDAR, "https://icml.cc/calendar")

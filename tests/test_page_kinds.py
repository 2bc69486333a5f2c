"""Every kind of page the sites serve, read by content through `parse_page` and the CLI: 2026
events lists, 2023 list pages, detail pages (2020-25 and 2026), pre-2020 schedules."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from schedscrape import load, parse_page
from schedscrape.cli import main
from schedscrape.errors import NotASessionPage, PageError, TruncatedPage
from schedscrape.parse.readers import READERS
from schedscrape.parse.readers.base import CARD_DEPTH
from tests.conftest import EDGE, FIXTURES, SESSIONS, SHARED

PAGES = FIXTURES / "pages"
EVENTS_LIST = (PAGES / "icml2026-events-oral.html").read_bytes()
LIST_PAGE = (PAGES / "neurips2023-posters-list.html").read_bytes()
DETAIL = (PAGES / "neurips2023-poster-detail.html").read_bytes()
DETAIL_2026 = (PAGES / "iclr2026-oral-detail.html").read_bytes()
SCHEDULE = (PAGES / "nips2016-schedule.html").read_bytes()
REAL_DETAIL = SHARED / "real" / "neurips2023-poster-70701.html"


def test_events_list_gives_a_talk_and_an_event_per_card():
    page = parse_page(EVENTS_LIST, source="oral.html")
    assert page.kind == "events list"
    session = page.session
    assert (session.session_id, session.session_type, session.title) == (
        "icml.cc-2026-events-oral",
        "events list",
        "2026 Orals",
    )
    assert (session.conference, session.year, session.talk_count) == ("ICML", 2026, 3)
    first = page.talks[0]
    assert first.title == "Sparse k-Means with Pruned Centroids"
    assert first.authors == ["Ada Lovelace", "Charles Babbage", "Grace O'Hopper"]
    assert (first.event_type, first.room, first.event_id) == ("Oral", "HALL A", "61001")
    assert first.time_raw == "Jul 7, 10:30 AM - 10:45 AM"
    assert first.url == "https://icml.cc/virtual/2026/oral/61001"
    assert first.abstract_raw.startswith("We cluster $n$ points")
    for talk in page.talks:
        assert "Show more" not in talk.abstract_raw and "full details" not in talk.abstract_raw
    assert page.talks[2].room == "Ballroom 1"
    assert [event.event_id for event in page.events] == ["61001", "61002", "61003"]
    event = page.events[1]
    assert event.title == "Robust “Attention” Under Shift"
    assert event.session_ids == ["icml.cc-2026-events-oral"] and event.sources == ["oral.html"]


def test_events_list_times_need_tz_and_take_it_exactly():
    page = parse_page(EVENTS_LIST)
    assert all(t.start is None and t.end is None and t.time_raw for t in page.talks)
    assert all(e.start is None for e in page.events)
    (warning,) = page.problems
    assert "--tz" in warning.message and "talks 1-3" in warning.message

    seoul = parse_page(EVENTS_LIST, tz="Asia/Seoul")
    assert not seoul.problems
    first = seoul.talks[0]
    assert first.start.isoformat() == "2026-07-07T10:30:00+09:00"
    assert first.end.isoformat() == "2026-07-07T10:45:00+09:00"
    assert (first.timezone, first.utc_offset) == ("KST", "+09:00")
    assert seoul.session.utc_offset == "+09:00" and seoul.events[0].utc_offset == "+09:00"
    assert seoul.session.start == first.start  # the list spans its talks
    assert seoul.session.end.isoformat() == "2026-07-08T12:15:00+09:00"


def test_events_list_year_comes_from_year_when_no_url():
    page = EVENTS_LIST.replace(
        b'<link rel="canonical" href="https://icml.cc/virtual/2026/events/oral">', b""
    )
    parsed = parse_page(page, year=2026, tz="+02:00")
    assert parsed.talks[0].start.isoformat() == "2026-07-07T10:30:00+02:00"
    assert parsed.session.session_id.startswith("h")  # no address: named by its content
    assert parse_page(page, year=2026).session.session_id == parsed.session.session_id


def test_a_count_badge_that_disagrees_with_the_cards_is_a_warning():
    page = parse_page(EVENTS_LIST.replace(b"3 Events", b"75 Events"), tz="UTC")
    (warning,) = page.problems
    assert "75" in warning.message and "3" in warning.message


def test_an_events_list_without_cards_is_an_error():
    empty = re.sub(
        rb'<div class="event-card.*?</div>\s*</div>\s*</div>', b"", EVENTS_LIST, flags=re.S
    )
    assert b"event-card" not in empty
    with pytest.raises(NotASessionPage, match="not a session page") as raised:
        parse_page(empty)
    assert "\n" not in str(raised.value)


def test_list_page_fragment_gives_every_card():
    page = parse_page(LIST_PAGE)
    assert page.kind == "list page" and page.session.session_type == "list page"
    assert len(page.talks) == len(page.events) == 2
    first = page.talks[0]
    assert first.authors == ["Yangru Huang", "Peixi Peng", "Yifan Zhao"]  # wrapped name: one
    assert first.start.isoformat() == "2023-12-12T17:45:00+01:00" and first.end is None
    assert (first.timezone, first.utc_offset) == ("CET", "+01:00")
    assert (first.room, first.poster_position) == ("Great Hall & Hall B1+B2 (level 1)", "#515")
    assert first.year == 2023 and first.event_id == "70701"
    assert page.events[1].event_type == "Spotlight Poster"


def test_list_page_links_are_absolute_once_the_site_is_known():
    page = parse_page(LIST_PAGE, conference="NeurIPS")
    assert page.talks[0].url == "https://neurips.cc/virtual/2023/poster/70701"
    assert page.events[0].url == page.talks[0].url


def test_detail_page_gives_one_event_and_no_session():
    page = parse_page(DETAIL, zones={"CST": "-06:00"})
    assert page.kind == "detail page"
    assert page.session is None and page.talks == []
    (event,) = page.events
    assert (event.event_id, event.conference, event.year) == ("70702", "NeurIPS", 2023)
    assert event.event_type == "Spotlight Poster"
    assert event.title == "Spotlight on Sparse Mixtures"
    assert event.authors == ["Mary Somerville"]
    assert (event.room, event.poster_position) == ("Great Hall & Hall B1+B2 (level 1)", "#1204")
    assert event.start.isoformat() == "2023-12-13T08:45:00-06:00"
    assert event.end.isoformat() == "2023-12-13T10:45:00-06:00"
    assert event.utc_offset == "-06:00"
    assert event.abstract_raw.startswith("Mixtures of experts") and "Abstract" not in event.abstract
    assert event.openreview_url == "https://openreview.net/forum?id=Sp4rseMix"
    assert event.paper_url.startswith("https://proceedings.neurips.cc/paper_files/")
    assert event.poster_url == "https://neurips.cc/media/PosterPDFs/NeurIPS%202023/70702.png"
    assert event.project_url == "https://example.org/sparse-mixtures"
    assert event.url == "https://neurips.cc/virtual/2023/poster/70702"
    assert event.session_ids == [] and not page.problems


@pytest.mark.skipif(not REAL_DETAIL.exists(), reason="../shared/real page not available")
def test_real_neurips_2023_detail_page():
    page = parse_page(REAL_DETAIL.read_bytes())
    (event,) = page.events
    assert event.event_id == "70701" and event.event_type == "Poster"
    assert event.title.startswith("Hierarchical Adaptive Value Estimation")
    assert event.authors[:2] == ["Yangru Huang", "Peixi Peng"] and len(event.authors) == 6
    assert (event.room, event.poster_position) == ("Great Hall & Hall B1+B2 (level 1)", "#515")
    assert event.start.isoformat() == "2023-12-12T08:45:00-08:00"
    assert event.end.isoformat() == "2023-12-12T10:45:00-08:00"
    assert (event.timezone, event.utc_offset) == ("PST", "-08:00")
    assert event.openreview_url == "https://openreview.net/forum?id=jB4wsc1DQW"
    assert event.paper_url.startswith("https://proceedings.neurips.cc/")
    assert event.abstract.startswith("Integrating RGB frames") and len(event.abstract) > 1000
    assert not page.problems  # the JSON-LD agrees with the page


def test_json_ld_that_disagrees_is_a_warning_naming_both():
    page = parse_page(DETAIL.replace(b'"name": "Mary Somerville"', b'"name": "Ada Lovelace"'))
    (warning,) = [p for p in page.problems if "JSON-LD" in p.message]
    assert "Mary Somerville" in warning.message and "Ada Lovelace" in warning.message
    title = DETAIL.replace(b'"name": "Spotlight on', b'"name": "Floodlight on')
    (warning,) = [p for p in parse_page(title).problems if "JSON-LD" in p.message]
    assert "Floodlight on Sparse Mixtures" in warning.message
    assert "Spotlight on Sparse Mixtures" in warning.message


def test_detail_page_without_title_or_event_id_is_an_error():
    untitled = re.sub(
        rb"<h2 class=\"card-title.*?</h2>", b'<h2 class="card-title"></h2>', DETAIL, flags=re.S
    )
    with pytest.raises(PageError, match="without a title"):
        parse_page(untitled)
    nameless = (EDGE / "event-detail-page.html").read_bytes()  # no canonical link
    with pytest.raises(PageError, match="--url"):
        parse_page(nameless)
    (event,) = parse_page(nameless, url="https://icml.cc/virtual/2025/poster/41001").events
    assert (event.event_id, event.conference, event.year) == ("41001", "ICML", 2025)
    assert event.authors == ["Ada Lovelace", "Charles Babbage"]


def test_2026_detail_page():
    page = parse_page(DETAIL_2026)
    (event,) = page.events
    assert (event.event_id, event.event_type, event.room) == ("62003", "Oral", "Room 201 C")
    assert event.authors == ["Sofia Kovalevskaya", "Emmy Noether"]
    assert event.start.isoformat() == "2026-04-23T09:00:00-03:00"
    assert event.end.isoformat() == "2026-04-23T09:15:00-03:00"
    assert event.utc_offset == "-03:00"
    assert event.openreview_url == "https://openreview.net/forum?id=N00nGrad"
    assert event.paper_url == "https://openreview.net/pdf?id=N00nGrad"
    assert event.project_url == "https://example.org/noon"
    assert "Show more" not in event.abstract_raw and "lunchtime" not in event.abstract_raw
    assert event.abstract.endswith("bound.")


def test_links_are_http_only():
    hostile = DETAIL_2026.replace(b"https://example.org/noon", b"javascript:alert(1)")
    assert parse_page(hostile).events[0].project_url is None
    relative = DETAIL_2026.replace(b"https://example.org/noon", b"/media/noon.html")
    assert parse_page(relative).events[0].project_url == "https://iclr.cc/media/noon.html"


def test_pre_2020_schedule():
    page = parse_page(SCHEDULE, tz="America/Los_Angeles")
    assert page.kind == "schedule"
    session = page.session
    assert (session.conference, session.year) == ("NIPS", 2016)
    assert (session.session_id, session.session_type) == ("nips.cc-2016-schedule", "schedule")
    assert session.title == "NIPS 2016 Schedule"  # no heading: the page's title
    poster = page.talks[1]
    assert (poster.room, poster.poster_position, poster.event_id) == ("Area 5 + 6", "#12", "1002")
    # "06:00 -- 09:30 PM": the PM applies to both ends; December in Los Angeles is PST.
    assert poster.start.isoformat() == "2016-12-05T18:00:00-08:00"
    assert poster.end.isoformat() == "2016-12-05T21:30:00-08:00"
    assert (poster.timezone, poster.utc_offset) == ("PST", "-08:00")
    assert page.talks[0].authors == ["Aviv Tamar", "Sergey Levine", "Pieter Abbeel"]
    assert [e.event_id for e in page.events] == ["1001", "1002", "1003"]


def test_pre_2020_schedule_gives_each_card_its_type_and_clean_title():
    talks = parse_page(SCHEDULE).talks
    assert [talk.event_type for talk in talks] == ["Oral", "Poster", "Tutorial"]
    assert talks[0].title == "Value Iteration Networks at γ-Scale"
    assert talks[0].title_raw == "Value Iteration Networks at $\\gamma$-Scale"
    assert (talks[0].room, talks[0].poster_position) == ("Rooms 211 + 212", None)


def test_pre_2020_schedule_cards_give_their_links():
    # As public scrapers of these pages read them: an OpenReview forum in a span, and the
    # proceedings' "Paper" button.
    buttons = (
        b'<div><span><a href="https://openreview.net/forum?id=Hk4_qw5xe">OpenReview</a></span>'
        b'<a class="btn btn-default btn-xs href_PDF" href="/paper/6340.pdf" title="Paper">PDF</a>'
        b'<a href="javascript:void(0)">Bookmark</a></div>\n</div>\n<div onclick="showDetail(1002)"'
    )
    page = parse_page(SCHEDULE.replace(b'</div>\n<div onclick="showDetail(1002)"', buttons, 1))
    first, second = page.events[0], page.events[1]
    assert first.openreview_url == "https://openreview.net/forum?id=Hk4_qw5xe"
    assert first.paper_url == "https://nips.cc/paper/6340.pdf"
    assert (first.poster_url, first.project_url) == (None, None)
    assert (second.openreview_url, second.paper_url) == (None, None)  # the next card has none
    # The buttons are not text of any field.
    assert page.talks[0].authors == ["Aviv Tamar", "Sergey Levine", "Pieter Abbeel"]
    assert page.talks[0].title == "Value Iteration Networks at γ-Scale"


def test_a_card_nested_in_a_schedule_card_keeps_its_fields_and_links_to_itself():
    nested = (
        b'<div class="maincard" id="maincard_999"><div class="maincardType">Poster</div>'
        b'<div class="maincardBody">Nested</div><a class="href_PDF" href="/nested.pdf">PDF</a>'
        b'<div class="maincard" id="maincard_998"><div class="maincardBody">Deeper</div></div>'
        b'</div><a class="href_PDF" href="/outer.pdf">PDF</a>'
    )
    marker = b'</div>\n<div onclick="showDetail(1002)"'
    page = parse_page(SCHEDULE.replace(marker, nested + marker, 1))
    events = {event.event_id: event for event in page.events}
    assert sorted(events) == ["1001", "1002", "1003", "998", "999"]
    outer, inner = events["1001"], events["999"]
    assert (outer.title, outer.event_type) == ("Value Iteration Networks at γ-Scale", "Oral")
    assert outer.paper_url == "https://nips.cc/outer.pdf"
    assert (inner.title, inner.paper_url) == ("Nested", "https://nips.cc/nested.pdf")
    assert events["998"].title == "Deeper"


@pytest.mark.parametrize(
    ("page", "before", "nested"),
    [
        (
            LIST_PAGE,
            b'    </div>\n    <div class="displaycards touchup-date" id="event-70702">',
            b'<div class="displaycards" id="event-999"><a class="small-title" href="/virtual/'
            b'2023/poster/999">Inner</a><div class="author-str">Ada Inner</div>'
            b'<div class="touchup-date-div">Wed 13 Dec 10:45 AM CET</div>'
            b'<div class="displaycards" id="event-998"><a class="small-title" '
            b'href="/virtual/2023/poster/998">Deeper</a></div></div>\n',
        ),
        (
            EVENTS_LIST,
            b'        </div>\n        <div class="event-card touchup-date" id="event-61002"',
            b'<div class="event-card" data-event-id="999"><h3 class="event-title"><a href="/'
            b'virtual/2026/oral/999">Inner</a></h3><div class="event-speakers">Ada Inner</div>'
            b'<span class="touchup-time">Jul 9, 1:00 PM - 2:00 PM</span>'
            b'<div class="event-card" data-event-id="998"><h3 class="event-title"><a href="/'
            b'virtual/2026/oral/998">Deeper</a></h3></div></div>\n',
        ),
    ],
    ids=["list page", "events list"],
)
def test_a_card_nested_in_a_list_card_keeps_its_fields_to_itself(page, before, nested):
    """Cards nested at the end of a card (after its own fields) are read on their own, at
    every depth, and none of their fields replace the outer card's."""
    plain = {talk.event_id: talk for talk in parse_page(page).talks}
    assert before in page
    talks = {
        talk.event_id: talk for talk in parse_page(page.replace(before, nested + before, 1)).talks
    }
    outer = next(iter(plain))
    assert sorted(talks) == sorted([*plain, "999", "998"])
    mine = ("title", "authors", "time_raw", "event_type", "abstract", "room")
    assert [getattr(talks[outer], f) for f in mine] == [getattr(plain[outer], f) for f in mine]
    assert (talks["999"].title, talks["999"].authors) == ("Inner", ["Ada Inner"])
    assert talks["998"].title == "Deeper"


def test_a_link_in_a_schedule_cards_title_counts_by_its_address_only():
    titled = (
        b'<div class="maincardBody"><a href="/Conferences/2016/Schedule?showEvent=77">Poster '
        b'Spotlights on paper reviews</a> <a href="https://openreview.net/forum?id=B1x">'
        b"forum</a></div>"
    )
    marker = b'</div>\n<div onclick="showDetail(1002)"'
    event = parse_page(SCHEDULE.replace(marker, titled + marker, 1)).events[0]
    assert (event.poster_url, event.paper_url) == (None, None)  # words of a title, not a button
    assert event.openreview_url == "https://openreview.net/forum?id=B1x"


def test_a_link_deeper_in_a_schedule_card_than_any_button_counts_by_its_address_only():
    """Buttons sit a few levels into a card. A link CARD_DEPTH levels down or more is not
    taken for one: hostile markup hundreds of levels deep would cost a walk up all of them
    for each of its links."""
    deep = (
        b"<div>" * CARD_DEPTH
        + b'<a class="href_PDF" href="/deep.pdf">PDF</a>'
        + b'<a href="https://openreview.net/forum?id=D33p">forum</a>'
        + b"</div>" * CARD_DEPTH
    )
    marker = b'</div>\n<div onclick="showDetail(1002)"'
    event = parse_page(SCHEDULE.replace(marker, deep + marker, 1)).events[0]
    assert (event.paper_url, event.openreview_url) == (None, "https://openreview.net/forum?id=D33p")
    shallow = SCHEDULE.replace(marker, deep.replace(b"<div>" * 2, b"", 1) + marker, 1)
    assert parse_page(shallow).events[0].paper_url == "https://nips.cc/deep.pdf"


def test_a_schedule_cards_buttons_are_among_its_first_16_links():
    """A card shows a handful of buttons; the thousands of links of a hostile card are not
    each walked up to the card."""
    marker = b'</div>\n<div onclick="showDetail(1002)"'
    button = b'<a class="href_PDF" href="/paper.pdf">PDF</a>'
    for before, found in ((15, "https://nips.cc/paper.pdf"), (16, None)):
        links = b'<a href="#">bookmark</a>' * before + button
        assert parse_page(SCHEDULE.replace(marker, links + marker, 1)).events[0].paper_url == found


def test_list_ids_keep_sites_and_filters_apart():
    ids = {
        parse_page(EVENTS_LIST, url=url).session.session_id
        for url in (
            "https://icml.cc/virtual/2026/events/oral",
            "https://www.icml.cc/virtual/2026/events/oral/",
            "https://iclr.cc/virtual/2026/events/oral",
            "https://icml.cc/virtual/2026/events/oral?filter=Hall%20A",
        )
    }
    assert ids == {
        "icml.cc-2026-events-oral",
        "iclr.cc-2026-events-oral",
        "icml.cc-2026-events-oral-filter-hall-a",
    }


@pytest.mark.parametrize("url", ["http://[oops", "not a url", "file:///virtual/2026/events/x"])
def test_an_unusable_url_is_ignored_like_an_unusable_canonical_link(url):
    page = parse_page(EVENTS_LIST, url=url)
    assert page.session.session_id == "icml.cc-2026-events-oral"  # from the canonical link
    assert page.talks[0].url == "https://icml.cc/virtual/2026/oral/61001"


def test_parse_url_must_be_a_web_address(tmp_path, capsys):
    with pytest.raises(SystemExit) as raised:
        main(["parse", str(PAGES), "--url", "not a url", "-o", str(tmp_path)])
    assert raised.value.code == 2 and "--url" in capsys.readouterr().err


def test_session_pages_and_renderings_say_their_kind_and_give_events():
    page = parse_page((SESSIONS / "icml2025-poster-session.html").read_bytes())
    assert page.kind == "session page"
    assert [e.event_id for e in page.events] == [t.event_id for t in page.talks]
    assert all(e.session_ids == [page.session.session_id] for e in page.events)
    assert all(t.room == page.session.room for t in page.talks)  # no card shows its own
    assert page.session.utc_offset == "-07:00" and page.talks[0].utc_offset == "-07:00"
    text = parse_page((FIXTURES / "renderings" / "icml2025-poster-session.txt").read_bytes())
    assert text.kind == "text rendering"


def test_a_page_no_reader_recognises_keeps_the_session_readers_error():
    for data in (
        b"<html><body><p>An event-card and some displaycards, in prose.</p></body></html>",
        (EDGE / "other-site.html").read_bytes(),
    ):
        with pytest.raises(NotASessionPage, match="no session header and no talk cards"):
            parse_page(data)


def test_a_login_form_or_notice_does_not_hide_a_page_of_another_kind():
    form = b'<body><form><input type="password" name="password"></form>'
    assert parse_page(DETAIL.replace(b"<body>", form)).events[0].event_id == "70702"
    notice = b"<p>Please log in to bookmark events.</p><main"
    assert len(parse_page(EVENTS_LIST.replace(b"<main", notice, 1)).talks) == 3
    with pytest.raises(PageError, match="login required"):  # a wall is still a wall
        parse_page((EDGE / "login-wall.html").read_bytes())


def test_a_cut_download_keeps_its_complete_cards_and_says_so():
    cut = EVENTS_LIST[: EVENTS_LIST.index(b"Gradients computed at noon")]
    page = parse_page(cut, tz="UTC")
    assert [t.event_id for t in page.talks] == ["61001", "61002"]
    (problem,) = page.problems
    assert problem.severity == "error" and "truncated" in problem.message
    with pytest.raises(TruncatedPage):  # a detail page cut in its abstract
        parse_page(DETAIL[: DETAIL.index(b"Code is at")])
    # a browser's copy of part of a list is a fragment, not a cut download
    assert len(parse_page(LIST_PAGE[: LIST_PAGE.rindex(b"</div>")]).talks) == 2


def test_registry_kinds():
    assert [reader.kind for reader in READERS] == [
        "detail page",
        "detail page",
        "events list",
        "list page",
        "schedule",
    ]


# --- the command line ---------------------------------------------------------------------


def test_parse_a_folder_of_every_kind(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["parse", str(PAGES), "-o", str(out), "--tz", "Asia/Seoul"]) == 0
    err = capsys.readouterr().err
    assert "5 pages (5 ok, 0 failed): 3 sessions, 8 talks" in err
    sessions = json.loads((out / "sessions.json").read_text(encoding="utf-8"))
    assert sorted(s["session_type"] for s in sessions) == ["events list", "list page", "schedule"]
    talks = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    oral = next(t for t in talks if t["event_id"] == "61001")
    assert oral["start"] == "2026-07-07T10:30:00+09:00" and oral["utc_offset"] == "+09:00"
    assert oral["room"] == "HALL A"
    tables = load(out)  # Parquet: the offset survives as a column next to UTC times
    row = tables.talks.set_index("event_id").loc["61001"]
    assert row["utc_offset"] == "+09:00" and row["room"] == "HALL A"
    assert row["start"] == pd.Timestamp("2026-07-07T01:30:00Z")
    assert set(tables.sessions["utc_offset"].dropna()) == {"+09:00", "+01:00"}


def test_parse_without_tz_warns_once_per_zone_less_page(tmp_path):
    out = tmp_path / "out"
    assert main(["parse", str(PAGES), "-o", str(out)]) == 0
    problems = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    tz_warnings = [p for p in problems if "--tz" in p["message"]]
    assert sorted(p["source"].rsplit("/", 1)[-1] for p in tz_warnings) == [
        "icml2026-events-oral.html",
        "nips2016-schedule.html",
    ]
    assert all(p["severity"] == "warning" for p in tz_warnings)


@pytest.mark.parametrize("command", ["parse", "scrape", "crawl"])
def test_a_bad_tz_is_a_usage_error(command, capsys, tmp_path):
    target = {"parse": str(PAGES), "scrape": "https://icml.cc/x", "crawl": "icml"}[command]
    with pytest.raises(SystemExit) as raised:
        main([command, target, "--tz", "Mars/Olympus_Mons", "-o", str(tmp_path)])
    assert raised.value.code == 2
    assert "argument --tz: unknown time zone 'Mars/Olympus_Mons'" in capsys.readouterr().err


def test_scrape_passes_tz_to_every_page(tmp_path):
    with _serve({"/virtual/2026/events/oral": EVENTS_LIST}) as base:
        code = main(
            [
                "scrape",
                f"{base}/virtual/2026/events/oral",
                "-o",
                str(tmp_path / "out"),
                "--cache",
                str(tmp_path / "cache.sqlite"),
                "--tz=-03:00",  # argparse takes a bare "-03:00" for an option
                "--rate",
                "100",
            ]
        )
    assert code == 0
    talks = json.loads((tmp_path / "out" / "talks.json").read_text(encoding="utf-8"))
    assert [t["start"] for t in talks][:2] == [
        "2026-07-07T10:30:00-03:00",
        "2026-07-07T10:45:00-03:00",
    ]
    assert {t["utc_offset"] for t in talks} == {"-03:00"}


class _serve:
    """A one-folder site on 127.0.0.1: `with _serve({path: body}) as base_url:`."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
